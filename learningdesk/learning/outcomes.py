"""Outcomes: what a learner achieved through an activity they attended (completed, a qualification, a step on).

Only people who attended one of the activity's sessions can have an outcome of it: the measures count
learners and their achievements, and an outcome for someone who never came would count twice over.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.learning.models import Activity, Outcome, SignUp
from learningdesk.org.models import Person

# What each kind of outcome needs, and the fields that belong to it alone (cleared for the other kinds).
QUALIFICATION_FIELDS = ("qualification_name", "qualification_level", "awarding_body")
REQUIRED_MESSAGES = {
    "qualification_name": "Enter the name of the qualification",
    "qualification_level": "Select the level of the qualification",
    "awarding_body": "Enter the awarding body",
    "achieved_on": "Enter the date it was achieved",
    "progression": "Select the kind of progression",
}


def learners(activity: Activity) -> QuerySet[Person]:
    """The people who attended at least one of the activity's sessions, by name, with their outcomes of it."""
    attended = SignUp.objects.filter(session__activity=activity, status=SignUp.Status.ATTENDED).values("person")
    here = Outcome.objects.filter(activity=activity).order_by("-achieved_on", "-id")
    return (
        Person.objects.filter(pk__in=attended)
        .select_related("workplace")
        .prefetch_related(Prefetch("learning_outcomes", queryset=here, to_attr="outcomes_here"))
        .order_by("last_name", "first_name", "pk")
    )


def attended(activity: Activity, person: Person) -> bool:
    return SignUp.objects.filter(session__activity=activity, person=person, status=SignUp.Status.ATTENDED).exists()


def _check(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The fields an outcome of this kind keeps; raises ValidationError naming each missing field."""
    fields: dict[str, Any] = {
        "kind": kind,
        "achieved_on": data.get("achieved_on"),
        "notes": (data.get("notes") or "").strip(),
        "qualification_name": "",
        "qualification_level": "",
        "awarding_body": "",
        "progression": "",
    }
    needed: list[str] = ["achieved_on"]
    if kind == Outcome.Kind.QUALIFICATION:
        fields.update({name: (data.get(name) or "").strip() for name in QUALIFICATION_FIELDS})
        needed += QUALIFICATION_FIELDS
    elif kind == Outcome.Kind.PROGRESSION:
        fields["progression"] = data.get("progression") or ""
        needed.append("progression")
    elif kind != Outcome.Kind.COMPLETED:
        raise ValidationError({"kind": "Select what they achieved"})
    missing = {name: REQUIRED_MESSAGES[name] for name in needed if not fields[name]}
    if missing:
        raise ValidationError(missing)
    if fields["achieved_on"] > timezone.localdate():
        raise ValidationError({"achieved_on": "The date it was achieved must be today or in the past"})
    return fields


@transaction.atomic
def outcome_add(*, acting_user: User | None, activity: Activity, person: Person, data: dict[str, Any]) -> Outcome:
    """Record an outcome for someone who attended the activity. `data` holds Outcome's fields, `kind` first."""
    if not attended(activity, person):
        raise ValidationError(f"{person.full_name} did not attend {activity.title}: record their attendance first.")
    outcome = Outcome(
        person=person,
        activity=activity,
        recorded_by=acting_user if acting_user is not None and acting_user.is_authenticated else None,
        recorded_at=timezone.now(),
        **_check(str(data.get("kind") or ""), data),
    )
    outcome.full_clean()
    outcome.save()
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CREATED,
        target=outcome,
        unit_id=activity.unit_id,
        changes={"fields": ["kind", "achieved_on", *[name for name in QUALIFICATION_FIELDS if getattr(outcome, name)]]},
    )
    return outcome


@transaction.atomic
def outcome_delete(*, acting_user: User | None, outcome: Outcome) -> None:
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.DELETED,
        target=outcome,
        unit_id=outcome.activity.unit_id,
        changes={"kind": outcome.kind, "person": outcome.person_id},
    )
    outcome.delete()


@transaction.atomic
def mark_all_completed(
    *, acting_user: User | None, activity: Activity, on: datetime.date | None = None
) -> list[Outcome]:
    """Record "completed" for everyone who attended and has no completed outcome of the activity yet."""
    on = on or timezone.localdate()
    done = Outcome.objects.filter(activity=activity, kind=Outcome.Kind.COMPLETED).values("person")
    people = learners(activity).exclude(pk__in=done).prefetch_related(None)
    now = timezone.now()
    recorded_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    created = Outcome.objects.bulk_create(
        [
            Outcome(
                person=person,
                activity=activity,
                kind=Outcome.Kind.COMPLETED,
                achieved_on=on,
                recorded_by=recorded_by,
                recorded_at=now,
            )
            for person in people
        ]
    )
    if created:
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CREATED,
            target=activity,
            unit_id=activity.unit_id,
            changes={"fields": ["outcomes"], "completed": [outcome.person_id for outcome in created]},
        )
    return created
