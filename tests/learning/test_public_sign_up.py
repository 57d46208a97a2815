"""Signing up on the public page: places and the waiting list, consents, duplicates, mistakes and misuse."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from learningdesk.learning import tokens
from learningdesk.learning.models import JoinLead, Session, SignUp
from learningdesk.learning.views import public
from learningdesk.org.models import Consent, Person
from tests.learning import in_days, make_activity, make_session, sign_up


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def session(world) -> Session:
    return make_session(make_activity(world.derby, title="Maths for work"), capacity=2)


def thanks(record: SignUp) -> str:
    """Our own "you're booked" page (the learner is sent to the page to manage their sign-up where there is one)."""
    return reverse("learn:signed_up", kwargs={"token": tokens.make(tokens.SIGN_UP, record.pk)})


def without_per_request_values(html: str) -> str:
    return re.sub(r'(X-CSRFToken": "|nonce="|name="csrfmiddlewaretoken" value=")[^"]+', r"\1-", html)


def url(session: Session, code: str = "em-derby") -> str:
    return reverse("learn:sign_up", kwargs={"code": code, "session_pk": session.pk})


def form(**changes) -> dict:
    data = {
        "first_name": "Sam",
        "last_name": "Learner",
        "email": "sam@example.org",
        "phone": "",
        "workplace": "",
        "workplace_text": "",
        "says_member": "not_sure",
        "membership_number": "",
        "access_needs": "",
        "website": "",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def test_the_form_shows_the_session_and_the_units_workplaces_only(world, client, session):
    page = client.get(url(session)).content.decode()
    assert "Maths for work" in page
    assert "Committee Room 2, Council House, Derby" in page
    assert "Council House" in page and "Stores Road Depot" in page
    assert "Queen&#x27;s Medical Centre" not in page and "Queen's Medical Centre" not in page
    assert "How we use your details" in page
    for consent in ("Contact me about learning", "interested in joining the union", "becoming a ULR"):
        assert consent in page


def test_signing_up_books_a_place_and_shows_you_are_booked(world, client, session):
    response = client.post(url(session), form(workplace=str(world.depot.pk), access_needs="Step-free access"))
    record = SignUp.objects.get(session=session)
    assert response.status_code == 302
    assert tokens.read(tokens.SIGN_UP, response["Location"].rstrip("/").rsplit("/", 1)[-1]) == record.pk
    assert record.status == SignUp.Status.CONFIRMED
    assert record.source == SignUp.Source.PUBLIC
    assert record.given_workplace == "Stores Road Depot"
    assert record.access_needs == "Step-free access"
    assert record.person.status == Person.Status.NON_MEMBER
    assert record.person.workplace == world.depot
    session.refresh_from_db()
    assert session.taken == 1
    assert client.get(response["Location"]).status_code == 200
    page = client.get(thanks(record)).content.decode()
    assert "You’re booked" in page
    assert "Maths for work" in page


def test_when_the_session_is_full_you_join_the_waiting_list(world, client, session):
    sign_up(session, email="a@example.org")
    sign_up(session, email="b@example.org")
    assert "Join the waiting list" in client.get(url(session)).content.decode()
    response = client.post(url(session), form())
    record = SignUp.objects.get(given_email="sam@example.org")
    assert record.status == SignUp.Status.WAITLISTED
    assert client.get(response["Location"]).status_code == 200
    assert "You’re on the waiting list" in client.get(thanks(record)).content.decode()


def test_a_known_person_gets_exactly_the_answer_a_new_person_gets(world, client, session):
    """Nothing on the page tells a visitor that the email belongs to someone already on Learning Desk."""
    maria = world.derby_person
    known = client.post(url(session), form(first_name="Ann", last_name="Other", email=maria.email))
    other = make_session(session.activity, starts=session.starts_at, capacity=2)
    new = client.post(url(other), form(first_name="Ann", last_name="Other", email="ann.other@example.org"))
    assert SignUp.objects.get(session=session).person == maria  # matched...
    assert maria.first_name == Person.objects.get(pk=maria.pk).first_name  # ...and left unchanged
    assert known.status_code == new.status_code == 302

    def pages(response, record_session):
        record = SignUp.objects.get(session=record_session)
        # The token in the link (signed with a timestamp: one made now may differ by a second) is this sign-up's.
        token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
        assert tokens.read(tokens.SIGN_UP, token) == record.pk
        html = [client.get(link).content.decode() for link in (response["Location"], thanks(record))]
        return [
            without_per_request_values(page.replace(token, "TOKEN")).replace(f"/{record_session.pk}/", "/N/")
            for page in html
        ]

    assert pages(known, session) == pages(new, other)
    assert not any("Alberts" in page for page in pages(known, session))


def test_each_consent_is_recorded_with_its_time_and_source(world, client, session):
    client.post(url(session), form(says_member="no", consent_learning="on", consent_join="on"))
    person = SignUp.objects.get(session=session).person
    consents = {consent.kind: consent for consent in person.consents.all()}
    assert set(consents) == {Consent.Kind.LEARNING_NEWS, Consent.Kind.JOIN_UNION}
    assert all(consent.given and consent.method == Consent.Method.ONLINE for consent in consents.values())
    assert "Maths for work" in consents[Consent.Kind.LEARNING_NEWS].source
    assert JoinLead.objects.filter(person=person).exists()


def test_no_box_ticked_records_no_consent(world, client, session):
    client.post(url(session), form())
    assert not SignUp.objects.get(session=session).person.consents.exists()


def test_a_second_sign_up_is_explained_without_saying_anything_else(world, client, session):
    client.post(url(session), form())
    response = client.post(url(session), form(first_name="Someone", last_name="Else"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "already signed up for this session (confirmed)" in page
    assert "Your confirmation email has a link to change or cancel" in page
    assert SignUp.objects.filter(session=session).count() == 1


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"first_name": ""}, "Enter your first name"),
        ({"last_name": ""}, "Enter your last name"),
        ({"email": "", "phone": ""}, "Enter your email address or mobile number"),
        ({"email": "not-an-email"}, "Enter an email address like name@example.com"),
        ({"email": "", "phone": "call me"}, "Enter a mobile number, like 07700 900 982"),
        ({"says_member": None}, "Select whether you are a member of the union"),
    ],
)
def test_mistakes_are_explained_next_to_the_field_and_nothing_is_saved(world, client, session, changes, message):
    response = client.post(url(session), form(**changes))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "govuk-error-summary" in page
    assert not SignUp.objects.exists()


def test_a_mobile_number_alone_is_enough(world, client, session):
    client.post(url(session), form(email="", phone="07700 900982"))
    assert SignUp.objects.get(session=session).given_phone == "07700 900982"


def test_a_form_filled_in_by_a_robot_is_not_taken(world, client, session):
    response = client.post(url(session), form(website="http://spam.example"))
    assert response.status_code == 200
    assert "could not take this sign-up" in response.content.decode()
    assert not SignUp.objects.exists()


def test_too_many_sign_ups_from_one_address_are_paused(world, client, session):
    big = make_session(session.activity, capacity=100)
    for number in range(public.SIGN_UPS_PER_ADDRESS):
        assert client.post(url(big), form(email=f"person{number}@example.org")).status_code == 302
    response = client.post(url(big), form(email="one.more@example.org"))
    assert response.status_code == 429
    assert "try again in 10 minutes" in response.content.decode()
    assert SignUp.objects.filter(session=big).count() == public.SIGN_UPS_PER_ADDRESS
    other_address = client.post(url(big), form(email="elsewhere@example.org"), REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 302


def test_a_session_that_has_started_or_was_cancelled_cannot_be_signed_up_for(world, client, session):
    started = make_session(session.activity, starts=in_days(0, hour=0))
    cancelled = make_session(session.activity, is_cancelled=True)
    for closed in (started, cancelled):
        page = client.get(url(closed)).content.decode()
        assert "You can no longer sign up for this date" in page
        assert client.post(url(closed), form()).status_code == 200
    assert not SignUp.objects.exists()


def test_a_session_of_a_draft_or_another_units_activity_is_not_found(world, client, session):
    draft = make_session(make_activity(world.derby, status="draft"))
    notts = make_session(make_activity(world.notts))
    assert client.get(url(draft)).status_code == 404
    assert client.get(url(notts)).status_code == 404
    assert client.post(url(notts), form()).status_code == 404
    assert not SignUp.objects.exists()


def test_a_tampered_link_to_the_thank_you_page_does_not_work(world, client, session):
    response = client.get(reverse("learn:signed_up", kwargs={"token": "1:tampered"}))
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
