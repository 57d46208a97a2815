"""A unit's public newsletter archive: the sent mailings its co-ordinators chose to show, as they were sent,
without recipients, tokens or the unsubscribe link."""

from __future__ import annotations

from django.urls import reverse

from learningdesk.comms.models import Mailing
from tests.comms import derby_mailing, give_token, sent_mailing


def test_the_archive_lists_only_published_sent_mailings_of_the_unit(world, client):
    published = sent_mailing(world)
    derby_mailing(world)  # a draft
    Mailing.objects.create(unit=world.derby, subject="Private note", status=Mailing.Status.SENT)
    Mailing.objects.create(unit=world.notts, subject="Notts news", status=Mailing.Status.SENT, show_in_archive=True)

    page = client.get(reverse("comms_public:archive", args=[world.derby.pk])).content.decode()

    assert published.subject in page
    for hidden in ("Learning news: spring", "Private note", "Notts news"):
        assert hidden not in page


def test_a_newsletter_page_shows_what_was_sent_and_nothing_about_recipients(world, client):
    mailing = sent_mailing(world)
    token = give_token(mailing.recipients.get())

    response = client.get(reverse("comms_public:archive_mailing", args=[world.derby.pk, mailing.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Our spring programme is here." in page
    for private in (world.derby_person.email, world.derby_person.last_name, token, "unsubscribe", "Unsubscribe"):
        assert private not in page


def test_the_archive_shows_the_newsletter_as_it_was_sent(world, client):
    mailing = sent_mailing(world)
    block = mailing.blocks.get()
    block.text = "Changed after sending"
    block.save()

    page = client.get(reverse("comms_public:archive_mailing", args=[world.derby.pk, mailing.pk])).content.decode()

    assert "Our spring programme is here." in page
    assert "Changed after sending" not in page


def test_drafts_unpublished_and_other_units_newsletters_are_not_found(world, client):
    draft = derby_mailing(world)
    sent = sent_mailing(world)

    assert client.get(reverse("comms_public:archive_mailing", args=[world.derby.pk, draft.pk])).status_code == 404
    assert client.get(reverse("comms_public:archive_mailing", args=[world.notts.pk, sent.pk])).status_code == 404
    Mailing.objects.filter(pk=sent.pk).update(show_in_archive=False)
    assert client.get(reverse("comms_public:archive_mailing", args=[world.derby.pk, sent.pk])).status_code == 404
    assert client.get(reverse("comms_public:archive", args=[999999])).status_code == 404
