"""A person sees and corrects their own contact details and consents through a link sent to their email."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.core.logs import redact_path
from learningdesk.org.models import Consent, Person
from learningdesk.privacy import erasure, self_service
from tests.conftest import client_for
from tests.factories import PersonFactory

LINK = re.compile(r"http://\S+/my-details/(\S+)")


def _link_in(message: mail.EmailMessage) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return reverse("privacy_public:details", args=[match.group(1)])


def _form(person: Person, **changes: str) -> dict[str, str]:
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "phone": person.phone,
        "preferred_language": person.preferred_language,
    }
    return data | changes


# A co-ordinator sends the link ----------------------------------------------------------------------


def test_a_coordinator_sends_the_person_a_link_that_opens_their_details(world, django_capture_on_commit_callbacks):
    maria = world.derby_person
    client = client_for(world.coordinator)

    assert "maria" in client.get(reverse("privacy:send_link", args=[maria.pk])).content.decode().lower()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:send_link", args=[maria.pk]))

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[maria.email]]
    assert mail.outbox[0].subject == "Check the details we hold about you"
    event = AuditEvent.objects.get(target_type="person", target_id=maria.pk, changes__has_key="self_service_link")
    assert event.actor == world.coordinator
    page = Client().get(_link_in(mail.outbox[0]))
    assert page.status_code == 200
    assert 'value="Alberts"' in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"
    assert page["Referrer-Policy"] == "same-origin"


def test_no_link_is_sent_to_a_person_without_an_email_address(world):
    person = PersonFactory(branch=world.derby, email="")
    client = client_for(world.coordinator)

    page = client.get(reverse("privacy:send_link", args=[person.pk])).content.decode()
    client.post(reverse("privacy:send_link", args=[person.pk]))

    assert "We have no email address" in page
    assert mail.outbox == []


# The person asks for it ----------------------------------------------------------------------------


def test_asking_for_a_link_answers_the_same_whether_or_not_we_hold_the_address(world):
    client = Client()
    known = client.post(reverse("privacy_public:request"), {"email": "Maria.Alberts@example.net"}, follow=True)
    unknown = client.post(reverse("privacy_public:request"), {"email": "nobody@example.net"}, follow=True)

    message = "If we hold your email address, we have sent you a link."
    assert message in known.content.decode() and message in unknown.content.decode()
    assert [m.to for m in mail.outbox] == [[world.derby_person.email]]


def test_a_person_on_record_twice_gets_a_link_to_each(world):
    PersonFactory(first_name="Maria", last_name="Alberts", email=world.derby_person.email, branch=world.notts)

    Client().post(reverse("privacy_public:request"), {"email": world.derby_person.email})

    assert len(mail.outbox) == 2
    assert _link_in(mail.outbox[0]) != _link_in(mail.outbox[1])


def test_asking_too_often_is_refused_with_a_message_next_to_the_field(world):
    client = Client()
    for _ in range(self_service.REQUESTS_PER_HOUR):
        client.post(reverse("privacy_public:request"), {"email": world.derby_person.email})

    response = client.post(reverse("privacy_public:request"), {"email": world.derby_person.email})

    assert response.status_code == 429
    assert 'id="id_email-error"' in response.content.decode()
    assert "too many links" in response.content.decode()
    assert len(mail.outbox) == self_service.REQUESTS_PER_HOUR


def test_a_badly_typed_address_gets_a_clear_message(world):
    response = Client().post(reverse("privacy_public:request"), {"email": "maria at example"})

    assert response.status_code == 200
    assert "Enter an email address in the correct format" in response.content.decode()


# The details page ---------------------------------------------------------------------------------------


@pytest.fixture
def maria_link(world) -> str:
    return reverse("privacy_public:details", args=[self_service.make_token(world.derby_person)])


def test_the_person_corrects_their_details_and_it_is_audited_as_their_own(world, maria_link):
    maria = world.derby_person

    response = Client().post(maria_link, _form(maria, last_name="Alberts-Smith", phone="01332 555000"), follow=True)

    assert "Your details are saved" in response.content.decode()
    maria.refresh_from_db()
    assert (maria.last_name, maria.phone) == ("Alberts-Smith", "01332 555000")
    assert set(maria.edited_fields.split()) >= {"last_name", "phone"}
    event = AuditEvent.objects.filter(target_type="person", target_id=maria.pk).first()
    assert event.actor is None
    assert event.changes == {"last_name": "changed", "phone": "changed", "self_service": "by the person themself"}


def test_the_person_gives_and_withdraws_consent_online(world, maria_link):
    maria = world.derby_person
    Consent.objects.create(person=maria, kind="newsletter", given=True, method="in_person")

    Client().post(maria_link, _form(maria, consent_newsletter="no", consent_learning_news="yes"))

    newsletter = Consent.objects.get(person=maria, kind="newsletter")
    assert newsletter.withdrawn_at is not None and not newsletter.is_active
    assert newsletter.method == "online" and newsletter.recorded_by is None
    news = Consent.objects.get(person=maria, kind="learning_news")
    assert news.is_active and news.method == "online"
    assert not Consent.objects.filter(person=maria, kind="join_union").exists()  # left unanswered: nothing recorded
    event = AuditEvent.objects.filter(target_type="person", target_id=maria.pk).first()
    assert event.changes["consent:newsletter"] == "withdrawn"
    assert event.changes["consent:learning_news"] == "given"


def test_the_page_shows_their_consents_as_they_stand(world, maria_link):
    Consent.objects.create(person=world.derby_person, kind="become_rep", given=True, method="in_person")

    page = Client().get(maria_link).content.decode()

    assert re.search(r'name="consent_become_rep" value="yes"[^>]*checked', page)


def test_bad_input_gets_a_message_next_to_the_field_and_saves_nothing(world, maria_link):
    maria = world.derby_person

    response = Client().post(maria_link, _form(maria, first_name="", phone="call me maybe"))

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_first_name-error"' in page and "Enter your first name" in page
    assert 'id="id_phone-error"' in page
    maria.refresh_from_db()
    assert maria.first_name == "Maria"


# A new email address ----------------------------------------------------------------------------------


def test_a_new_email_address_changes_only_when_confirmed_from_its_mailbox(world, maria_link):
    maria = world.derby_person
    client = Client()

    client.post(maria_link, _form(maria, email="maria.new@example.net"))

    maria.refresh_from_db()
    assert maria.email == "maria.alberts@example.net"
    assert [m.to for m in mail.outbox] == [["maria.new@example.net"]]
    confirm = re.search(r"http://\S+(/my-details/confirm-email/\S+)", mail.outbox[0].body).group(1)
    assert "Confirm your new email address" in client.get(confirm).content.decode()
    maria.refresh_from_db()
    assert maria.email == "maria.alberts@example.net"  # opening the link (as a mail scanner does) changes nothing

    response = client.post(confirm)

    maria.refresh_from_db()
    assert maria.email == "maria.new@example.net"
    assert client.get(response["Location"]).status_code == 200  # on to a link made for the new address
    assert client.get(maria_link).status_code == 404  # links made for the old address stop working
    assert client.post(confirm).status_code == 404


def test_links_stop_working_when_they_expire(world, monkeypatch):
    eight_days_ago = time.time() - 8 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: eight_days_ago)
    old_link = reverse("privacy_public:details", args=[self_service.make_token(world.derby_person)])
    monkeypatch.undo()

    response = Client().get(old_link)

    assert response.status_code == 404
    assert "Ask for a new link" in response.content.decode()


def test_a_link_altered_by_hand_does_not_work(world, maria_link):
    other = reverse("privacy_public:details", args=[self_service.make_token(world.notts_person)])
    token = maria_link.rsplit("/", 1)[1]
    forged = signing.dumps([world.notts_person.pk, token], salt="something-else")

    assert Client().get(maria_link[:-3] + "abc").status_code == 404
    assert Client().get(reverse("privacy_public:details", args=[forged])).status_code == 404
    assert Client().get(other).status_code == 200


def test_an_anonymised_persons_link_stops_working(world, maria_link):
    erasure.anonymise(acting_user=world.coordinator, person=world.derby_person)

    assert Client().get(maria_link).status_code == 404


def test_the_request_log_never_holds_a_link(world):
    token = self_service.make_token(world.derby_person)
    confirm = self_service.make_confirm_token(world.derby_person, "maria.new@example.net")

    for path in (
        reverse("privacy_public:details", args=[token]),
        reverse("privacy_public:confirm_email", args=[confirm]),
    ):
        assert redact_path(path).endswith("/<redacted>")
        assert token not in redact_path(path) and confirm not in redact_path(path)
