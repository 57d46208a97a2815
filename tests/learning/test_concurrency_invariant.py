"""The places add up whatever learners and organisers do, in any order: hypothesis plays random sequences of
sign-ups, cancellations, offers lapsing and being accepted or declined, and capacity changes, and after each
step checks the session's counter against its sign-ups."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learningdesk.learning import signups
from learningdesk.learning.models import PLACE_HOLDING, Session, SignUp
from tests.factories import unit
from tests.learning import details, in_days, make_activity, make_session

PEOPLE = 5
OPERATIONS = ("sign_up", "cancel", "accept", "decline", "lapse", "capacity")
examples = itertools.count()


def live_sign_up(session: Session, person: int, example: int) -> SignUp | None:
    return (
        SignUp.objects.filter(session=session, given_email=email(person, example))
        .exclude(status__in=[SignUp.Status.CANCELLED, SignUp.Status.EXPIRED])
        .first()
    )


def email(person: int, example: int) -> str:
    return f"learner{person}.{example}@example.org"


def assert_invariant(session: Session) -> None:
    session.refresh_from_db()
    sign_ups = SignUp.objects.filter(session=session)
    assert session.taken == sign_ups.filter(status__in=PLACE_HOLDING).count()
    assert session.taken <= session.capacity
    # A free place never sits idle while someone waits for it: it was offered to the head of the queue.
    if session.taken < session.capacity:
        assert not sign_ups.filter(status=SignUp.Status.WAITLISTED).exists()
    # Offers go in queue order: nobody still waiting signed up before someone who was offered a place.
    offered = sign_ups.filter(status=SignUp.Status.OFFERED).order_by("created_at", "pk").last()
    if offered is not None:
        assert not sign_ups.filter(status=SignUp.Status.WAITLISTED, created_at__lt=offered.created_at).exists()


@pytest.fixture
def branch(db):
    return unit("Derby City", "EM-DERBY")


@pytest.mark.slow
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    capacity=st.integers(min_value=1, max_value=3),
    steps=st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(min_value=0, max_value=PEOPLE - 1)), max_size=25),
)
def test_places_always_add_up(branch, capacity, steps):
    example = next(examples)
    session = make_session(make_activity(branch), starts=in_days(60), capacity=capacity)
    clock = timezone.now()
    for operation, person in steps:
        current = live_sign_up(session, person, example)
        if operation == "sign_up":
            try:
                signups.sign_up(
                    session=session,
                    details=details(first=f"Learner{person}", email=email(person, example)),
                    source=SignUp.Source.PUBLIC,
                )
            except signups.DuplicateSignUp:
                assert current is not None
        elif operation == "cancel" and current is not None:
            signups.cancel(current)
        elif operation == "accept" and current is not None and current.status == SignUp.Status.OFFERED:
            signups.accept_offer(current)
        elif operation == "decline" and current is not None and current.status == SignUp.Status.OFFERED:
            signups.cancel(current)
        elif operation == "lapse":
            # A day and more later, but before the session: every open offer lapses and goes on.
            clock += datetime.timedelta(hours=25)
            signups.expire_offers(now=clock)
        elif operation == "capacity":
            try:
                signups.change_capacity(session, person + 1)
            except ValidationError:
                session.refresh_from_db()
                assert person + 1 < session.taken
        assert_invariant(session)
