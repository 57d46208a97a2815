"""Supporting reps so none is lost: the support log (1-2-1s tagged with the ABC(D&E) of ULR support), the
rep's action plan, agreed actions and recognition.

"The quickest way to lose a volunteer is to make them feel isolated and uninvolved" (A-Z of Volunteer
Management): so every contact is dated, and a rep without one for the branch's no-contact days is flagged.
Writes validate, save and audit in one transaction, like reps/services.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.org.models import OrgUnit
from learningdesk.reps.models import DEFAULT_NO_CONTACT_DAYS, Action, Recognition, Rep, SupportContact
from learningdesk.reps.services import user_or_none

# Who an agreed action falls to, as the support form offers it.
OWNER_REP = "rep"
OWNER_ME = "me"

# The ABC(D&E) of ULR support, in the handbook's words, for the support form's hints.
TAG_HINTS = {
    "appreciation": "Recognise good work and thank them",
    "benefits": "What motivates them",
    "communicate": "1-2-1s, updates, telling them what they missed",
    "develop": "Help them explore, further training",
    "empower": "Let them lead, ask for their help",
}


def _audit(*, acting_user: User | None, action: str, target: Any, unit_id: int | None, changes: dict) -> None:
    audit_record(actor=acting_user, action=action, target=target, unit_id=unit_id, changes=changes)


def _not_in_future(on: datetime.date, field: str, what: str) -> None:
    if on > timezone.localdate():
        raise ValidationError({field: f"The date of the {what} cannot be in the future."})


# Contact ----------------------------------------------------------------------------------------


def no_contact_days(branch: OrgUnit) -> int:
    """How many days a rep of `branch` may go without contact before they are flagged (default 42)."""
    try:
        return branch.rep_settings.no_contact_days
    except ObjectDoesNotExist:
        return DEFAULT_NO_CONTACT_DAYS


@dataclass(frozen=True)
class ContactStatus:
    """When a rep was last in touch, and whether that is too long ago for their branch."""

    last_on: datetime.date | None
    days_since: int | None
    limit: int

    @property
    def level(self) -> str:
        """ "ok", "amber" (over the branch's limit), "red" (over twice the limit) or "none" (never)."""
        if self.days_since is None:
            return "none"
        if self.days_since > 2 * self.limit:
            return "red"
        if self.days_since > self.limit:
            return "amber"
        return "ok"

    @property
    def is_flagged(self) -> bool:
        return self.level in ("amber", "red")


def contact_status(rep: Rep, today: datetime.date | None = None) -> ContactStatus:
    """The rep's last logged contact and how many days ago it was."""
    today = today or timezone.localdate()
    last_on = rep.support_contacts.order_by("-on").values_list("on", flat=True).first()
    return ContactStatus(
        last_on=last_on,
        days_since=(today - last_on).days if last_on else None,
        limit=no_contact_days(rep.person.branch),
    )


@transaction.atomic
def support_contact_add(
    *, acting_user: User | None, rep: Rep, data: dict[str, Any], actions: Iterable[dict[str, Any]] = ()
) -> SupportContact:
    """Log a 1-2-1, check-in, message, call or meeting with a rep, with the actions agreed in it.

    `data` holds SupportContact's fields (on, kind, notes, the ABC(D&E) tags, reviewed_plan). Each of
    `actions` has description, who (OWNER_REP or OWNER_ME) and due_on. Ticking "reviewed their action
    plan" dates the plan's review.
    """
    rep = Rep.objects.select_for_update().select_related("person__branch").get(pk=rep.pk)
    contact = SupportContact(rep=rep, recorded_by=user_or_none(acting_user), **data)
    contact.full_clean()
    _not_in_future(contact.on, "on", "contact")
    contact.save()
    added = [
        _action_add(
            acting_user=acting_user,
            rep=rep,
            support_contact=contact,
            description=action["description"],
            who=action.get("who", OWNER_REP),
            due_on=action.get("due_on"),
        )
        for action in actions
    ]
    if contact.reviewed_plan and (rep.plan_reviewed_on is None or contact.on > rep.plan_reviewed_on):
        rep.plan_reviewed_on = contact.on
        rep.save(update_fields=["plan_reviewed_on"])
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CREATED,
        target=contact,
        unit_id=rep.person.branch_id,
        changes={
            "rep": rep.pk,
            "kind": contact.kind,
            "on": contact.on.isoformat(),
            "tags": [name for name, _label in SupportContact.TAGS if getattr(contact, name)],
            "actions": [action.pk for action in added],
        },
    )
    return contact


def _action_add(
    *,
    acting_user: User | None,
    rep: Rep,
    support_contact: SupportContact,
    description: str,
    who: str,
    due_on: datetime.date | None,
) -> Action:
    action = Action(
        unit_id=rep.person.branch_id,
        rep=rep,
        support_contact=support_contact,
        description=description,
        due_on=due_on,
        created_by=user_or_none(acting_user),
    )
    if who == OWNER_ME:
        # The co-ordinator: as a person if their login has one, else by name.
        user = user_or_none(acting_user)
        if user is not None and user.person_id:
            action.owner_id = user.person_id
        else:
            action.owner_name = user.full_name if user is not None else "The co-ordinator"
    else:
        action.owner = rep.person
    action.full_clean()
    action.save()
    return action


# The action plan --------------------------------------------------------------------------------


@transaction.atomic
def plan_action_add(*, acting_user: User | None, rep: Rep, data: dict[str, Any]) -> Action:
    """Add a step to the rep's own action plan: what they will do, by when, and the support they need."""
    action = Action(
        unit_id=rep.person.branch_id,
        rep=rep,
        is_plan=True,
        owner=rep.person,
        created_by=user_or_none(acting_user),
        **data,
    )
    action.full_clean()
    action.save()
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CREATED,
        target=action,
        unit_id=rep.person.branch_id,
        changes={"rep": rep.pk, "plan": True, "description": action.description},
    )
    return action


# Actions ----------------------------------------------------------------------------------------


@transaction.atomic
def action_toggle(*, acting_user: User | None, action: Action, today: datetime.date | None = None) -> Action:
    """Tick an action done today, or, if it was done, open it again."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    action.done_on = None if action.done_on else (today or timezone.localdate())
    action.save(update_fields=["done_on"])
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CHANGED,
        target=action,
        unit_id=action.unit_id,
        changes={"done_on": action.done_on.isoformat() if action.done_on else None},
    )
    return action


# Recognition ------------------------------------------------------------------------------------


@transaction.atomic
def recognition_add(*, acting_user: User | None, rep: Rep, data: dict[str, Any]) -> Recognition:
    """Record thanks or recognition given to a rep (the A of the ABC(D&E))."""
    recognition = Recognition(rep=rep, recorded_by=user_or_none(acting_user), **data)
    recognition.full_clean()
    _not_in_future(recognition.on, "on", "recognition")
    recognition.save()
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CREATED,
        target=recognition,
        unit_id=rep.person.branch_id,
        changes={"rep": rep.pk, "kind": recognition.kind, "on": recognition.on.isoformat()},
    )
    return recognition
