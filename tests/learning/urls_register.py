"""URLs of learning/views/register.py, evaluation.py and leads.py for tests/test_every_url.py, and the Derby
records the register, outcome, evaluation and join-lead tests share."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from learningdesk.learning import signups, tokens
from learningdesk.learning.models import JoinLead, Outcome, Session, SignUp
from learningdesk.org.models import Person
from tests.conftest import World
from tests.factories import PersonFactory
from tests.learning import derby_activity, derby_sign_up, make_session, sign_up


def held_session(world: World, people: tuple[Person, ...] = (), *, ended_hours_ago: float = -0.5) -> Session:
    """A session of Derby's maths activity that started an hour and a half before it ends (by default it is
    on now, half an hour to go), with `people` booked while it was still ahead."""
    session = make_session(derby_activity(world), starts=timezone.now() + datetime.timedelta(days=1), hours=1.5)
    for person in people:
        sign_up(session, person)
    ends = timezone.now() - datetime.timedelta(hours=ended_hours_ago)
    Session.objects.filter(pk=session.pk).update(starts_at=ends - datetime.timedelta(hours=1.5), ends_at=ends)
    session.refresh_from_db()
    return session


def attended(record: SignUp) -> SignUp:
    return signups.mark_attendance(record, attended=True)


def derby_attended(world: World) -> SignUp:
    """Maria Alberts (Derby) attended Derby's maths session."""
    record = derby_sign_up(world)
    return record if record.status == SignUp.Status.ATTENDED else attended(record)


def derby_outcome(world: World) -> Outcome:
    record = derby_attended(world)
    return Outcome.objects.create(person=record.person, activity=record.session.activity, kind=Outcome.Kind.COMPLETED)


def non_member(world: World, first_name: str = "Nina", last_name: str = "Newcomer") -> Person:
    return PersonFactory(
        first_name=first_name,
        last_name=last_name,
        branch=world.derby,
        workplace=world.depot,
        status=Person.Status.NON_MEMBER,
        membership_number=None,
    )


def derby_lead(world: World) -> JoinLead:
    """A non-member at Derby's depot who asked about joining when signing up for maths."""
    return JoinLead.objects.create(
        person=non_member(world),
        unit=world.derby,
        activity=derby_activity(world),
        source=JoinLead.Source.SIGN_UP,
    )


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "learning:register": lambda w: {"pk": derby_sign_up(w).session_id},
    "learning:walk_in": lambda w: {"pk": derby_sign_up(w).session_id},
    "learning:sign_in_sheet": lambda w: {"pk": derby_sign_up(w).session_id},
    "learning:outcomes": lambda w: {"pk": derby_attended(w).session.activity_id},
    "learning:outcome_add": lambda w: {"pk": derby_attended(w).session.activity_id},
    "learning:outcomes_completed": lambda w: {"pk": derby_attended(w).session.activity_id},
    "learning:outcome_delete": lambda w: {"pk": derby_outcome(w).pk},
    "learning:evaluations": lambda w: {"pk": derby_activity(w).pk},
    "learning:lead_update": lambda w: {"pk": derby_lead(w).pk},
}
SCOPED_LISTS: set[str] = {"learning:leads"}
PUBLIC: set[str] = {"learn:evaluation"}
PUBLIC_ARGS: dict[str, Callable[[World], dict]] = {
    "learn:evaluation": lambda w: {"token": tokens.make(tokens.EVALUATION, derby_attended(w).pk)},
}
