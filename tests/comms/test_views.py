"""The mailings pages: composing (details, audience, blocks), preview and send, and who may do what.

Co-ordinators of the mailing's unit compose and send; officers read; ULRs (and other branches) get 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.comms.models import Mailing, MailingBlock, Recipient
from tests.comms import agree, derby_mailing, make_mailing, queue, sent_mailing
from tests.conftest import client_for
from tests.factories import PersonFactory
from tests.learning import derby_activity


def test_a_coordinator_writes_a_mailing_from_start_to_send(
    world, coordinator_client, django_capture_on_commit_callbacks
):
    agree(world.derby_person)
    activity = derby_activity(world)

    response = coordinator_client.post(
        reverse("comms:add"),
        {"unit": world.derby.pk, "kind": "newsletter", "subject": "  Learning   news  ", "show_in_archive": "on"},
    )
    mailing = Mailing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("comms:detail", args=[mailing.pk])
    assert mailing.subject == "Learning news"
    assert mailing.created_by == world.coordinator

    response = coordinator_client.post(
        reverse("comms:audience", args=[mailing.pk]), {"audience_kind": "unit", "audience_unit": world.derby.pk}
    )
    assert response.status_code == 302
    response = coordinator_client.post(
        reverse("comms:block_add", args=[mailing.pk, "article"]), {"heading": "Spring", "text": "Hello **all**."}
    )
    assert response.status_code == 302
    response = coordinator_client.post(
        reverse("comms:block_add", args=[mailing.pk, "activities"]), {"heading": "", "activities": [activity.pk]}
    )
    assert response.status_code == 302
    assert list(mailing.blocks.values_list("kind", "order")) == [("article", 0), ("activities", 1)]

    page = coordinator_client.get(reverse("comms:detail", args=[mailing.pk])).content.decode()
    assert "will get it" in page
    assert "Maths for work" in page
    confirm = coordinator_client.get(reverse("comms:send", args=[mailing.pk])).content.decode()
    assert "Send to 1 person" in confirm
    assert "left out: not agreed" in confirm

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(reverse("comms:send", args=[mailing.pk]))
    assert response.status_code == 302
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    assert Recipient.objects.get(mailing=mailing).status == Recipient.Status.SENT
    assert AuditEvent.objects.filter(target_type="mailing", target_id=mailing.pk).count() >= 4


def test_bad_details_are_explained_next_to_the_field(world, coordinator_client):
    response = coordinator_client.post(
        reverse("comms:add"), {"unit": world.derby.pk, "kind": "newsletter", "subject": "   "}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'id="id_subject-error"' in page
    assert "Enter the email subject" in page
    assert not Mailing.objects.exists()


def test_a_coordinator_cannot_send_in_another_branchs_name(world, coordinator_client):
    response = coordinator_client.post(
        reverse("comms:add"), {"unit": world.notts.pk, "kind": "newsletter", "subject": "Hello"}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Mailing.objects.exists()


def test_the_audience_form_asks_for_what_the_kind_needs(world, coordinator_client):
    mailing = derby_mailing(world)

    response = coordinator_client.post(reverse("comms:audience", args=[mailing.pk]), {"audience_kind": "workplaces"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Select at least one workplace" in page
    assert 'id="id_audience_workplaces-error"' in page
    # Only Derby's workplaces are offered.
    assert "Council House" in page
    assert "Queen&#x27;s Medical Centre" not in page and "Queen's Medical Centre" not in page


def test_blocks_can_be_changed_moved_and_removed(world, coordinator_client):
    mailing = derby_mailing(world)
    first = mailing.blocks.get()
    second = MailingBlock.objects.create(mailing=mailing, kind="article", heading="Second", text="Two", order=1)

    coordinator_client.post(reverse("comms:block_move", args=[mailing.pk, second.pk]), {"direction": "up"})
    assert list(mailing.blocks.values_list("pk", flat=True)) == [second.pk, first.pk]

    coordinator_client.post(
        reverse("comms:block_edit", args=[mailing.pk, first.pk]), {"heading": "First", "text": "One"}
    )
    first.refresh_from_db()
    assert (first.heading, first.text) == ("First", "One")

    coordinator_client.post(reverse("comms:block_delete", args=[mailing.pk, second.pk]))
    assert list(mailing.blocks.values_list("pk", flat=True)) == [first.pk]


def test_an_empty_article_is_refused(world, coordinator_client):
    mailing = derby_mailing(world)

    response = coordinator_client.post(
        reverse("comms:block_add", args=[mailing.pk, "article"]), {"heading": "", "text": ""}
    )

    assert response.status_code == 200
    assert "Enter a heading for the article" in response.content.decode()
    assert mailing.blocks.count() == 1


def test_the_preview_shows_the_email_on_two_widths_in_frames_only_we_may_show(world, coordinator_client):
    mailing = derby_mailing(world)

    page = coordinator_client.get(reverse("comms:preview", args=[mailing.pk])).content.decode()
    email = coordinator_client.get(reverse("comms:preview_email", args=[mailing.pk]))

    email_url = reverse("comms:preview_email", args=[mailing.pk])
    assert page.count(f'<iframe src="{email_url}"') == 2
    assert 'width="360"' in page and 'width="640"' in page
    assert "Our spring programme is here." in page  # the plain text version
    assert email.status_code == 200
    assert "Our spring programme is here." in email.content.decode()
    assert email["X-Frame-Options"] == "SAMEORIGIN"
    policy = email["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy
    assert "default-src 'none'" in policy
    assert "sandbox" in policy


def test_nothing_to_say_or_nobody_to_send_to_stops_the_send(world, coordinator_client):
    mailing = make_mailing(world.derby, article=None)

    response = coordinator_client.post(reverse("comms:send", args=[mailing.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Add something to say" in page
    assert "Nobody in the audience has agreed" in page
    mailing.refresh_from_db()
    assert mailing.is_draft


def test_pressing_send_twice_sends_once(world, coordinator_client):
    agree(world.derby_person)
    mailing = derby_mailing(world)
    queue(mailing, world.coordinator)

    response = coordinator_client.post(reverse("comms:send", args=[mailing.pk]))

    assert response.status_code == 302  # back to the mailing, which says it has been sent
    assert Recipient.objects.filter(mailing=mailing).count() == 1


def test_a_sent_mailing_cannot_be_changed(world, coordinator_client):
    mailing = sent_mailing(world)

    for name in ("comms:edit", "comms:audience", "comms:delete", "comms:send"):
        response = coordinator_client.post(reverse(name, args=[mailing.pk]), {"subject": "Changed"})
        assert response.status_code == 302
        assert response["Location"] == reverse("comms:detail", args=[mailing.pk])
    mailing.refresh_from_db()
    assert mailing.subject == "Learning news: winter"


def test_an_officer_reads_but_does_not_write(world):
    officer = client_for(world.officer)
    mailing = derby_mailing(world)

    assert officer.get(reverse("comms:list")).status_code == 200
    assert officer.get(reverse("comms:detail", args=[mailing.pk])).status_code == 200
    assert officer.get(reverse("comms:preview", args=[mailing.pk])).status_code == 200
    assert officer.get(reverse("comms:add")).status_code == 404
    for name in ("comms:edit", "comms:audience", "comms:send", "comms:test", "comms:delete"):
        assert officer.post(reverse(name, args=[mailing.pk]), {"subject": "Changed"}).status_code == 404, name
    mailing.refresh_from_db()
    assert mailing.subject == "Learning news: spring"


@pytest.mark.parametrize("who", ["ulr", "outsider"])
def test_ulrs_and_other_branches_get_404(world, who):
    client = client_for(getattr(world, who))
    mailing = derby_mailing(world)

    assert client.get(reverse("comms:detail", args=[mailing.pk])).status_code == 404
    assert client.get(reverse("comms:preview_email", args=[mailing.pk])).status_code == 404
    if who == "ulr":
        assert client.get(reverse("comms:list")).status_code == 404
        assert client.get(reverse("comms:sent")).status_code == 404


def test_the_lists_take_a_fixed_number_of_queries(world, coordinator_client, django_assert_max_num_queries):
    agree(world.derby_person)
    for number in range(8):
        mailing = make_mailing(world.derby, subject=f"Newsletter {number}")
        if number % 2:
            queue(mailing, world.coordinator)

    with django_assert_max_num_queries(12):
        drafts = coordinator_client.get(reverse("comms:list"))
    page = drafts.content.decode()
    assert all(f"Newsletter {number}</a>" in page for number in range(8))


def test_the_recipients_list_takes_a_fixed_number_of_queries(world, coordinator_client, django_assert_max_num_queries):
    people = [PersonFactory(branch=world.derby) for _ in range(20)]
    for person in people:
        agree(person)
    mailing = make_mailing(world.derby)
    queue(mailing, world.coordinator)

    with django_assert_max_num_queries(12):
        response = coordinator_client.get(reverse("comms:recipients", args=[mailing.pk]))
    page = response.content.decode()
    assert all(person.last_name in page for person in people)
    assert "Waiting to be sent (20)" in page


def test_a_bounce_is_recorded_on_a_sent_message(world, coordinator_client):
    mailing = sent_mailing(world)
    recipient = mailing.recipients.get()

    coordinator_client.post(reverse("comms:recipient_bounced", args=[mailing.pk, recipient.pk]))

    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.BOUNCED
    page = coordinator_client.get(reverse("comms:detail", args=[mailing.pk])).content.decode()
    assert "bounced" in page


def test_the_sent_archive_lists_what_was_sent(world, coordinator_client):
    sent = sent_mailing(world)
    derby_mailing(world)

    page = coordinator_client.get(reverse("comms:sent")).content.decode()

    assert sent.subject in page
    assert "Learning news: spring" not in page


def test_mailings_are_in_the_navigation_for_coordinators_and_officers(world, coordinator_client):
    assert 'href="/mailings/"' in coordinator_client.get("/").content.decode()
    assert 'href="/mailings/"' not in client_for(world.ulr).get("/").content.decode()


def test_the_block_pages_say_whether_they_add_or_change(world, coordinator_client):
    mailing = derby_mailing(world)
    block = mailing.blocks.get()

    adding = coordinator_client.get(reverse("comms:block_add", args=[mailing.pk, "article"])).content.decode()
    changing = coordinator_client.get(reverse("comms:block_edit", args=[mailing.pk, block.pk])).content.decode()
    removing = coordinator_client.get(reverse("comms:block_delete", args=[mailing.pk, block.pk])).content.decode()

    assert "Add article</h1>" in adding and "Add to the mailing" in adding
    assert "Change article</h1>" in changing and "Our spring programme is here." in changing
    assert "Remove “Spring”?" in removing


def test_choosing_workplaces_saves_them_and_clears_the_rest(world, coordinator_client):
    mailing = derby_mailing(world)

    response = coordinator_client.post(
        reverse("comms:audience", args=[mailing.pk]),
        {"audience_kind": "workplaces", "audience_workplaces": [world.depot.pk], "audience_unit": world.derby.pk},
    )

    assert response.status_code == 302
    mailing.refresh_from_db()
    assert mailing.audience_kind == "workplaces"
    assert list(mailing.audience_workplaces.all()) == [world.depot]
    assert mailing.audience_unit is None
    page = coordinator_client.get(reverse("comms:audience", args=[mailing.pk])).content.decode()
    assert "(optional)" not in page.split("Members only")[0]
