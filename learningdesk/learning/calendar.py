"""Learning sessions in iCalendar (RFC 5545): one event for a learner's confirmation email, and a unit's
feed of published sessions that members subscribe to. Times are in UTC, which every calendar converts."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import icalendar
from django.conf import settings
from django.utils import timezone

from learningdesk.learning.models import Session

PRODID = "-//Learning Desk//Learning programme//EN"


def session_uid(session: Session) -> str:
    return f"learning-session-{session.pk}@learningdesk"


def session_event(session: Session, *, with_online_link: bool = False, url: str = "") -> icalendar.Event:
    """A session as an event. The online link goes in only for a confirmed learner's own calendar."""
    event = icalendar.Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", session.starts_at.astimezone(datetime.UTC))
    event.add("dtend", session.ends_at.astimezone(datetime.UTC))
    event.add("summary", session.activity.title)
    event.add("location", session.place)
    description = session.activity.description.strip()
    if with_online_link and session.online_url:
        description = f"{description}\n\nJoin online: {session.online_url}".strip()
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    return event


def calendar_bytes(events: Iterable[icalendar.Event], *, name: str = "", method: str = "PUBLISH") -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()


def absolute(path: str) -> str:
    """A full URL for emails and feeds (settings.SITE_URL, with no trailing slash)."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"
