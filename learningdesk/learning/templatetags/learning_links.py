"""Session times in the session's own time zone (the organiser's), whatever the site's zone is."""

from __future__ import annotations

import datetime
import zoneinfo

from django import template
from django.utils import timezone

register = template.Library()


def day_and_time(moment: datetime.datetime) -> str:
    """ "Tue 1 Dec 2026, 12:30", as the moment's own clock shows it (Django's date filter would move it to
    the site's zone)."""
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M}"


@register.filter
def session_when(session: object) -> str:
    """ "Tue 1 Dec 2026, 12:30 to 13:30", in the session's (the organiser's) time zone."""
    start: datetime.datetime = session.local_start  # type: ignore[attr-defined]
    end: datetime.datetime = session.local_end  # type: ignore[attr-defined]
    until = f"{end:%H:%M}" if end.date() == start.date() else day_and_time(end)
    return f"{day_and_time(start)} to {until}"


@register.filter
def local_day_and_time(moment: datetime.datetime | None, zone: str = "") -> str:
    """An aware time shown in a named zone ("" for the site's), "Tue 1 Dec 2026, 12:30"."""
    if moment is None:
        return ""
    return day_and_time(moment.astimezone(zoneinfo.ZoneInfo(zone)) if zone else timezone.localtime(moment))
