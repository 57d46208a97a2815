"""Sending a mailing: one message per recipient, in batches, at a limited rate, never twice to anyone.

Each run of the task sends one batch (settings.COMMS_BATCH_SIZE, at most COMMS_RATE_PER_MINUTE) and queues the
next to start when the rate allows. A recipient's row is claimed (queued -> sending) by a conditional UPDATE
before its message goes to the mail server, and marked sent straight after, so two workers never both send to one
person, and a run that is started again (after a crash, or by "Resume sending") carries on where it stopped.

The one gap a crash can leave is a row claimed but not marked: the worker may have died before the mail server
took the message, or after. Sending it again could send it twice, so it is never sent again by itself: once its
claim is older than IN_DOUBT_AFTER (far longer than any send takes) it becomes "not known if sent", with its
Message-ID kept so the mail server's log can tell. The co-ordinator sees how many; at most one a worker.
"""

from __future__ import annotations

import datetime
import logging
import secrets
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formataddr, make_msgid, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.tasks import default_task_backend
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.accounts.services import audit_record
from learningdesk.comms.content import Body, render_email
from learningdesk.comms.models import Mailing, Recipient, token_hash
from learningdesk.learning.calendar import absolute
from learningdesk.org.models import Consent

logger = logging.getLogger(__name__)

Status = Recipient.Status
# A claim older than this belonged to a worker that stopped: an SMTP send takes seconds (its timeout is 20 s).
IN_DOUBT_AFTER = datetime.timedelta(minutes=10)
# When the mail server cannot be reached at all, the next try.
RETRY_AFTER = datetime.timedelta(minutes=5)
# Mail server answers that say this message was refused: it was not sent, and will not be by trying again now.
REFUSED = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)

# Time, and waiting, can be replaced by the tests.
sleep: Callable[[float], None] = time.sleep


def batch_size() -> int:
    size = max(int(getattr(settings, "COMMS_BATCH_SIZE", 50)), 1)
    rate = rate_per_minute()
    return min(size, rate) if rate else size


def rate_per_minute() -> int:
    """How many messages a minute at most; 0 for no limit."""
    return max(int(getattr(settings, "COMMS_RATE_PER_MINUTE", 60)), 0)


# The message -----------------------------------------------------------------------------------------------


def from_address(mailing: Mailing) -> str:
    """'Derby City <learningdesk@…>': the unit's name, at the site's sending address."""
    _name, address = parseaddr(getattr(settings, "COMMS_FROM_EMAIL", "") or settings.DEFAULT_FROM_EMAIL)
    return formataddr((mailing.unit.name, address))


def unsubscribe_url(token: str) -> str:
    return absolute(reverse("comms_public:unsubscribe", kwargs={"token": token}))


def new_message_id() -> str:
    return make_msgid(domain=urlsplit(settings.SITE_URL).hostname or "localhost")


def build_message(
    mailing: Mailing, body: Body, *, to: str, token: str = "", message_id: str = "", is_test: bool = False
) -> EmailMultiAlternatives:
    """The email to one address: plain text and HTML, with RFC 8058 one-click unsubscribe headers when it has a
    token (a test to oneself has none: it unsubscribes nobody)."""
    link = unsubscribe_url(token) if token else ""
    rendered = render_email(mailing, body, unsubscribe_url=link, is_test=is_test)
    headers = {"Message-ID": message_id or new_message_id()}
    if link:
        targets = [f"<{link}>"]
        mailto = getattr(settings, "COMMS_UNSUBSCRIBE_MAILTO", "")
        if mailto:
            targets.append(f"<mailto:{mailto}?subject=unsubscribe>")
        headers["List-Unsubscribe"] = ", ".join(targets)
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=from_address(mailing),
        to=[to],
        reply_to=[mailing.unit.email] if mailing.unit.email else [],
        headers=headers,
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


def stored_body(mailing: Mailing) -> Body:
    return Body(html=mailing.body_html, text=mailing.body_text, archive_html=mailing.archive_html)


# Claiming and sending one recipient ------------------------------------------------------------------------


def _claim(pk: int) -> bool:
    """queued -> sending, for this worker alone: one conditional UPDATE."""
    return bool(
        Recipient.objects.filter(pk=pk, status=Status.QUEUED).update(status=Status.SENDING, claimed_at=timezone.now())
    )


