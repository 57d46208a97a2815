"""The joint learning committee: its meetings (date, attendees from both sides, agenda, minutes) and the actions
agreed there, owned by someone on either side.

Writes validate, save and audit in one transaction (the audit event belongs to the employer's unit). What the
employer's contacts may see of all this is decided in employers/sharing.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.employers.models import (
    CommitteeAction,
    CommitteeMeeting,
    EmployerContact,
    LearningAgreement,
    LearningCommittee,
)
from learningdesk.org import scoping
from learningdesk.org.models import Employer, Person
from learningdesk.reps.models import CURRENT_REP_STAGES, Rep

MEETING_FIELDS = ["held_on", "starts_at", "place", "other_attendees", "agenda", "minutes"]
ACTION_FIELDS = ["description", "side", "owner_person", "owner_contact", "owner_name", "due_on", "status", "done_on"]


def _audit(*, acting_user: User | None, action: str, target: Any, employer: Employer, changes: dict) -> None:
    audit_record(actor=acting_user, action=action, target=target, unit_id=employer.unit_id, changes=changes)


# Reads other parts use ----------------------------------------------------------------------------


def overdue_actions(user: User, *, today: datetime.date) -> QuerySet[CommitteeAction]:
    """Committee actions of the employers the user may see that are still open after their due date."""
    return (
        scoping.visible_committee_actions(user)
        .filter(status=CommitteeAction.Status.OPEN, due_on__lt=today)
        .order_by("due_on", "pk")
    )


def last_meeting_on(committee: LearningCommittee, *, today: datetime.date | None = None) -> datetime.date | None:
    """The date of the committee's most recent meeting held (not one still to come), or None."""
    meetings = committee.meetings.all()
    if today is not None:
        meetings = meetings.filter(held_on__lte=today)
    return meetings.aggregate(last=Max("held_on"))["last"]


def open_actions(committee: LearningCommittee) -> QuerySet[CommitteeAction]:
    """The committee's open actions, the most pressing first (those with no date last)."""
    return (
        CommitteeAction.objects.filter(meeting__committee=committee, status=CommitteeAction.Status.OPEN)
        .select_related("meeting", "owner_person", "owner_contact")
        .order_by("due_on", "pk")
    )


def union_side_suggestions(user: User, committee: LearningCommittee) -> QuerySet[Person]:
    """People likely to sit on the union side, among those the user may see: the current reps at the employer's
    workplaces and whoever sat on the committee before."""
    reps = Rep.objects.filter(stage__in=CURRENT_REP_STAGES, workplaces__employer_id=committee.employer_id)
    earlier = CommitteeMeeting.union_attendees.through.objects.filter(committeemeeting__committee=committee)
    return (
        scoping.visible_people(user)
        .filter(Q(pk__in=reps.values("person_id")) | Q(pk__in=earlier.values("person_id")))
        .order_by("last_name", "first_name", "pk")
    )


# Committees and meetings --------------------------------------------------------------------------


@transaction.atomic
def committee_add(
    *, acting_user: User, employer: Employer, name: str, agreement: LearningAgreement | None = None
) -> LearningCommittee:
    """Set up the joint learning committee of an employer, optionally the one an agreement establishes."""
    committee = LearningCommittee(employer=employer, name=name.strip(), agreement=agreement)
    committee.full_clean()
    if agreement is not None and agreement.employer_id != employer.pk:
        raise ValueError("The agreement belongs to another employer.")
    committee.save()
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CREATED,
        target=committee,
        employer=employer,
        changes={"name": committee.name, "agreement": agreement.pk if agreement else None},
    )
    return committee


def _check_attendees(committee: LearningCommittee, employer_side: Iterable[EmployerContact]) -> None:
    if any(contact.employer_id != committee.employer_id for contact in employer_side):
        raise ValueError("Employer-side attendees must be contacts of the committee's employer.")


@transaction.atomic
def meeting_save(
    *,
    acting_user: User,
    meeting: CommitteeMeeting,
    union_side: Iterable[Person],
    employer_side: Iterable[EmployerContact],
) -> CommitteeMeeting:
    """Add or change a committee meeting and who came from each side (the caller scopes the people)."""
    union_side, employer_side = list(union_side), list(employer_side)
    _check_attendees(meeting.committee, employer_side)
    is_new = meeting.pk is None
    if is_new:
        meeting.created_by = acting_user
    meeting.full_clean()
    meeting.save()
    meeting.union_attendees.set(union_side)
    meeting.employer_attendees.set(employer_side)
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CREATED if is_new else AuditEvent.Action.CHANGED,
        target=meeting,
        employer=meeting.committee.employer,
        changes={
            "fields": MEETING_FIELDS,
            "union_side": sorted(person.pk for person in union_side),
            "employer_side": sorted(contact.pk for contact in employer_side),
        },
    )
    return meeting


# Actions ------------------------------------------------------------------------------------------


def _settle_status(action: CommitteeAction, today: datetime.date) -> None:
    """Done needs the day it was done (today unless told); open has none."""
    if action.status == CommitteeAction.Status.DONE and action.done_on is None:
        action.done_on = today
    if action.status == CommitteeAction.Status.OPEN:
        action.done_on = None


def _settle_owner(action: CommitteeAction) -> None:
    """One owner: a union person, an employer contact, or a typed name; the side follows a listed owner."""
    if action.owner_person_id:
        action.owner_contact, action.owner_name, action.side = None, "", CommitteeAction.Side.UNION
    elif action.owner_contact_id:
        action.owner_name, action.side = "", CommitteeAction.Side.EMPLOYER
        if action.owner_contact.employer_id != action.meeting.committee.employer_id:  # type: ignore[union-attr]
            raise ValueError("The owner must be a contact of the committee's employer.")


@transaction.atomic
def action_save(*, acting_user: User, action: CommitteeAction, today: datetime.date) -> CommitteeAction:
    """Add or change an action agreed at a committee meeting."""
    is_new = action.pk is None
    before = {} if is_new else dict(CommitteeAction.objects.filter(pk=action.pk).values(*_attnames()).get())
    _settle_owner(action)
    _settle_status(action, today)
    action.full_clean()
    action.save()
    after = {name: getattr(action, name) for name in _attnames()}
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CREATED if is_new else AuditEvent.Action.CHANGED,
        target=action,
        employer=action.meeting.committee.employer,
        changes={"fields": sorted(name for name in after if is_new or before.get(name) != after[name])},
    )
    return action


def _attnames() -> list[str]:
    return [CommitteeAction._meta.get_field(name).attname for name in ACTION_FIELDS]  # type: ignore[union-attr]
