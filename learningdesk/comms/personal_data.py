"""What the mailings hold about a person, for subject access and erasure (the privacy app calls these).

The only comms table about people is `Recipient`: one row per mailing a person was sent (or queued for). Mailings
themselves name units, activities and resources, not people (an article's free text is the co-ordinator's words,
reviewed by whoever handles the request).

Erasure anonymises rather than deletes: the row loses the person, the address, the Message-ID, the mail server's
answer and the unsubscribe link, and keeps only its status and dates, so a mailing's figures (sent, failed,
unsubscribed) stay true while nothing left says who it was.
"""

from __future__ import annotations

from django.db import transaction

from learningdesk.comms.models import Recipient
from learningdesk.org.models import Person

SECTION = "Mailings and newsletters sent to them"


def _when(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


def export(person: Person) -> dict[str, list[dict[str, object]]]:
    rows = Recipient.objects.filter(person=person).select_related("mailing__unit").order_by("mailing__queued_at", "pk")
    return {
        SECTION: [
            {
                "mailing": row.mailing.subject,
                "kind": row.mailing.get_kind_display(),
                "from": row.mailing.unit.name,
                "queued_at": _when(row.mailing.queued_at),
                "email_address": row.email,
                "status": row.get_status_display(),
                "sent_at": _when(row.sent_at),
                "unsubscribed_at": _when(row.unsubscribed_at),
                "error": row.error,
            }
            for row in rows
        ]
    }


@transaction.atomic
def erase(person: Person) -> dict[str, int]:
    anonymised = Recipient.objects.filter(person=person).update(
        person=None, email="", error="", message_id="", unsubscribe_token_hash=None
    )
    return {"comms.Recipient": anonymised}
