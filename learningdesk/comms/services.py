"""Composing, sending and unsubscribing: every change to a mailing, with its audit record in the same transaction.

Audit records hold ids, field names and counts, never a subject line, an address or anyone's name.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import mailers
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record, save_and_audit
from learningdesk.comms import audience, content, sending, tasks
from learningdesk.comms.models import Mailing, MailingBlock, Recipient, token_hash
from learningdesk.org.models import Consent

logger = logging.getLogger(__name__)

# How many recipient rows are written at a time when a mailing is queued.
QUEUE_CHUNK = 1000
UNSUBSCRIBE_SOURCE = "unsubscribe link"


def _check_draft(mailing: Mailing) -> None:
    if not mailing.is_draft:
        raise ValidationError("This mailing has been sent, so it can no longer be changed.")


def _touch(mailing: Mailing) -> None:
    Mailing.objects.filter(pk=mailing.pk).update(updated_at=timezone.now())


# Composing --------------------------------------------------------------------------------------------------


def mailing_save(mailing: Mailing, *, acting_user: User, fields: list[str]) -> Mailing:
    """Add a mailing, or change its details while it is a draft."""
    if mailing.pk is not None:
        _check_draft(mailing)
    else:
        mailing.created_by = acting_user
    mailing.updated_at = timezone.now()
    with transaction.atomic():
        save_and_audit(actor=acting_user, record=mailing, unit_id=mailing.unit_id, fields=fields)
    return mailing


def audience_save(mailing: Mailing, *, acting_user: User, data: dict[str, Any]) -> Mailing:
    """Set who the draft goes to: the kind of audience and what that kind needs (the rest is cleared)."""
    _check_draft(mailing)
    kind = data["audience_kind"]
    AudienceKind = Mailing.AudienceKind
    mailing.audience_kind = kind
    mailing.audience_unit = data.get("audience_unit") if kind == AudienceKind.UNIT else None
    mailing.audience_activity = data.get("audience_activity") if kind == AudienceKind.LEARNERS else None
    is_survey = kind == AudienceKind.SURVEY_SUBJECT
    mailing.audience_survey = data.get("audience_survey") if is_survey else None
    mailing.audience_subject = data.get("audience_subject") if is_survey else None
    mailing.members_only = bool(data.get("members_only"))
    mailing.updated_at = timezone.now()
    with transaction.atomic():
        mailing.save()
        mailing.audience_employers.set(data.get("audience_employers") or [] if kind == AudienceKind.EMPLOYERS else [])
        mailing.audience_workplaces.set(
            data.get("audience_workplaces") or [] if kind == AudienceKind.WORKPLACES else []
        )
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CHANGED,
            target=mailing,
            unit_id=mailing.unit_id,
            changes={"fields": ["audience"]},
        )
    return mailing


def block_save(
    block: MailingBlock,
    *,
    acting_user: User,
    activities: Iterable[Any] | None = None,
    resources: Iterable[Any] | None = None,
) -> MailingBlock:
    """Add a block at the end of the draft, or change one."""
    mailing = block.mailing
    _check_draft(mailing)
    with transaction.atomic():
        if block.pk is None:
            last = mailing.blocks.aggregate(last=Max("order"))["last"]
            block.order = 0 if last is None else last + 1
        block.full_clean()
        block.save()
        if activities is not None:
            block.activities.set(activities)
        if resources is not None:
            block.resources.set(resources)
        _touch(mailing)
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CHANGED,
            target=mailing,
            unit_id=mailing.unit_id,
            changes={"fields": [f"block:{block.kind}"]},
        )
    return block


def block_delete(block: MailingBlock, *, acting_user: User) -> None:
    mailing = block.mailing
    _check_draft(mailing)
    with transaction.atomic():
        kind = block.kind
        block.delete()
        _touch(mailing)
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CHANGED,
            target=mailing,
            unit_id=mailing.unit_id,
            changes={"fields": [f"block:{kind}"]},
        )


def block_move(block: MailingBlock, *, acting_user: User, up: bool) -> None:
    """Swap the block with the one above (or below) it."""
    mailing = block.mailing
    _check_draft(mailing)
    with transaction.atomic():
        blocks = list(mailing.blocks.select_for_update().order_by("order", "pk"))
        index = next(i for i, each in enumerate(blocks) if each.pk == block.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(blocks):
            return
        blocks[index], blocks[other] = blocks[other], blocks[index]
        for order, each in enumerate(blocks):
            if each.order != order:
                MailingBlock.objects.filter(pk=each.pk).update(order=order)
        _touch(mailing)


def mailing_delete(mailing: Mailing, *, acting_user: User) -> None:
    """Delete a draft (a sent mailing is the record of what was sent: it stays)."""
    _check_draft(mailing)
    with transaction.atomic():
        audit_record(actor=acting_user, action=AuditEvent.Action.DELETED, target=mailing, unit_id=mailing.unit_id)
        mailing.delete()


# Test and send ----------------------------------------------------------------------------------------------


def send_test(mailing: Mailing, *, acting_user: User) -> None:
    """Send the draft as it stands (a sent mailing as it was sent) to the user's own address only."""
    if not acting_user.email:
        raise ValidationError("Your login has no email address to send a test to.")
    body = content.render_body(mailing) if mailing.is_draft else sending.stored_body(mailing)
    message = sending.build_message(mailing, body, to=acting_user.email, is_test=True)
    try:
        mailers.default.send_messages([message])
    except (smtplib.SMTPException, OSError, ValueError) as error:
        logger.warning("Could not send a test of mailing %s", mailing.pk, exc_info=True)
        raise ValidationError("The mail server did not take the test. Try again in a few minutes.") from error


