"""The sign-up services: places, the waiting list, matching people and recording what they ticked."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from learningdesk.learning import follow_ups, signups
from learningdesk.learning.models import JoinLead, Session, SignUp
from learningdesk.org.models import Consent, Person
from learningdesk.reps.models import Method, Rep
from tests.learning import make_activity, make_session, sign_up
from tests.reps import rep_kind


@pytest.fixture
def session(world) -> Session:
    return make_session(make_activity(world.derby), capacity=2)


def test_places_are_confirmed_until_full_then_the_waiting_list_starts(world, session):
    first = sign_up(session, email="a@example.org", first="Ann")
    second = sign_up(session, email="b@example.org", first="Ben")
    third = sign_up(session, email="c@example.org", first="Cat")
    assert [first.status, second.status, third.status] == ["confirmed", "confirmed", "waitlisted"]
    session.refresh_from_db()
    assert session.taken == 2
    assert session.is_full


def test_a_cancelled_place_is_offered_to_the_first_in_the_queue_and_held_until_it_lapses(world, session):
    first = sign_up(session, email="a@example.org")
    sign_up(session, email="b@example.org")
    waiting = sign_up(session, email="c@example.org")
    later = sign_up(session, email="d@example.org")
    signups.cancel(first)
    waiting.refresh_from_db()
    later.refresh_from_db()
    assert waiting.status == SignUp.Status.OFFERED
    assert waiting.offer_expires_at <= session.starts_at
    assert later.status == SignUp.Status.WAITLISTED
    session.refresh_from_db()
    assert session.taken == 2  # the offered place is held

    assert signups.expire_offers(now=waiting.offer_expires_at + datetime.timedelta(seconds=1)) == 1
    waiting.refresh_from_db()
    later.refresh_from_db()
    assert waiting.status == SignUp.Status.EXPIRED
    assert later.status == SignUp.Status.OFFERED
    signups.accept_offer(later)
    later.refresh_from_db()
    assert later.status == SignUp.Status.CONFIRMED
    with pytest.raises(ValidationError, match=r"lapsed|no longer open"):
        signups.accept_offer(waiting)


def test_signing_up_twice_is_caught(world, session):
    sign_up(session, world.derby_person)
    with pytest.raises(signups.DuplicateSignUp):
        sign_up(session, email=world.derby_person.email.upper(), first="Someone", last="Else")


def test_an_existing_person_is_matched_by_email_or_number_and_never_changed(world, session):
    world.derby_person.membership_number = "D12345"
    world.derby_person.save()
    record = sign_up(session, first="M", last="Typo", email="", membership_number="D12345")
    assert record.person == world.derby_person
    world.derby_person.refresh_from_db()
    assert world.derby_person.last_name == "Alberts"
    assert record.given_name == "M Typo"
    assert record.was_member is True


def test_a_stranger_becomes_a_non_member_contact_with_the_consents_they_ticked(world, session):
    kinds = {Consent.Kind.LEARNING_NEWS, Consent.Kind.JOIN_UNION, Consent.Kind.BECOME_REP}
    rep_kind("ulr")
    record = sign_up(session, email="new@example.org", first="Nell", last="New", consents=kinds)
    person = record.person
    assert person.status == Person.Status.NON_MEMBER
    assert person.branch == world.derby
    assert {c.kind for c in person.consents.all() if c.is_active} == kinds
    assert all("Maths for work" in c.source and c.method == "online" for c in person.consents.all())
    lead = JoinLead.objects.get(person=person)
    assert lead.source == JoinLead.Source.SIGN_UP and lead.unit == world.derby
    prospect = Rep.objects.get(person=person)
    assert prospect.method == Method.SIGN_UP


def test_unticked_consents_record_nothing(world, session):
    record = sign_up(session, email="quiet@example.org")
    assert not record.person.consents.exists()


def test_capacity_cannot_drop_below_the_places_taken(world, session):
    sign_up(session, email="a@example.org")
    sign_up(session, email="b@example.org")
    with pytest.raises(ValidationError, match="already taken"):
        signups.change_capacity(session, 1)
    waiting = sign_up(session, email="c@example.org")
    signups.change_capacity(session, 3)
    waiting.refresh_from_db()
    assert waiting.status == SignUp.Status.OFFERED


def test_a_session_that_has_started_takes_no_sign_ups_but_takes_walk_ins(world):
    session = make_session(make_activity(world.derby), starts=timezone.now() - datetime.timedelta(minutes=5))
    with pytest.raises(signups.SessionClosed):
        sign_up(session, email="late@example.org")
    walk_in = sign_up(session, email="walkin@example.org", source=SignUp.Source.WALK_IN)
    assert walk_in.status == SignUp.Status.ATTENDED


def test_an_evaluation_asking_to_be_a_ulr_adds_a_prospect_once(world, session):
    rep_kind("ulr")
    record = sign_up(session, world.derby_person)
    evaluation = record.__class__.evaluation.related.related_model.objects.create(
        sign_up=record, rating=5, wants_to_be_ulr=True
    )
    follow_ups.from_evaluation(evaluation)
    follow_ups.from_evaluation(evaluation)
    prospect = Rep.objects.get(person=world.derby_person)
    assert prospect.method == Method.COURSE_EVALUATION
