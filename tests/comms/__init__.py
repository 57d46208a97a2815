"""Helpers for the mailings' tests: consents, mailings with blocks and an audience, and sent recipients."""

from __future__ import annotations

import secrets

from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.comms import services
from learningdesk.comms.models import Mailing, MailingBlock, Recipient, token_hash
from learningdesk.org.models import Consent, OrgUnit, Person
from tests.conftest import World


def agree(person: Person, kind: str = Consent.Kind.NEWSLETTER, *, withdrawn: bool = False) -> Consent:
    """The person said yes to this kind of contact (and, if `withdrawn`, took it back since)."""
    consent, _ = Consent.objects.update_or_create(
        person=person,
        kind=kind,
        defaults={
            "given": True,
            "method": Consent.Method.IN_PERSON,
            "source": "Learning stall",
            "withdrawn_at": timezone.now() if withdrawn else None,
        },
    )
    return consent


def refuse(person: Person, kind: str = Consent.Kind.NEWSLETTER) -> Consent:
    consent, _ = Consent.objects.update_or_create(
        person=person, kind=kind, defaults={"given": False, "method": Consent.Method.IN_PERSON}
    )
    return consent


def make_mailing(
    unit: OrgUnit,
    *,
    by: User | None = None,
    subject: str = "Learning news: spring",
    kind: str = Mailing.Kind.NEWSLETTER,
    audience_kind: str = Mailing.AudienceKind.UNIT,
    article: str | None = "Our spring programme is here.\n\nSign up at a stall or online.",
    **fields,
) -> Mailing:
    """A draft from `unit` to everyone in it (by default), with one article."""
    if audience_kind == Mailing.AudienceKind.UNIT:
        fields.setdefault("audience_unit", unit)
    mailing = Mailing.objects.create(
        unit=unit, subject=subject, kind=kind, audience_kind=audience_kind, created_by=by, **fields
    )
    if article is not None:
        MailingBlock.objects.create(mailing=mailing, kind=MailingBlock.Kind.ARTICLE, heading="Spring", text=article)
    return mailing


def derby_mailing(world: World) -> Mailing:
    """Derby's draft newsletter to the branch (made once per test)."""
    existing = Mailing.objects.filter(unit=world.derby, subject="Learning news: spring").first()
    return existing or make_mailing(world.derby, by=world.coordinator)


def derby_block(world: World) -> MailingBlock:
    return derby_mailing(world).blocks.first()  # type: ignore[return-value]


def queue(mailing: Mailing, user: User) -> services.Queued:
    """Press Send, without running the background send (its task is queued on commit, which tests skip)."""
    return services.mailing_queue(mailing, acting_user=user)


def sent_mailing(world: World) -> Mailing:
    """A Derby newsletter sent to Maria Alberts, shown in the public archive."""
    existing = Mailing.objects.filter(unit=world.derby, subject="Learning news: winter").first()
    if existing is not None:
        return existing
    mailing = make_mailing(world.derby, by=world.coordinator, subject="Learning news: winter", show_in_archive=True)
    agree(world.derby_person)
    queue(mailing, world.coordinator)
    Recipient.objects.filter(mailing=mailing).update(status=Recipient.Status.SENT, sent_at=timezone.now())
    Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.SENT, finished_at=timezone.now())
    mailing.refresh_from_db()
    return mailing


def derby_recipient(world: World) -> Recipient:
    return sent_mailing(world).recipients.get(person=world.derby_person)


def give_token(recipient: Recipient) -> str:
    """A fresh unsubscribe token for the recipient (as sending gives each message)."""
    token = secrets.token_urlsafe(24)
    Recipient.objects.filter(pk=recipient.pk).update(unsubscribe_token_hash=token_hash(token))
    return token
