"""A learner's record: what it holds, on the person's page and its own page for staff, and for the learner
through a link sent to their email (signed, expiring, rate-limited), with the PDF."""

from __future__ import annotations

import datetime
import re
import time
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from learningdesk.learning import records, tokens
from learningdesk.learning.models import Outcome, Session, SignUp
from learningdesk.org.models import Person
from tests.conftest import client_for
from tests.factories import PersonFactory
from tests.learning import in_days, make_activity, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The rate limits count in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


def signed_up(session: Session, person: Person, status: str = SignUp.Status.ATTENDED) -> SignUp:
    """A sign-up with its outcome already known (past sessions cannot be signed up for through the service)."""
    return SignUp.objects.create(session=session, person=person, status=status, source=SignUp.Source.STAFF)


def qualification(person: Person, activity, **fields) -> Outcome:
    fields.setdefault("qualification_name", "Functional Skills Mathematics")
    fields.setdefault("qualification_level", "2")
    fields.setdefault("awarding_body", "City & Guilds")
    fields.setdefault("achieved_on", datetime.date(2026, 10, 15))
    return Outcome.objects.create(person=person, activity=activity, kind=Outcome.Kind.QUALIFICATION, **fields)


@pytest.fixture
def maria_learning(world):
    """Maria Alberts: maths (two sessions attended, a qualification), a no-show at digital, booked for
    English next week, a cancelled first aid place; Dev Patel (same branch) at the maths too."""
    maths = make_activity(world.derby, title="Maths for work", qualification="Functional Skills Maths")
    first = make_session(maths, starts=in_days(-40, 12), hours=2)
    second = make_session(maths, starts=in_days(-33, 12), hours=1.5)
    digital = make_activity(world.derby, title="Digital basics")
    english = make_activity(world.derby, title="English for work")
    first_aid = make_activity(world.derby, title="First aid")
    signed_up(first, world.derby_person)
    signed_up(second, world.derby_person)
    signed_up(make_session(digital, starts=in_days(-10, 10)), world.derby_person, SignUp.Status.NO_SHOW)
    signed_up(make_session(english, starts=in_days(7, 12)), world.derby_person, SignUp.Status.CONFIRMED)
    signed_up(make_session(first_aid, starts=in_days(3, 9)), world.derby_person, SignUp.Status.CANCELLED)
    signed_up(first, world.depot_person)
    qualification(world.derby_person, maths)
    Outcome.objects.create(
        person=world.derby_person,
        activity=maths,
        kind=Outcome.Kind.PROGRESSION,
        progression=Outcome.Progression.BECAME_REP,
        achieved_on=datetime.date(2026, 11, 1),
    )
    qualification(world.depot_person, maths, qualification_name="Dev's certificate")
    return maths


# The record -------------------------------------------------------------------------------------


def test_the_record_holds_every_sign_up_with_what_became_of_it(world, maria_learning):
    record = records.learner_record(world.derby_person)
    assert [(entry.activity_title, entry.state) for entry in record.entries] == [
        ("English for work", records.BOOKED),
        ("First aid", records.CANCELLED),
        ("Digital basics", records.NO_SHOW),
        ("Maths for work", records.ATTENDED),
        ("Maths for work", records.ATTENDED),
    ]
    assert [entry.hours for entry in record.entries if entry.state == records.ATTENDED] == [
        Decimal("1.50"),
        Decimal("2.00"),
    ]


def test_the_totals_count_only_what_was_attended(world, maria_learning):
    record = records.learner_record(world.derby_person)
    assert record.activities_attended == 1  # two sessions of one activity
    assert record.hours == Decimal("3.50")
    assert record.qualification_count == 1


def test_the_record_has_qualifications_and_outcomes_but_nobody_elses(world, maria_learning):
    record = records.learner_record(world.derby_person)
    (maths,) = record.qualifications
    assert (maths.qualification_name, maths.get_qualification_level_display(), maths.awarding_body) == (
        "Functional Skills Mathematics",
        "Level 2 (GCSE grades 9-4)",
        "City & Guilds",
    )
    assert [outcome.kind for outcome in record.outcomes] == [Outcome.Kind.PROGRESSION, Outcome.Kind.QUALIFICATION]
    assert all(entry.sign_up.person_id == world.derby_person.pk for entry in record.entries)


