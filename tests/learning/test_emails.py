"""What learners receive: confirmation with an .ics, waiting list, offers, reminders, cancellations,
and the hourly command that sends the timed ones exactly once."""

from __future__ import annotations

import datetime
import logging
import re
import smtplib
from io import StringIO

import icalendar
import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.utils import timezone

from learningdesk.learning import emails, sessions, signups, tokens
from learningdesk.learning.models import Session, SignUp
from tests.learning import in_days, make_activity, make_session, sign_up

ONLINE_URL = "https://meet.example.org/maths-for-work"


@pytest.fixture
def session(world) -> Session:
    activity = make_activity(world.derby, title="Maths for work")
    return make_session(activity, capacity=1, venue=Session.Venue.ONLINE, address="", online_url=ONLINE_URL)


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the queued emails) as the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def manage_token(message: mail.EmailMessage) -> str:
    match = re.search(r"/learn/sign-ups/([^/\s]+)/", message.body)
    assert match, message.body
    return match.group(1)


def html_of(message: mail.EmailMultiAlternatives) -> str:
    return next(str(content) for content, kind in message.alternatives if kind == "text/html")


def test_a_confirmed_place_is_emailed_with_a_calendar_file_holding_the_online_link(world, session, send_now):
    with send_now():
        record = sign_up(session, first="Sam", email="sam@example.org")

    [message] = mail.outbox
    assert message.to == ["sam@example.org"]
    assert message.subject.startswith("Your place is confirmed: Maths for work")
    assert "Hello Sam" in message.body
    assert ONLINE_URL in message.body and ONLINE_URL in html_of(message)
    [(filename, content, content_type)] = message.attachments
    assert filename == f"learning-{session.local_start:%Y-%m-%d}.ics"
    assert content_type.startswith("text/calendar")
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Maths for work"
    assert event.decoded("DTSTART") == session.starts_at
    assert ONLINE_URL in str(event["DESCRIPTION"])
    assert tokens.read(tokens.SIGN_UP, manage_token(message)) == record.pk


def test_the_waiting_list_email_says_where_you_are_in_the_queue_without_the_online_link(world, session, send_now):
    sign_up(session, email="first@example.org")
    sign_up(session, email="second@example.org")
    with send_now():
        third = sign_up(session, first="Tom", email="third@example.org")

    [message] = mail.outbox
    assert third.status == SignUp.Status.WAITLISTED
    assert message.subject == "You're on the waiting list (number 2): Maths for work"
    assert "you're number 2" in message.body
    assert not message.attachments
    assert ONLINE_URL not in message.body and ONLINE_URL not in html_of(message)
    assert tokens.read(tokens.SIGN_UP, manage_token(message)) == third.pk


def test_a_freed_place_is_offered_by_email_with_the_time_to_accept_by(world, session, send_now):
    first = sign_up(session, email="first@example.org")
    waiting = sign_up(session, first="Wendy", email="wendy@example.org")
    with send_now():
        signups.cancel(first)

    [message] = mail.outbox
    waiting.refresh_from_db()
    assert message.to == ["wendy@example.org"]
    assert message.subject.startswith("A place has come up: Maths for work – accept by ")
    assert emails.offer_deadline(waiting) in message.body
    assert "Accept by" in message.body
    assert ONLINE_URL not in message.body  # only once accepted
    assert tokens.read(tokens.SIGN_UP, manage_token(message)) == waiting.pk


def test_accepting_an_offer_sends_the_confirmation_with_its_calendar_file(world, session, send_now):
    first = sign_up(session, email="first@example.org")
    waiting = sign_up(session, email="wendy@example.org")
    signups.cancel(first)
    with send_now():
        signups.accept_offer(waiting)

    [message] = mail.outbox
    assert message.subject.startswith("Your place is confirmed")
    assert len(message.attachments) == 1


def test_the_address_typed_in_the_form_wins_over_the_one_on_record(world, session, send_now):
    with send_now():
        sign_up(session, world.derby_person, email="maria.home@example.org")

    assert mail.outbox[0].to == ["maria.home@example.org"]


def test_the_email_on_record_is_used_when_none_was_typed(world, session, send_now):
    with send_now():
        sign_up(session, world.derby_person, email="")

    assert mail.outbox[0].to == [world.derby_person.email]


