"""Helpers for the learning programme's tests: activities, sessions and sign-ups, built through the services."""

from __future__ import annotations

import datetime

from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.learning import signups
from learningdesk.learning.catalogue import ensure_catalogue
from learningdesk.learning.models import Activity, ActivityType, Session, SignUp, Subject
from learningdesk.org.models import OrgUnit, Person
from tests.conftest import World


def catalogue() -> None:
    """The migration's types and subjects (browser tests flush the database, taking them with it)."""
    ensure_catalogue(ActivityType, Subject)


def activity_type(name: str = "Functional skills") -> ActivityType:
    catalogue()
    return ActivityType.objects.get(name=name)


def subject(name: str = "Functional skills maths") -> Subject:
    catalogue()
    return Subject.objects.get(name=name)


def make_activity(
    unit: OrgUnit, *, title: str = "Maths for work", status: str = Activity.Status.PUBLISHED, **fields
) -> Activity:
    fields.setdefault("type", activity_type())
    fields.setdefault("subject", subject())
    fields.setdefault("description", "Brush up your maths in six friendly lunchtime sessions.")
    return Activity.objects.create(unit=unit, title=title, status=status, **fields)


def in_days(days: float, hour: int = 12) -> datetime.datetime:
    """An aware time `days` from now at `hour` o'clock, London time."""
    day = timezone.localdate() + datetime.timedelta(days=int(days))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def make_session(
    activity: Activity, *, starts: datetime.datetime | None = None, hours: float = 1, capacity: int = 10, **fields
) -> Session:
    starts = starts or in_days(7)
    fields.setdefault("venue", Session.Venue.ADDRESS)
    fields.setdefault("address", "Committee Room 2, Council House, Derby")
    return Session.objects.create(
        activity=activity,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=hours),
        capacity=capacity,
        **fields,
    )


def details(first: str = "Sam", last: str = "Learner", email: str = "sam@example.org", **fields) -> signups.Details:
    return signups.Details(first_name=first, last_name=last, email=email, **fields)


def sign_up(
    session: Session,
    person: Person | None = None,
    *,
    source: str = SignUp.Source.PUBLIC,
    by: User | None = None,
    **detail_fields,
) -> SignUp:
    """A sign-up through the service: for `person` if given, else for whoever the details match or a new contact."""
    if person is not None:
        detail_fields.setdefault("first", person.first_name)
        detail_fields.setdefault("last", person.last_name)
        detail_fields.setdefault("email", person.email)
    return signups.sign_up(
        session=session, details=details(**detail_fields), source=source, acting_user=by, person=person
    )


def derby_activity(world: World) -> Activity:
    """Derby's published "Maths for work", organised by the branch, with one session a week ahead."""
    existing = Activity.objects.filter(unit=world.derby, title="Maths for work").first()
    if existing is not None:
        return existing
    activity = make_activity(world.derby)
    make_session(activity, workplace=world.town_hall, venue="workplace", address="")
    return activity


def derby_session(world: World) -> Session:
    return derby_activity(world).sessions.first()  # type: ignore[return-value]


def derby_sign_up(world: World) -> SignUp:
    """Maria Alberts (Derby) confirmed at Derby's maths session."""
    session = derby_session(world)
    existing = SignUp.objects.filter(session=session, person=world.derby_person).first()
    return existing or sign_up(session, world.derby_person)