def test_a_booked_place_at_a_cancelled_session_reads_cancelled(world):
    session = make_session(make_activity(world.derby), is_cancelled=True)
    signed_up(session, world.derby_person, SignUp.Status.CONFIRMED)
    (entry,) = records.learner_record(world.derby_person).entries
    assert (entry.state, entry.detail) == (records.CANCELLED, "Session cancelled")


def test_the_record_takes_two_queries_however_long(world, maria_learning, django_assert_num_queries):
    with django_assert_num_queries(2):
        record = records.learner_record(world.derby_person)
        [(entry.session.place, entry.session.activity.title) for entry in record.entries]
        [outcome.activity.title for outcome in record.outcomes]


# For staff --------------------------------------------------------------------------------------


def test_the_person_page_has_a_learning_section(world, maria_learning, coordinator_client):
    page = coordinator_client.get(reverse("org:person_detail", args=[world.derby_person.pk])).content.decode()
    assert 'id="learning-record-heading"' in page
    assert "Functional Skills Mathematics" in page
    assert "English for work" in page
    assert "Dev&#x27;s certificate" not in page and "Dev's certificate" not in page
    assert reverse("learning:person_record", args=[world.derby_person.pk]) in page
    assert "See the full record" in page


def test_the_person_page_says_what_to_expect_with_no_learning(world, coordinator_client):
    page = coordinator_client.get(reverse("org:person_detail", args=[world.derby_person.pk])).content.decode()
    assert "No learning yet" in page