def test_someone_with_no_email_address_is_signed_up_and_sent_nothing(world, session, send_now):
    with send_now():
        record = sign_up(session, first="Phone", last="Only", email="", phone="07700 900123")

    assert record.status == SignUp.Status.CONFIRMED
    assert mail.outbox == []


def test_a_mail_server_failure_is_logged_and_the_sign_up_stands(world, session, send_now, monkeypatch, caplog):
    def refuse(backend, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse)
    with caplog.at_level(logging.ERROR, logger="learningdesk.learning.emails"), send_now():
        record = sign_up(session, email="sam@example.org")

    record.refresh_from_db()
    assert record.status == SignUp.Status.CONFIRMED
    assert "Could not send a sign-up confirmation" in caplog.text


def test_cancelling_a_session_tells_everyone_signed_up(world, session, send_now):
    sign_up(session, email="first@example.org")
    sign_up(session, email="waiting@example.org")
    with send_now():
        sessions.session_cancel(session, acting_user=world.coordinator)

    assert sorted(message.to[0] for message in mail.outbox) == ["first@example.org", "waiting@example.org"]
    assert all(message.subject.startswith("Cancelled: Maths for work") for message in mail.outbox)


@pytest.fixture
def tomorrow(world) -> Session:
    """A session starting in 20 hours with two places taken and someone waiting."""
    activity = make_activity(world.derby, title="Digital skills")
    session = make_session(
        activity,
        starts=timezone.now() + datetime.timedelta(hours=20),
        capacity=2,
        venue=Session.Venue.ONLINE,
        address="",
        online_url=ONLINE_URL,
    )
    for address in ("ann@example.org", "ben@example.org", "waiting@example.org"):
        sign_up(session, email=address)
    return session


def test_confirmed_learners_are_reminded_the_day_before_once(world, tomorrow):
    later = make_session(tomorrow.activity, starts=in_days(3), capacity=5)
    sign_up(later, email="later@example.org")

    assert emails.send_reminders() == 1
    assert sorted(message.to[0] for message in mail.outbox) == ["ann@example.org", "ben@example.org"]
    assert all(ONLINE_URL in message.body for message in mail.outbox)
    assert all(message.subject.startswith("Reminder: Digital skills") for message in mail.outbox)
    tomorrow.refresh_from_db()
    assert tomorrow.reminder_sent_at is not None

    assert emails.send_reminders() == 0
    assert len(mail.outbox) == 2


def test_cancelled_and_unpublished_sessions_get_no_reminder(world, tomorrow):
    sessions.session_cancel(tomorrow)
    draft = make_session(make_activity(world.derby), starts=tomorrow.starts_at, capacity=3)
    sign_up(draft, email="draft@example.org")
    draft.activity.status = draft.activity.Status.DRAFT
    draft.activity.save()
    mail.outbox.clear()

    assert emails.send_reminders() == 0
    assert mail.outbox == []


def test_the_hourly_command_lapses_offers_and_reminds_and_sends_nothing_twice(world, tomorrow, send_now):
    first = SignUp.objects.get(session=tomorrow, given_email="ann@example.org")
    signups.cancel(first)
    offered = SignUp.objects.get(session=tomorrow, given_email="waiting@example.org")
    assert offered.status == SignUp.Status.OFFERED
    SignUp.objects.filter(pk=offered.pk).update(offer_expires_at=timezone.now() - datetime.timedelta(minutes=1))
    mail.outbox.clear()

    out = StringIO()
    with send_now():
        call_command("send_learning_emails", stdout=out)

    assert out.getvalue().startswith("1 offers lapsed, 1 sessions reminded")
    offered.refresh_from_db()
    assert offered.status == SignUp.Status.EXPIRED
    assert [message.to[0] for message in mail.outbox] == ["ben@example.org"]

    again = StringIO()
    with send_now():
        call_command("send_learning_emails", stdout=again)
    assert again.getvalue().startswith("0 offers lapsed, 0 sessions reminded")
    assert len(mail.outbox) == 1


def test_the_command_runs_the_other_parts_jobs_when_they_exist(world, monkeypatch):
    from learningdesk.learning.management.commands import send_learning_emails

    ran = []
    monkeypatch.setattr(
        send_learning_emails, "optional_job", lambda module, function: lambda: ran.append(function) or 2
    )
    out = StringIO()
    call_command("send_learning_emails", stdout=out)

    assert ran == ["send_requests", "send_review_reminders"]
    assert "2 evaluation requests, 2 resource review reminders." in out.getvalue()
