"""The unsubscribe link: no login, never on GET, at once on POST (the button or a mail program's one-click),
idempotent, audited; an unknown link gets a helpful 404, and guessing links is stopped."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.comms import audience, personal_data
from learningdesk.comms.models import Recipient
from learningdesk.comms.public_views import BAD_TOKENS_PER_ADDRESS
from learningdesk.org.models import Consent
from tests.comms import derby_recipient, give_token, make_mailing


def url(token: str) -> str:
    return reverse("comms_public:unsubscribe", kwargs={"token": token})


def newsletter_consent(world) -> Consent:
    return Consent.objects.get(person=world.derby_person, kind=Consent.Kind.NEWSLETTER)


def test_opening_the_link_changes_nothing(world, client):
    token = give_token(derby_recipient(world))

    response = client.get(url(token))

    assert response.status_code == 200
    assert "Unsubscribe from our newsletters" in response.content.decode()
    assert newsletter_consent(world).is_active


def test_the_button_unsubscribes_at_once_and_once(world):
    recipient = derby_recipient(world)
    token = give_token(recipient)
    client = Client(enforce_csrf_checks=True)

    first = client.post(url(token))
    second = client.post(url(token))

    assert first.status_code == second.status_code == 200
    assert "You have unsubscribed" in second.content.decode()
    consent = newsletter_consent(world)
    assert consent.given and consent.withdrawn_at is not None
    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.UNSUBSCRIBED
    assert recipient.unsubscribed_at is not None
    events = AuditEvent.objects.filter(target_type="person", target_id=world.derby_person.pk, actor=None)
    assert events.count() == 1
    assert "You have unsubscribed" in client.get(url(token)).content.decode()  # no button any more


def test_the_next_mailing_of_that_kind_leaves_them_out(world, client):
    client.post(url(give_token(derby_recipient(world))))

    count = audience.count_audience(world.coordinator, make_mailing(world.derby, subject="Next"))

    assert count.receiving == 0
    assert count.no_consent == 2  # Maria, and Dev who never agreed


def test_an_unknown_link_gets_a_helpful_404(world, client):
    response = client.get(url("not-a-real-token"))

    assert response.status_code == 404
    page = response.content.decode()
    assert "We do not recognise this unsubscribe link" in page
    assert "reply to one of them" in page


def test_guessing_links_is_stopped(world, client):
    token = give_token(derby_recipient(world))
    for number in range(BAD_TOKENS_PER_ADDRESS):
        client.post(url(f"guess-{number}"))

    response = client.post(url(token))

    assert response.status_code == 429
    assert newsletter_consent(world).is_active


def test_the_link_of_an_erased_person_unsubscribes_nobody(world, client):
    recipient = derby_recipient(world)
    token = give_token(recipient)
    personal_data.erase(world.derby_person)

    assert client.post(url(token)).status_code == 404
