"""Capacity holds when many people take the last places at once: real threads, each with its own database
connection, released together by a barrier. Runs on whichever database DATABASE_URL names (SQLite by
default, PostgreSQL in CI), so the conditional UPDATE is proven on both.

On SQLite the test database lives in memory with a shared cache, whose table locks fail at once ("database
table is locked") instead of waiting as a real database file does. These tests copy it to a file, so they
run against SQLite as the service runs it: a file in WAL mode, BEGIN IMMEDIATE, a busy timeout.
"""

from __future__ import annotations

import datetime
import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, connections

from learningdesk.learning import signups
from learningdesk.learning.models import PLACE_HOLDING, Session, SignUp
from tests.factories import PersonFactory, unit
from tests.learning import details, make_activity, make_session

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

THREADS = 10


@pytest.fixture(scope="module", autouse=True)
def database_in_a_file(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[None]:
    """Point every connection (this thread's and the workers') at a file copy of an in-memory SQLite test
    database for this module's tests; PostgreSQL and file databases are used as they are."""
    with django_db_blocker.unblock():
        memory = connections["default"]
        if memory.vendor != "sqlite" or not memory.is_in_memory_db():
            yield
            return
        memory.ensure_connection()
        path = tmp_path_factory.mktemp("concurrency") / "learning.sqlite3"
        copy = sqlite3.connect(path)
        memory.connection.backup(copy)
        copy.close()
        original = connections.settings["default"]
        connections.settings["default"] = {**original, "NAME": str(path)}
        connections["default"] = connections.create_connection("default")
        try:
            yield
        finally:
            connections["default"].close()
            connections.settings["default"] = original
            # The in-memory database lives on in `memory`'s open connection, which Django never closes.
            connections["default"] = memory


def at_once(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run each job in its own thread (and database connection), all released at the same moment.
    Returns each job's result, or the exception it raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except BaseException as error:  # reported to the test, which asserts on it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results


@pytest.fixture
def session() -> Session:
    branch = unit("Derby City", "EM-DERBY")
    return make_session(make_activity(branch), capacity=3)


def sign_up_job(session: Session, number: int) -> Callable[[], SignUp]:
    return lambda: signups.sign_up(
        session=session,
        details=details(first=f"Learner{number}", email=f"learner{number}@example.org"),
        source=SignUp.Source.PUBLIC,
    )


def assert_places_add_up(session: Session) -> None:
    session.refresh_from_db()
    holding = SignUp.objects.filter(session=session, status__in=PLACE_HOLDING).count()
    assert session.taken == holding
    assert session.taken <= session.capacity


def test_many_people_taking_the_last_places_at_once_never_exceed_capacity(session):
    results = at_once([sign_up_job(session, number) for number in range(THREADS)])

    errors = [result for result in results if isinstance(result, BaseException)]
    assert not errors, errors
    statuses = sorted(result.status for result in results)
    assert statuses.count(SignUp.Status.CONFIRMED) == 3
    assert statuses.count(SignUp.Status.WAITLISTED) == THREADS - 3
    session.refresh_from_db()
    assert session.taken == 3
    assert_places_add_up(session)
    # Everyone was told where they stand: 3 confirmations (with .ics), the rest their place in the queue.
    assert len(mail.outbox) == THREADS
    assert sum(1 for message in mail.outbox if message.attachments) == 3


def test_the_same_person_signing_up_twice_at_once_gets_one_place(session):
    person = PersonFactory(branch=session.activity.unit, email="maria@example.org")
    twice = [lambda: signups.sign_up(session=session, details=details(), source=SignUp.Source.STAFF, person=person)] * 2

    results = at_once(twice)

    made = [result for result in results if isinstance(result, SignUp)]
    duplicates = [result for result in results if isinstance(result, signups.DuplicateSignUp)]
    assert len(made) == 1 and len(duplicates) == 1, results
    assert SignUp.objects.filter(session=session).count() == 1
    assert_places_add_up(session)


def test_a_new_learner_pressing_sign_up_twice_at_once_gets_one_place(session):
    results = at_once([sign_up_job(session, 1), sign_up_job(session, 1)])

    made = [result for result in results if isinstance(result, SignUp)]
    assert len(made) == 1, results
    assert SignUp.objects.filter(session=session).count() == 1
    assert_places_add_up(session)


def fill_with_queue(session: Session, *, waiting: int) -> list[SignUp]:
    return [sign_up_job(session, number)() for number in range(session.capacity + waiting)]


def test_two_learners_cancelling_at_once_offer_their_places_to_the_next_two(session):
    everyone = fill_with_queue(session, waiting=3)
    first, second = everyone[0], everyone[1]

    results = at_once([lambda: signups.cancel(first), lambda: signups.cancel(second)])

    assert not [result for result in results if isinstance(result, BaseException)], results
    statuses = [SignUp.objects.get(pk=record.pk).status for record in everyone]
    assert statuses == ["cancelled", "cancelled", "confirmed", "offered", "offered", "waitlisted"]
    session.refresh_from_db()
    assert session.taken == 3
    assert_places_add_up(session)


def test_one_place_cancelled_twice_at_once_is_given_back_once(session):
    everyone = fill_with_queue(session, waiting=2)
    first = everyone[0]

    results = at_once([lambda: signups.cancel(first), lambda: signups.cancel(first)])

    assert sum(isinstance(result, SignUp) for result in results) == 1
    assert sum(isinstance(result, ValidationError) for result in results) == 1
    statuses = [SignUp.objects.get(pk=record.pk).status for record in everyone]
    assert statuses == ["cancelled", "confirmed", "confirmed", "offered", "waitlisted"]
    assert_places_add_up(session)


def test_accepting_an_offer_as_it_lapses_ends_one_way_or_the_other(session):
    everyone = fill_with_queue(session, waiting=2)
    signups.cancel(everyone[0])
    offered = SignUp.objects.get(pk=everyone[3].pk)
    assert offered.status == SignUp.Status.OFFERED
    # The lapse is judged at the offer's deadline; the learner clicks "accept" at the same moment.
    lapse_at = offered.offer_expires_at + datetime.timedelta(seconds=1)

    results = at_once([lambda: signups.accept_offer(offered), lambda: signups.expire_offers(now=lapse_at)])

    offered.refresh_from_db()
    following = SignUp.objects.get(pk=everyone[4].pk)
    if offered.status == SignUp.Status.CONFIRMED:  # accepted first: nothing left to lapse
        assert results[1] == 0
        assert following.status == SignUp.Status.WAITLISTED
    else:  # lapsed first: accepting says so, and the place went on
        assert offered.status == SignUp.Status.EXPIRED
        assert isinstance(results[0], ValidationError)
        assert following.status == SignUp.Status.OFFERED
    assert_places_add_up(session)