def send_problems(mailing: Mailing, count: audience.AudienceCount) -> list[str]:
    """What stops the draft being sent, in words (empty when it can go)."""
    problems = []
    if not mailing.blocks.exists():
        problems.append("Add something to say: an article, upcoming activities or resources.")
    problem = audience.audience_problem(mailing)
    if problem:
        problems.append(problem)
    elif count.receiving == 0:
        problems.append("Nobody in the audience has agreed to get it and has an email address.")
    return problems


@dataclass(frozen=True)
class Queued:
    recipients: int
    count: audience.AudienceCount


def mailing_queue(mailing: Mailing, *, acting_user: User) -> Queued:
    """Send the draft: record one recipient per address among those who agreed, then start the background send.

    The audience is counted and written in one transaction with the mailing locked, so pressing Send twice (or two
    co-ordinators at once) queues it once.
    """
    with transaction.atomic():
        locked = Mailing.objects.select_for_update().select_related("unit").get(pk=mailing.pk)
        _check_draft(locked)
        count = audience.count_audience(acting_user, locked)
        problems = send_problems(locked, count)
        if problems:
            raise ValidationError(problems)
        body = content.render_body(locked)
        rows: list[Recipient] = []
        written = 0
        for person_id, email in audience.receivers(acting_user, locked):
            rows.append(Recipient(mailing=locked, person_id=person_id, email=email))
            if len(rows) >= QUEUE_CHUNK:
                written += len(Recipient.objects.bulk_create(rows))
                rows = []
        written += len(Recipient.objects.bulk_create(rows))
        now = timezone.now()
        Mailing.objects.filter(pk=locked.pk).update(
            status=Mailing.Status.SENDING,
            queued_by=acting_user,
            queued_at=now,
            updated_at=now,
            body_html=body.html,
            body_text=body.text,
            archive_html=body.archive_html,
            left_out_no_consent=count.no_consent,
            left_out_no_email=count.no_email,
            left_out_shared_email=count.shared_email,
        )
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CHANGED,
            target=locked,
            unit_id=locked.unit_id,
            changes={"status": "sending", "recipients": written},
        )
        tasks.start_sending(locked.pk)
    mailing.refresh_from_db()
    return Queued(recipients=written, count=count)


def mailing_resume(mailing: Mailing, *, acting_user: User | None) -> None:
    """Start the sending again (a new chain of batches): nobody already sent to, or in doubt, gets it again."""
    if mailing.status != Mailing.Status.SENDING:
        raise ValidationError("This mailing is not being sent.")
    with transaction.atomic():
        tasks.start_sending(mailing.pk)
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CHANGED,
            target=mailing,
            unit_id=mailing.unit_id,
            changes={"status": "resumed"},
        )


def recipient_mark_bounced(recipient: Recipient, *, acting_user: User) -> None:
    """Record a bounce the branch's mailbox received for a message that was sent."""
    if recipient.status != Recipient.Status.SENT:
        raise ValidationError("Only a message that was sent can be marked as bounced.")
    with transaction.atomic():
        Recipient.objects.filter(pk=recipient.pk, status=Recipient.Status.SENT).update(status=Recipient.Status.BOUNCED)
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CHANGED,
            target=recipient,
            unit_id=recipient.mailing.unit_id,
            changes={"status": "bounced"},
        )


# Unsubscribing ----------------------------------------------------------------------------------------------


def recipient_for_token(token: str) -> Recipient | None:
    if not token or len(token) > 100:
        return None
    return (
        Recipient.objects.select_related("mailing__unit", "person")
        .filter(unsubscribe_token_hash=token_hash(token), person__isnull=False)
        .first()
    )


def still_subscribed(recipient: Recipient) -> bool:
    """Whether the person still agrees to the mailing's kind of message (so the link has something to stop)."""
    return Consent.objects.filter(
        person=recipient.person, kind=recipient.mailing.consent_kind, given=True, withdrawn_at__isnull=True
    ).exists()


@transaction.atomic
def unsubscribe(recipient: Recipient) -> bool:
    """Withdraw the person's consent to the mailing's kind of message at once, and mark their copy unsubscribed.

    Idempotent: returns whether anything changed. The consent keeps its "yes" and when it was given; the
    withdrawal is recorded by its time, as given by email through the unsubscribe link.
    """
    person = recipient.person
    assert person is not None
    mailing = recipient.mailing
    now = timezone.now()
    withdrawn = Consent.objects.filter(
        person=person, kind=mailing.consent_kind, given=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=now, method=Consent.Method.EMAIL, source=UNSUBSCRIBE_SOURCE)
    marked = (
        Recipient.objects.filter(pk=recipient.pk)
        .exclude(status=Recipient.Status.UNSUBSCRIBED)
        .update(status=Recipient.Status.UNSUBSCRIBED, unsubscribed_at=now)
    )
    if not (withdrawn or marked):
        return False
    changes: dict[str, object] = {"source": UNSUBSCRIBE_SOURCE, "mailing": mailing.pk, "recipient": recipient.pk}
    if withdrawn:
        changes[f"consent:{mailing.consent_kind}"] = "withdrawn"
    audit_record(actor=None, action=AuditEvent.Action.CHANGED, target=person, unit_id=person.branch_id, changes=changes)
    return True
