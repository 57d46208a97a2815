"""Join leads: following up non-members who said they are interested in joining the union."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.learning.models import JoinLead

# What a co-ordinator may set a lead to (a lead goes back to "to contact" only by a new expression of interest).
FOLLOW_UP_STATUSES = (JoinLead.Status.CONTACTED, JoinLead.Status.JOINED, JoinLead.Status.NOT_NOW)


def lead_update(*, acting_user: User, lead: JoinLead, status: str, notes: str) -> JoinLead:
    """Record how the follow-up went: the status, notes, and who handled it when."""
    if status not in FOLLOW_UP_STATUSES:
        raise ValidationError({"status": "Select how the follow-up went"})
    changed = [name for name, value in (("status", status), ("notes", notes.strip())) if getattr(lead, name) != value]
    lead.status = status
    lead.notes = notes.strip()
    lead.handled_by = acting_user
    lead.handled_at = timezone.now()
    try:
        with transaction.atomic():
            lead.save(update_fields=["status", "notes", "handled_by", "handled_at"])
            audit_record(
                actor=acting_user,
                action=AuditEvent.Action.CHANGED,
                target=lead,
                unit_id=lead.unit_id,
                changes={"fields": changed, "status": status},
            )
    except IntegrityError as error:  # another open lead for the same person (only one may be open)
        raise ValidationError(
            {"status": f"{lead.person.full_name} already has another open lead: update that one instead."}
        ) from error
    return lead
