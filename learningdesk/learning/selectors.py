"""Reads for the public learning pages (no login): only published activities, only what may be shown to anyone.

The public pages are the busiest in the service (a QR code on a canteen poster), so each read here is one
query with what its page shows joined in, and none of them ever touches a person.

The two reads every activity page makes (the unit, and what of the activity may have changed) are plain SQL:
building an ORM query costs about twenty times running it, and the activity page must serve at least half the
requests a bare Django view does. They are fixed statements over a few columns, portable across SQLite and
PostgreSQL (the parameters are adapted by the backend).
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from learningdesk.learning.models import Activity, Session, SignUp
from learningdesk.org.models import OrgUnit, Workplace

# A feed shows the last month too, so a session someone went to does not vanish from their calendar at once.
CALENDAR_PAST_DAYS = 30
CALENDAR_MAX_EVENTS = 2000
# More workplaces than this make a select nobody can use on a phone: the form asks for text instead.
MAX_WORKPLACE_CHOICES = 300


@dataclass(frozen=True)
class PublicUnit:
    """What the public pages need of a unit: its name, and its path for its subtree."""

    pk: int
    code: str
    name: str
    path: str


UNIT_SQL = f"SELECT id, code, name, path FROM {OrgUnit._meta.db_table} WHERE code = %s AND is_active = %s"  # noqa: S608 (table name from the model)

# Everything about an activity's page that changes from one moment to the next: whether it is a published one
# of the unit's subtree, when it was last edited, and its upcoming sessions with their places. The cached page
# is kept under its hash. One statement, the unit found by its code in it (`||` joins strings in both SQLite
# and PostgreSQL; unit paths are base-36 digits and letters, so nothing in them is a LIKE wildcard).
ACTIVITY_STATE_SQL = f"""
SELECT u.id, a.updated_at, s.id, s.starts_at, s.ends_at, s.time_zone, s.venue, s.workplace_id, s.room_id,
       s.address, s.capacity, s.taken
FROM {Activity._meta.db_table} a
JOIN {OrgUnit._meta.db_table} u ON u.code = %s AND u.is_active = %s
JOIN {OrgUnit._meta.db_table} owner ON owner.id = a.unit_id AND owner.path LIKE u.path || '%%'
LEFT JOIN {Session._meta.db_table} s ON s.activity_id = a.id AND s.is_cancelled = %s AND s.starts_at > %s
WHERE a.id = %s AND a.status = %s
ORDER BY s.starts_at, s.id
"""  # noqa: S608 (table names from the models; values are parameters)


# How long an activity's public page is served as it was, without reading the database (see views/public.py).
RECENT_PAGE_SECONDS = 5


def recent_page_key(activity_id: int) -> str:
    return f"learn:activity-page:{activity_id}"


def forget_activity_page(activity_id: int) -> None:
    """Make the next visitor's page of the activity be read afresh (after a change to it, a session or a place)."""
    cache.delete(recent_page_key(activity_id))


def public_unit(code: str) -> PublicUnit:
    """The active unit with this code (codes are stored in capitals; the URL may be in any case), or 404."""
    with connection.cursor() as cursor:
        cursor.execute(UNIT_SQL, [code.upper(), True])
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such unit")
    return PublicUnit(*row)


def activity_state(code: str, pk: int) -> tuple[int, str] | None:
    """The unit's id and a fingerprint of what the activity's public page shows that can change (edits,
    sessions, places taken), or None if it is not a published activity of the active unit's subtree."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(ACTIVITY_STATE_SQL, [code.upper(), True, False, now, pk, Activity.Status.PUBLISHED.value])
        rows = cursor.fetchall()
    if not rows:
        return None
    return rows[0][0], hashlib.blake2b(repr(rows).encode(), digest_size=12).hexdigest()


def _published_in(unit: OrgUnit | PublicUnit) -> QuerySet[Activity]:
    return Activity.objects.filter(status=Activity.Status.PUBLISHED, unit__path__startswith=unit.path)


def upcoming_sessions(now: datetime.datetime | None = None) -> QuerySet[Session]:
    """Sessions not cancelled and not yet started, soonest first, with what `Session.place` reads."""
    return (
        Session.objects.filter(is_cancelled=False, starts_at__gt=now or timezone.now())
        .select_related("workplace", "room__centre")
        .order_by("starts_at", "pk")
    )


def unit_activities(unit: PublicUnit) -> QuerySet[Activity]:
    """Published activities of the unit's subtree that have an upcoming session, the soonest first.

    Each carries `next_starts_at` and, once a page of them is read, `upcoming` (its upcoming sessions).
    """
    now = timezone.now()
    upcoming = upcoming_sessions(now).filter(activity=OuterRef("pk"))
    return (
        _published_in(unit)
        .filter(Exists(upcoming))
        .annotate(next_starts_at=Subquery(upcoming.values("starts_at")[:1]))
        .select_related("type", "subject")
        .prefetch_related(Prefetch("sessions", queryset=upcoming_sessions(now), to_attr="upcoming"))
        .order_by("next_starts_at", "pk")
    )


def public_activity(unit: PublicUnit, pk: int) -> Activity:
    """A published activity of the unit's subtree with its upcoming sessions (`upcoming`), or 404."""
    activity = (
        _published_in(unit)
        .select_related("type", "subject", "provider")
        .prefetch_related(Prefetch("sessions", queryset=upcoming_sessions(), to_attr="upcoming"))
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise Http404("No such activity")
    return activity


def public_session(unit: PublicUnit, pk: int) -> Session:
    """A session of a published activity of the unit's subtree (cancelled or past ones too: the page says
    it is closed), or 404."""
    session = (
        Session.objects.filter(
            pk=pk, activity__status=Activity.Status.PUBLISHED, activity__unit__path__startswith=unit.path
        )
        .select_related("activity__unit", "activity__type", "workplace", "room__centre")
        .first()
    )
    if session is None:
        raise Http404("No such session")
    return session


def calendar_sessions(unit: PublicUnit) -> QuerySet[Session]:
    """The sessions of the unit's feed: published activities of its subtree, from a month ago onwards.
    Cancelled sessions stay in (as cancelled events), so subscribers' calendars drop them."""
    since = timezone.now() - datetime.timedelta(days=CALENDAR_PAST_DAYS)
    return (
        Session.objects.filter(
            activity__status=Activity.Status.PUBLISHED,
            activity__unit__path__startswith=unit.path,
            starts_at__gte=since,
        )
        .select_related("activity", "workplace", "room__centre")
        .order_by("starts_at", "pk")[:CALENDAR_MAX_EVENTS]
    )


def workplace_choices(unit: OrgUnit | PublicUnit) -> list[Workplace] | None:
    """The workplaces of the branches in the unit's subtree, by name (names only are read: this is public),
    or None when there are too many to choose from."""
    workplaces = list(
        Workplace.objects.filter(branch__path__startswith=unit.path)
        .only("pk", "name")
        .order_by("name", "pk")[: MAX_WORKPLACE_CHOICES + 1]
    )
    return workplaces if len(workplaces) <= MAX_WORKPLACE_CHOICES else None


def signed_up_today(session: Session, *, source: str) -> int:
    """How many people were signed up for the session today from this source (stall mode's running count)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return SignUp.objects.filter(session=session, source=source, created_at__gte=start).count()


def sign_up_for_token(pk: int) -> SignUp:
    """The sign-up a signed link names, with its session, or 404."""
    related = ("session__activity__unit", "session__workplace", "session__room__centre")
    found = SignUp.objects.select_related(*related).filter(pk=pk).first()
    if found is None:
        raise Http404("No such sign-up")
    return found
