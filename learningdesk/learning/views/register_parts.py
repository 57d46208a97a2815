"""What the register, outcome, evaluation and join-lead pages share: breadcrumbs and how a session's time reads."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from learningdesk.core.http import Crumbs
from learningdesk.learning.models import Activity, Session


def _url(name: str, *args: object) -> str | None:
    """The URL of another part of the learning pages, or None while that part does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def activity_crumbs(activity: Activity) -> Crumbs:
    crumbs = [
        ("Learning", _url("learning:activities")),
        (activity.title, _url("learning:activity_detail", activity.pk)),
    ]
    return [(label, url) for label, url in crumbs if url]


def session_crumbs(session: Session) -> Crumbs:
    url = _url("learning:session_detail", session.pk)
    return [*activity_crumbs(session.activity), *([(when(session), url)] if url else [])]


def when(session: Session) -> str:
    """For example "Tue 1 Dec 2026, 12:30 to 13:30", in the session's own time zone."""
    start, end = session.local_start, session.local_end
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a} {end.day} {end:%b %Y, %H:%M}"
    return f"{start:%a} {start.day} {start:%b %Y, %H:%M} to {until}"
