"""Helpers for the reports' tests (issue 11)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from learningdesk.learning.models import Session, SignUp
from learningdesk.org.models import Person
from learningdesk.reps.models import Rep, Stage
from tests.reps import rep_kind

# Measures and targets (part A): records made directly, with the dates a test needs, past or future. -------------


def aware(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    """`day` at `hour`:`minute`, London time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def learner_sign_up(
    session: Session,
    person: Person,
    *,
    status: str = SignUp.Status.ATTENDED,
    created_at: datetime.datetime | None = None,
    was_member: bool = True,
) -> SignUp:
    """A sign-up as it stands after the session (attended unless told otherwise), made on `created_at`."""
    return SignUp.objects.create(
        session=session,
        person=person,
        status=status,
        source=SignUp.Source.STAFF,
        was_member=was_member,
        created_at=created_at or session.starts_at - datetime.timedelta(days=7),
    )


def rep_record(person: Person, *, kind: str = "ulr", stage: str = Stage.ACTIVE, **dates: datetime.date | None) -> Rep:
    """A rep with the milestone dates given (agreed_on, trained_on, active_on, stood_down_on), at their workplace."""
    rep = Rep.objects.create(person=person, kind=rep_kind(kind), stage=stage, **dates)
    if person.workplace_id:
        rep.workplaces.add(person.workplace_id)
    return rep