def test_the_person_page_query_count_does_not_grow_with_the_record(
    world, maria_learning, coordinator_client, django_assert_max_num_queries
):
    url = reverse("org:person_detail", args=[world.derby_person.pk])
    coordinator_client.get(url)
    with django_assert_max_num_queries(20) as few:
        coordinator_client.get(url)
    for day in range(1, 16):  # fifteen more sessions and qualifications
        session = make_session(maria_learning, starts=in_days(-50 - day))
        signed_up(session, world.derby_person)
        qualification(world.derby_person, maria_learning, qualification_name=f"Certificate {day}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        coordinator_client.get(url)


def test_staff_see_the_full_record(world, maria_learning, coordinator_client):
    response = coordinator_client.get(reverse("learning:person_record", args=[world.derby_person.pk]))
    page = response.content.decode()
    assert "Learning record" in page
    for text in ("Maths for work", "Digital basics", "Did not come", "City &amp; Guilds", "Progression: became a rep"):
        assert text in page
    assert "Dev&#x27;s certificate" not in page


def test_a_ulr_sees_the_record_of_someone_at_their_workplace(world, maria_learning):
    response = client_for(world.ulr).get(reverse("learning:person_record", args=[world.derby_person.pk]))
    assert response.status_code == 200


def test_another_branch_cannot_see_the_record(world, maria_learning, outsider_client):
    for name in ("learning:person_record", "learning:person_record_pdf"):
        assert outsider_client.get(reverse(name, args=[world.derby_person.pk])).status_code == 404


def test_staff_get_the_record_as_a_pdf(world, maria_learning, coordinator_client):
    response = coordinator_client.get(reverse("learning:person_record_pdf", args=[world.derby_person.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert 'filename="learning-record-maria-alberts.pdf"' in response["Content-Disposition"]


# The learner's own link -------------------------------------------------------------------------


def ask_for_link(client, email: str, ip: str = "192.0.2.1"):
    return client.post(reverse("learn:record_request"), {"email": email}, REMOTE_ADDR=ip, follow=True)


def test_asking_for_a_link_emails_it_to_the_learner(world, client, maria_learning):
    response = ask_for_link(client, "  " + world.derby_person.email.upper())
    assert "If we hold a learning record for that address" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == [world.derby_person.email]
    assert message.subject == "Your learning record"
    token = tokens.make(tokens.RECORD, world.derby_person.pk)
    assert f"/learn/my-record/{token}/" in message.body
    html = message.alternatives[0][0]
    assert f"/learn/my-record/{token}/" in html


def test_each_person_with_that_email_gets_their_own_link(world, client):
    twin = PersonFactory(
        first_name="Maria", last_name="Alberts", email=world.derby_person.email.upper(), branch=world.notts
    )
    ask_for_link(client, world.derby_person.email)
    assert sorted(message.to[0].lower() for message in mail.outbox) == [world.derby_person.email.lower()] * 2
    # Each link carries a token for one of the two (tokens hold the time they were made: read them back).
    links = [re.search(r"/learn/my-record/([^/\s]+)/", message.body) for message in mail.outbox]
    people = {tokens.read(tokens.RECORD, link.group(1)) for link in links if link}
    assert people == {world.derby_person.pk, twin.pk}


def test_an_unknown_address_gets_the_same_answer_and_no_email(world, client):
    known = ask_for_link(client, world.derby_person.email)
    unknown = ask_for_link(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.content.decode().count("If we hold a learning record") == 1
    assert unknown.content.decode().count("If we hold a learning record") == 1
    assert len(mail.outbox) == 1


def test_a_bad_address_is_explained_next_to_the_field(client):
    response = client.post(reverse("learn:record_request"), {"email": "not an address"})
    page = response.content.decode()
    assert 'id="email-error"' in page or "govuk-error-message" in page
    assert "Enter an email address in the correct format" in page
    assert not mail.outbox


def test_one_address_cannot_be_sent_more_than_five_links_an_hour(world, client):
    for number in range(5):
        ask_for_link(client, world.derby_person.email, ip=f"192.0.2.{number + 1}")
    response = ask_for_link(client, world.derby_person.email, ip="198.51.100.7")
    assert response.status_code == 429
    assert "You have asked for too many links" in response.content.decode()
    assert len(mail.outbox) == 5


def test_one_visitor_cannot_ask_more_than_five_times_an_hour(world, client):
    for number in range(5):
        ask_for_link(client, f"someone{number}@example.org")
    response = ask_for_link(client, world.derby_person.email)
    assert response.status_code == 429
    assert not mail.outbox


def test_the_limit_lifts_after_an_hour(world, client):
    for _ in range(6):
        ask_for_link(client, world.derby_person.email)
    cache.clear()  # what an hour does to the counts
    assert ask_for_link(client, world.derby_person.email).status_code == 200


def test_the_link_shows_the_learners_own_record(world, client, maria_learning):
    token = tokens.make(tokens.RECORD, world.derby_person.pk)
    response = client.get(reverse("learn:record", args=[token]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your learning record" in page and "Maria Alberts" in page
    assert "Functional Skills Mathematics" in page and "Maths for work" in page
    assert "Dev&#x27;s certificate" not in page
    assert response["Cache-Control"] == "private, no-store"
    assert reverse("learn:record_pdf", args=[token]) in page


def test_the_learner_downloads_their_record_as_a_pdf(world, client, maria_learning):
    token = tokens.make(tokens.RECORD, world.derby_person.pk)
    response = client.get(reverse("learn:record_pdf", args=[token]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("attachment;")


def test_an_expired_link_offers_a_new_one(world, client):
    eight_days_ago = time.time() - tokens.RECORD_MAX_AGE - 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=eight_days_ago):
        token = tokens.make(tokens.RECORD, world.derby_person.pk)
    for name in ("learn:record", "learn:record_pdf"):
        response = client.get(reverse(name, args=[token]))
        assert response.status_code == 404
        page = response.content.decode()
        assert "This link no longer works" in page
        assert reverse("learn:record_request") in page
        assert "Alberts" not in page


def test_a_link_still_works_on_its_last_day(world, client):
    six_days_ago = time.time() - tokens.RECORD_MAX_AGE + 3600
    with mock.patch("django.core.signing.time.time", return_value=six_days_ago):
        token = tokens.make(tokens.RECORD, world.derby_person.pk)
    assert client.get(reverse("learn:record", args=[token])).status_code == 200


def test_a_tampered_link_is_not_found(world, client):
    token = tokens.make(tokens.RECORD, world.depot_person.pk)
    # Maria's id with the signature of Dev's link.
    forged = ":".join([tokens.make(tokens.RECORD, world.derby_person.pk).split(":")[0], *token.split(":")[1:]])
    for bad in (forged, token[:-2] + "xx", tokens.make(tokens.SIGN_UP, world.derby_person.pk)):
        response = client.get(reverse("learn:record", args=[bad]))
        assert response.status_code == 404
        assert "Alberts" not in response.content.decode()
