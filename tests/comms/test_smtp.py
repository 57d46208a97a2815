"""End to end through a real SMTP server: a newsletter to a consented audience arrives with both parts and the
RFC 8058 headers, its unsubscribe link works without a login, and the next newsletter does not reach that person.
A refused address fails alone; a crash part way resumes without sending anyone the same message twice."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.comms import sending
from learningdesk.comms.models import Mailing, MailingBlock, Recipient
from learningdesk.org.models import Consent, Person
from tests.comms import agree, make_mailing, queue, refuse
from tests.factories import PersonFactory
from tests.learning import derby_activity


def send_now(mailing, user, django_capture_on_commit_callbacks):
    """Press Send and let the background send run (the test task backend runs tasks at once)."""
    with django_capture_on_commit_callbacks(execute=True):
        queued = queue(mailing, user)
    mailing.refresh_from_db()
    return queued


def derby_members(world, count: int) -> list[Person]:
    people = [PersonFactory(branch=world.derby, workplace=world.town_hall) for _ in range(count)]
    for person in people:
        agree(person)
    return people


def unsubscribe_path(message) -> str:
    header = str(message["List-Unsubscribe"])
    url = header.split(",")[0].strip().strip("<>")
    assert url.startswith(settings.SITE_URL)
    return urlsplit(url).path


def test_a_newsletter_arrives_with_both_parts_and_one_click_unsubscribe(
    world, smtp, django_capture_on_commit_callbacks
):
    maria = world.derby_person
    agree(maria)
    refuse(world.depot_person)
    activity = derby_activity(world)
    mailing = make_mailing(world.derby, by=world.coordinator, subject="Learning news: spring")
    block = MailingBlock.objects.create(mailing=mailing, kind=MailingBlock.Kind.ACTIVITIES, order=5)
    block.activities.set([activity])

    queued = send_now(mailing, world.coordinator, django_capture_on_commit_callbacks)

    assert queued.recipients == 1
    assert queued.count.no_consent == 1  # Dev Patel said no
    assert mailing.status == Mailing.Status.SENT
    assert smtp.counts() == {maria.email: 1}
    message = smtp.to(maria.email)[0]
    assert message["To"] == maria.email
    assert message["Subject"] == "Learning news: spring"
    assert message["From"].addresses[0].display_name == "Derby City"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert str(message["List-Unsubscribe"]).strip().startswith(f"<{settings.SITE_URL}/m/unsubscribe/")
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    link = unsubscribe_path(message)
    for part in (text, html):
        assert link in part  # a visible unsubscribe link in the body too
        assert "Our spring programme is here." in part
        assert "Maths for work" in part
        # The sign-up link is the page's own address: no tracking, no rewriting.
        assert f"{settings.SITE_URL}/learn/em-derby/sessions/{activity.sessions.get().pk}/sign-up/" in part
    assert "<img" not in html  # no tracking pixel
    recipient = Recipient.objects.get(mailing=mailing)
    assert recipient.status == Recipient.Status.SENT
    assert recipient.message_id == message["Message-ID"]

    # The link opens a page with a button: opening it (a mail scanner, say) changes nothing.
    client = Client(enforce_csrf_checks=True)
    page = client.get(link)
    assert page.status_code == 200
    assert b"Unsubscribe" in page.content
    assert Consent.objects.get(person=maria, kind=Consent.Kind.NEWSLETTER).is_active

    # A mail program's one-click POST: no cookie, no CSRF token.
    done = client.post(link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200
    consent = Consent.objects.get(person=maria, kind=Consent.Kind.NEWSLETTER)
    assert consent.given is True  # the yes stays recorded...
    assert consent.withdrawn_at is not None  # ...and its withdrawal, at once
    assert consent.method == Consent.Method.EMAIL
    assert consent.source == "unsubscribe link"
    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.UNSUBSCRIBED
    event = AuditEvent.objects.filter(target_type="person", target_id=maria.pk).latest("at")
    assert event.changes["consent:newsletter"] == "withdrawn"
    assert maria.email not in str(event.changes)

    # The next newsletter reaches the others who agreed, and not Maria.
    others = derby_members(world, 2)
    following = make_mailing(world.derby, by=world.coordinator, subject="Learning news: summer")
    send_now(following, world.coordinator, django_capture_on_commit_callbacks)
    assert smtp.counts() == {maria.email: 1, others[0].email: 1, others[1].email: 1}
    assert following.left_out_no_consent == 2  # Maria, and Dev


def test_a_refused_address_fails_and_everyone_else_is_sent(world, smtp, django_capture_on_commit_callbacks):
    people = derby_members(world, 3)
    smtp.refuse.add(people[1].email)
    mailing = make_mailing(world.derby, by=world.coordinator)

    send_now(mailing, world.coordinator, django_capture_on_commit_callbacks)

    assert smtp.counts() == {people[0].email: 1, people[2].email: 1}
    failed = Recipient.objects.get(mailing=mailing, person=people[1])
    assert failed.status == Recipient.Status.FAILED
    assert "550" in failed.error
    assert people[1].email not in failed.error
    assert Recipient.objects.filter(mailing=mailing, status=Recipient.Status.SENT).count() == 2
    assert mailing.status == Mailing.Status.SENT


class Crash(Exception):
    """The worker dies (killed, out of memory) at this point."""


def crash_on_call(monkeypatch, name: str, number: int) -> None:
    """Make sending.<name> raise Crash on its `number`th call (after doing its work, for mark_sent: no)."""
    original = getattr(sending, name)
    calls = {"n": 0}

    def wrapped(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == number:
            raise Crash
        return original(*args, **kwargs)

    monkeypatch.setattr(sending, name, wrapped)


def test_a_crash_after_the_server_took_a_message_resumes_without_sending_it_twice(world, smtp, monkeypatch):
    people = derby_members(world, 5)
    mailing = make_mailing(world.derby, by=world.coordinator)
    queue(mailing, world.coordinator)
    # The third message reaches the mail server, then the worker dies before marking it sent.
    crash_on_call(monkeypatch, "mark_sent", 3)

    with pytest.raises(Crash):
        sending.send_batch(mailing.pk)

    assert len(smtp.received) == 3
    monkeypatch.undo()
    # Started again (by the task recovery, "Resume sending" or resume_mailings): the rest are sent; the one in doubt
    # is not, now or ever.
    result = sending.send_batch(mailing.pk)
    assert result.sent == 2
    assert not result.finished
    later = sending.send_batch(mailing.pk, now=timezone.now() + sending.IN_DOUBT_AFTER + datetime.timedelta(minutes=1))
    assert later.in_doubt == 1
    assert later.finished

    assert smtp.counts() == {person.email: 1 for person in people}
    statuses = sorted(Recipient.objects.filter(mailing=mailing).values_list("status", flat=True))
    assert statuses == ["sent"] * 4 + ["unknown"]
    in_doubt = Recipient.objects.get(mailing=mailing, status=Recipient.Status.UNKNOWN)
    assert in_doubt.message_id  # kept, to look for in the mail server's log
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT


def test_a_crash_between_messages_resumes_where_it_stopped(world, smtp, monkeypatch):
    people = derby_members(world, 5)
    mailing = make_mailing(world.derby, by=world.coordinator)
    queue(mailing, world.coordinator)
    crash_on_call(monkeypatch, "_claim", 4)

    with pytest.raises(Crash):
        sending.send_batch(mailing.pk)

    monkeypatch.undo()
    result = sending.send_batch(mailing.pk)
    assert result.sent == 2
    assert result.finished
    assert smtp.counts() == {person.email: 1 for person in people}
    assert not Recipient.objects.filter(mailing=mailing).exclude(status=Recipient.Status.SENT).exists()


def test_a_mail_server_that_cannot_be_reached_claims_nobody(world, settings, django_capture_on_commit_callbacks):
    derby_members(world, 2)
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},  # nothing listens on the discard port
        }
    }
    mailing = make_mailing(world.derby, by=world.coordinator)
    queue(mailing, world.coordinator)

    result = sending.send_batch(mailing.pk)

    assert result.handled == 0
    assert result.next_run_at is not None
    assert set(Recipient.objects.filter(mailing=mailing).values_list("status", flat=True)) == {"queued"}


def test_a_test_goes_to_the_users_own_address_only(world, smtp, coordinator_client):
    people = derby_members(world, 2)
    mailing = make_mailing(world.derby, by=world.coordinator)

    response = coordinator_client.post(f"/mailings/{mailing.pk}/test/")

    assert response.status_code == 302
    assert smtp.counts() == {world.coordinator.email: 1}
    message = smtp.to(world.coordinator.email)[0]
    assert message["Subject"] == "[Test] Learning news: spring"
    assert "List-Unsubscribe" not in message  # it unsubscribes nobody
    assert not Recipient.objects.filter(person__in=people).exists()
    mailing.refresh_from_db()
    assert mailing.is_draft