def _finish(pk: int, status: str, **fields: object) -> None:
    Recipient.objects.filter(pk=pk, status=Status.SENDING).update(status=status, **fields)


def mark_sent(pk: int) -> None:
    _finish(pk, Status.SENT, sent_at=timezone.now())


def _still_wanted(recipient: Recipient, mailing: Mailing) -> str:
    """Why the person should not get it after all ('' if they should): consent withdrawn or no address now."""
    person = recipient.person
    if person is None:
        return "Their record was removed."
    agreed = Consent.objects.filter(
        person=person, kind=mailing.consent_kind, given=True, withdrawn_at__isnull=True
    ).exists()
    if not agreed:
        return "They withdrew their consent after the mailing was queued."
    if not person.email:
        return "Their email address was removed after the mailing was queued."
    return ""


def _refusal(error: Exception) -> str:
    """What the mail server said, without the address itself (the row holds that)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _text in error.recipients.values()})
        return f"The mail server refused the address ({', '.join(codes)})."
    if isinstance(error, smtplib.SMTPResponseException):
        return f"The mail server refused the message ({error.smtp_code})."
    return "The mail server refused the message."


class ConnectionLost(Exception):
    """The mail server went away part way: the batch stops, the next run carries on."""


def send_one(connection: object, mailing: Mailing, body: Body, pk: int) -> str:
    """Claim and send one recipient's message. Returns its new status ('' if another worker had it)."""
    if not _claim(pk):
        return ""
    recipient = Recipient.objects.select_related("person").get(pk=pk)
    reason = _still_wanted(recipient, mailing)
    if reason:
        _finish(pk, Status.SKIPPED, error=reason)
        return Status.SKIPPED
    assert recipient.person is not None
    token = secrets.token_urlsafe(24)
    message_id = new_message_id()
    email = recipient.person.email
    # Kept before sending: a message that went out always has its working link and its Message-ID on record.
    Recipient.objects.filter(pk=pk).update(email=email, unsubscribe_token_hash=token_hash(token), message_id=message_id)
    try:
        message = build_message(mailing, body, to=email, token=token, message_id=message_id)
        connection.send_messages([message])  # type: ignore[attr-defined]
    except ValueError:  # Django refuses an address it cannot write (no @, a line break)
        _finish(pk, Status.FAILED, error="The email address is not valid.")
        return Status.FAILED
    except REFUSED as error:
        _finish(pk, Status.FAILED, error=_refusal(error))
        return Status.FAILED
    except (smtplib.SMTPException, OSError) as error:
        # Cut off part way: the server may have taken the message. Never sent again by itself.
        _finish(pk, Status.UNKNOWN, error="The connection to the mail server was lost while sending.")
        raise ConnectionLost from error
    mark_sent(pk)
    return Status.SENT


# A batch ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    in_doubt: int = 0  # rows found claimed by a worker that stopped, now "not known if sent"
    finished: bool = False
    more_waiting: bool = False  # recipients still queued
    next_run_at: datetime.datetime | None = None  # when the next batch should run (None: no next batch)

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.skipped


def mark_in_doubt(mailing: Mailing, now: datetime.datetime) -> int:
    """Rows claimed long ago and never marked: their worker stopped. Never resent by themselves."""
    return Recipient.objects.filter(mailing=mailing, status=Status.SENDING, claimed_at__lt=now - IN_DOUBT_AFTER).update(
        status=Status.UNKNOWN, error="Sending stopped part way: the mail server may or may not have taken it."
    )


def _finish_mailing(mailing: Mailing, now: datetime.datetime) -> bool:
    """Mark the mailing sent once nothing is waiting or being sent. Once only, whoever gets here first."""
    busy = Recipient.objects.filter(mailing=mailing, status__in=(Status.QUEUED, Status.SENDING)).exists()
    if busy:
        return False
    with transaction.atomic():
        done = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SENDING).update(
            status=Mailing.Status.SENT, finished_at=now, sending_chain=""
        )
        if done:
            audit_record(
                actor=None,
                action=AuditEvent.Action.CHANGED,
                target=mailing,
                unit_id=mailing.unit_id,
                changes={"status": "sent"},
            )
    return True


