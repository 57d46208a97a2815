"""What the learning roles are called: a national administrator renames them for the whole organisation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record, diff, snapshot
from learningdesk.reps.models import RepKind

KIND_FIELDS = ("name", "name_plural", "description")


@transaction.atomic
def rep_kinds_rename(*, acting_user: User, forms: Iterable[Any]) -> list[RepKind]:
    """Save the names of the role kinds ("ULR", "Learner rep", ...) from a formset's changed forms."""
    renamed = []
    for form in forms:
        if not form.has_changed():
            continue
        kind = RepKind.objects.select_for_update().get(pk=form.instance.pk)
        before = snapshot(kind, KIND_FIELDS)
        for name in KIND_FIELDS:
            setattr(kind, name, form.cleaned_data[name])
        kind.full_clean()
        kind.save(update_fields=list(KIND_FIELDS))
        changes = diff(before, snapshot(kind, KIND_FIELDS))
        if changes:
            audit_record(
                actor=acting_user, action=AuditEvent.Action.CHANGED, target=kind, unit_id=None, changes=changes
            )
        renamed.append(kind)
    return renamed
