"""Sending in batches at a limited rate, by a chain of background tasks that can be started again at any time
without anyone getting a message twice. The mail backend here keeps messages in memory (django.core.mail.outbox)."""

from __future__ import annotations

import datetime
import io
from collections import Counter

from django.core import mail
from django.core.management import call_command
from django.tasks import task_backends
from django.utils import timezone

from learningdesk.comms import sending, tasks
from learningdesk.comms.models import Mailing, Recipient
from learningdesk.org.models import Consent
from tests.comms import agree, make_mailing, queue
from tests.factories import PersonFactory


def members(world, count: int):
    people = [PersonFactory(branch=world.derby) for _ in range(count)]
    for person in people:
        agree(person)
    return people


def sent_to() -> Counter[str]:
    return Counter(address for message in mail.outbox for address in message.to)


def test_batches_follow_one_another_until_everyone_is_sent(world, settings, django_capture_on_commit_callbacks):
    settings.COMMS_BATCH_SIZE = 2
    people = members(world, 5)
    mailing = make_mailing(world.derby, by=world.coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        queue(mailing, world.coordinator)

    assert sent_to() == {person.email: 1 for person in people}
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    assert mailing.finished_at is not None


def test_one_batch_sends_at_most_the_batch_size(world, settings):
    settings.COMMS_BATCH_SIZE = 2
    members(world, 5)
    mailing = make_mailing(world.derby, by=world.coordinator)
    queue(mailing, world.coordinator)

    result = sending.send_batch(mailing.pk)

    assert result.sent == 2
    assert result.more_waiting
    assert len(mail.outbox) == 2


def test_the_rate_limit_defers_the_next_batch(world, settings):
    """With the database task backend (deferred tasks), the next batch is queued to start when the rate allows."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    settings.COMMS_BATCH_SIZE = 50
    settings.COMMS_RATE_PER_MINUTE = 2  # a batch is never more than a minute's worth
    members(world, 5)
    mailing = make_mailing(world.derby, by=world.coordinator)
    queue(mailing, world.coordinator)
    chain = Mailing.objects.get(pk=mailing.pk).sending_chain
    before = timezone.now()

    tasks.send_mailing_batch.call(mailing.pk, chain)

    assert len(mail.outbox) == 2
    queued = task_backends["default"].results
    assert len(queued) == 1
    assert queued[0].args == [mailing.pk, chain]
    assert queued[0].task.run_after >= before + datetime.timedelta(seconds=59)


def test_without_deferred_tasks_the_batch_waits_between_messages(world, settings, monkeypatch):
    settings.COMMS_RATE_PER_MINUTE = 120  # one every half a second
    members(world, 3)
    mailing = make_mailing(world.derby, by=world.coordinator)
    queue(mailing, world.coordinator)
    waits: list[float] = []
    monkeypatch.setattr(sending, "sleep", waits.append)

    sending.send_batch(mailing.pk)

    assert len(waits) == 3
    assert waits[0] == 0
    assert 0.4 < waits[2] <= 1.0


def test_a_newer_chain_stops_an_older_one(world):
    members(world, 2)
    mailing = make_mailing(world.derby, by=world.coordinator)
    queue(mailing, world.coordinator)

    result = sending.send_batch(mailing.pk, chain="an-old-chain")

    assert result.handled == 0
    assert not mail.outbox


def test_a_claimed_recipient_is_not_sent_by_anyone_else(world):
    members(world, 1)
    mailing = make_mailing(world.derby, by=world.coordinator)
    queue(mailing, world.coordinator)
    recipient = Recipient.objects.get(mailing=mailing)
    Recipient.objects.filter(pk=recipient.pk).update(status=Recipient.Status.SENDING, claimed_at=timezone.now())

    status = sending.send_one(None, mailing, sending.stored_body(mailing), recipient.pk)

    assert status == ""
    assert not mail.outbox


def test_someone_who_withdraws_after_queueing_is_not_sent_it(world):
    people = members(world, 2)
    mailing = make_mailing(world.derby, by=world.coordinator)
    queue(mailing, world.coordinator)
    agree(people[0], Consent.Kind.NEWSLETTER, withdrawn=True)

    sending.send_batch(mailing.pk)

    assert sent_to() == {people[1].email: 1}
    skipped = Recipient.objects.get(mailing=mailing, person=people[0])
    assert skipped.status == Recipient.Status.SKIPPED
    assert "withdrew" in skipped.error


def test_each_message_has_its_own_unsubscribe_link(world):
    members(world, 2)
    mailing = make_mailing(world.derby, by=world.coordinator)
    queue(mailing, world.coordinator)

    sending.send_batch(mailing.pk)

    links = {message.extra_headers["List-Unsubscribe"] for message in mail.outbox}
    assert len(links) == 2
    hashes = set(Recipient.objects.filter(mailing=mailing).values_list("unsubscribe_token_hash", flat=True))
    assert len(hashes) == 2 and None not in hashes
    for link in links:
        assert link.strip("<>").rsplit("/", 2)[-2] not in str(hashes)  # only a hash of the token is kept


def test_resume_mailings_starts_a_stalled_mailing_again(world, django_capture_on_commit_callbacks):
    people = members(world, 3)
    mailing = make_mailing(world.derby, by=world.coordinator)
    queue(mailing, world.coordinator)  # its first task never ran (a worker that died for good)
    Mailing.objects.filter(pk=mailing.pk).update(last_batch_at=timezone.now() - datetime.timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("resume_mailings", stdout=io.StringIO())

    assert sent_to() == {person.email: 1 for person in people}
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT


def test_resume_mailings_leaves_a_mailing_that_is_moving(world):
    members(world, 1)
    mailing = make_mailing(world.derby, by=world.coordinator)
    queue(mailing, world.coordinator)
    Mailing.objects.filter(pk=mailing.pk).update(last_batch_at=timezone.now())

    assert sending.resume_stalled() == 0


def test_the_resume_button_starts_a_new_chain(world, coordinator_client, django_capture_on_commit_callbacks):
    people = members(world, 2)
    mailing = make_mailing(world.derby, by=world.coordinator)
    queue(mailing, world.coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(f"/mailings/{mailing.pk}/resume/")

    assert response.status_code == 302
    assert sent_to() == {person.email: 1 for person in people}
