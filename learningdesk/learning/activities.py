"""The activity catalogue's staff side: the list of activities, and saving activities, their helpers,
providers and activity types (each change audited in its own transaction)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, Model, OuterRef, QuerySet, Subquery
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record, save_and_audit
from learningdesk.learning.models import Activity, ActivityHelper, ActivityType, Session, SignUp, Subject
from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit, Person

# The list -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityFilter:
    query: str = ""
    status: str = ""
    type: ActivityType | None = None
    subject: Subject | None = None
    unit: OrgUnit | None = None
    full_only: bool = False  # only those with a full session coming up and people on its waiting list

    @property
    def is_filtered(self) -> bool:
        return bool(self.query or self.status or self.type or self.subject or self.unit or self.full_only)


def upcoming_sessions() -> QuerySet[Session]:
    return Session.objects.filter(starts_at__gte=timezone.now(), is_cancelled=False)


def activity_list(*, user: User, filters: ActivityFilter) -> QuerySet[Activity]:
    """Activities in the user's scope: those with a session coming up first (soonest first), then the
    rest, newest first."""
    activities = scoping.visible_activities(user)
    if filters.query:
        activities = activities.filter(title__icontains=filters.query)
    if filters.status:
        activities = activities.filter(status=filters.status)
    if filters.type is not None:
        activities = activities.filter(type=filters.type)
    if filters.subject is not None:
        activities = activities.filter(subject=filters.subject)
    if filters.unit is not None:
        activities = activities.filter(unit__path__startswith=filters.unit.path)
    if filters.full_only:
        waiting = SignUp.objects.filter(session=OuterRef("pk"), status=SignUp.Status.WAITLISTED)
        full = upcoming_sessions().filter(activity=OuterRef("pk"), taken__gte=F("capacity")).filter(Exists(waiting))
        activities = activities.filter(Exists(full))
    next_start = upcoming_sessions().filter(activity=OuterRef("pk")).order_by("starts_at").values("starts_at")[:1]
    return activities.annotate(next_start=Subquery(next_start)).order_by(
        F("next_start").asc(nulls_last=True), "-created_at", "-id"
    )


def next_sessions(activities: list[Activity]) -> dict[int, Session]:
    """Each activity's next session that is not cancelled, in one query."""
    found: dict[int, Session] = {}
    ids = [activity.pk for activity in activities]
    for session in upcoming_sessions().filter(activity_id__in=ids).order_by("activity_id", "starts_at", "id"):
        found.setdefault(session.activity_id, session)
    return found


# Writes -------------------------------------------------------------------------------------------


@transaction.atomic
def activity_save(*, acting_user: User, activity: Activity, fields: list[str]) -> Activity:
    """Add or change an activity. `fields`: the names of the fields the user changed (for the audit)."""
    if activity.qualification and not activity.awarding_body:
        raise ValidationError({"awarding_body": "Enter the awarding body of the qualification"})
    if activity.is_published and not activity.description.strip():
        raise ValidationError({"description": "Enter a description: published activities are shown to the public"})
    if activity.pk is None:
        activity.created_by = acting_user
    activity.updated_at = timezone.now()
    save_and_audit(actor=acting_user, record=activity, unit_id=activity.unit_id, fields=fields)
    return activity


@transaction.atomic
def helper_add(*, acting_user: User, activity: Activity, person: Person, task: str) -> ActivityHelper:
    """Add someone who staffs the activity; a second time for the same person is refused."""
    if ActivityHelper.objects.select_for_update().filter(activity=activity, person=person).exists():
        raise ValidationError({"person": f"{person.full_name} already helps with this activity."})
    helper = ActivityHelper(activity=activity, person=person, task=task.strip())
    save_and_audit(actor=acting_user, record=helper, unit_id=activity.unit_id, fields=["person", "task"])
    return helper


@transaction.atomic
def helper_remove(*, acting_user: User, helper: ActivityHelper) -> None:
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.DELETED,
        target=helper,
        unit_id=helper.activity.unit_id,
        changes={"person": helper.person_id},
    )
    helper.delete()


@transaction.atomic
def record_save(*, acting_user: User, record: Model, unit_id: int | None, fields: list[str]) -> Model:
    """Add or change a provider, a provider's contact or an activity type, with its audit row."""
    save_and_audit(actor=acting_user, record=record, unit_id=unit_id, fields=fields)
    return record