def _send_waiting(mailing: Mailing, waiting: list[int]) -> dict[str, int]:
    """Send to each waiting recipient through one connection, keeping to the rate. Counts by new status."""
    counts: dict[str, int] = {Status.SENT: 0, Status.FAILED: 0, Status.SKIPPED: 0}
    body = stored_body(mailing)
    rate = rate_per_minute()
    # With deferred tasks the pause comes between batches (the next is queued to start later); without them (the
    # tests' immediate backend) the batch keeps to the rate by waiting between messages.
    interval = 60 / rate if rate and not default_task_backend.supports_defer else 0
    connection = mailers.default
    connection.open()
    started = time.monotonic()
    try:
        for number, pk in enumerate(waiting):
            if interval:
                sleep(max(started + number * interval - time.monotonic(), 0))
            status = send_one(connection, mailing, body, pk)
            if status in counts:
                counts[status] += 1
    except ConnectionLost:
        logger.warning("The mail server went away while sending mailing %s; the next run carries on", mailing.pk)
    finally:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            logger.info("Could not close the mail server connection cleanly", exc_info=True)
    return counts


def send_batch(mailing_pk: int, *, chain: str = "", now: datetime.datetime | None = None) -> BatchResult:
    """Send the next batch of a mailing being sent. Safe to run at any time, as often as liked: nobody gets the
    message twice. `chain` is the sending chain the caller belongs to ('' to ignore chains, as tests do)."""
    now = now or timezone.now()
    mailing = Mailing.objects.select_related("unit").filter(pk=mailing_pk, status=Mailing.Status.SENDING).first()
    if mailing is None or (chain and mailing.sending_chain != chain):
        return BatchResult(finished=mailing is None)
    Mailing.objects.filter(pk=mailing.pk).update(last_batch_at=now)
    in_doubt = mark_in_doubt(mailing, now)
    waiting = list(
        Recipient.objects.filter(mailing=mailing, status=Status.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)[: batch_size()]
    )
    counts: dict[str, int] = {Status.SENT: 0, Status.FAILED: 0, Status.SKIPPED: 0}
    if waiting:
        try:
            counts = _send_waiting(mailing, waiting)
        except (smtplib.SMTPException, OSError):
            # The server could not be reached: nothing was claimed. Try again in a while.
            logger.warning("Could not reach the mail server to send mailing %s", mailing.pk, exc_info=True)
            return BatchResult(in_doubt=in_doubt, more_waiting=True, next_run_at=now + RETRY_AFTER)
    finished = _finish_mailing(mailing, now)
    more_waiting = not finished and Recipient.objects.filter(mailing=mailing, status=Status.QUEUED).exists()
    handled = sum(counts.values())
    next_run_at = None
    if more_waiting:
        rate = rate_per_minute()
        next_run_at = now + datetime.timedelta(seconds=60 * handled / rate) if rate else now
    elif not finished:
        # Only rows claimed by another worker are left: look again once they would count as in doubt.
        oldest = (
            Recipient.objects.filter(mailing=mailing, status=Status.SENDING)
            .order_by("claimed_at")
            .values_list("claimed_at", flat=True)
            .first()
        )
        next_run_at = (oldest or now) + IN_DOUBT_AFTER + datetime.timedelta(seconds=1)
    return BatchResult(
        sent=counts[Status.SENT],
        failed=counts[Status.FAILED],
        skipped=counts[Status.SKIPPED],
        in_doubt=in_doubt,
        finished=finished,
        more_waiting=more_waiting,
        next_run_at=next_run_at,
    )


# Stalled sending ---------------------------------------------------------------------------------------------

# A chain of batches runs one at least every minute (a batch is never bigger than a minute's rate), or every
# RETRY_AFTER while the mail server is down, or once after IN_DOUBT_AFTER: quiet for longer than this, it stopped.
STALLED_AFTER = IN_DOUBT_AFTER + datetime.timedelta(minutes=5)


def resume_stalled(*, now: datetime.datetime | None = None) -> int:
    """Start a new chain for each mailing being sent whose batches stopped. Returns how many."""
    from learningdesk.comms import tasks

    now = now or timezone.now()
    stalled = Mailing.objects.filter(status=Mailing.Status.SENDING).exclude(last_batch_at__gte=now - STALLED_AFTER)
    resumed = 0
    for mailing in stalled.select_related("unit"):
        with transaction.atomic():
            tasks.start_sending(mailing.pk)
            audit_record(
                actor=None,
                action=AuditEvent.Action.CHANGED,
                target=mailing,
                unit_id=mailing.unit_id,
                changes={"status": "resumed"},
            )
        resumed += 1
    return resumed
