"""Writes to the ULR network: adding reps and prospects, moving them along their path, the employer
notification (TULRCA s.168A) and training.

Each service validates, saves and writes its audit event in one transaction, like the org services.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.org.models import Employer, Person, Workplace
from learningdesk.reps.models import (
    MILESTONE_FIELDS,
    STAGE_ORDER,
    EmployerNotification,
    Rep,
    RepKind,
    RepReason,
    Stage,
    StageChange,
    TrainingRecord,
    stage_index,
    training_deadline,
)


def _audit(*, acting_user: User | None, action: str, rep: Rep, target: Any = None, changes: dict[str, Any]) -> None:
    audit_record(
        actor=acting_user,
        action=action,
        target=target if target is not None else rep,
        unit_id=rep.person.branch_id,
        changes=changes,
    )


def reasons_set(*, rep: Rep, motivations: Iterable[str], barriers: Iterable[str]) -> None:
    """Replace a rep's recorded motivations and barriers."""
    rep.reasons.all().delete()
    RepReason.objects.bulk_create(
        [RepReason(rep=rep, kind=RepReason.Kind.MOTIVATION, code=code) for code in sorted(set(motivations))]
        + [RepReason(rep=rep, kind=RepReason.Kind.BARRIER, code=code) for code in sorted(set(barriers))]
    )


def _reach(rep: Rep, stage: str, on: datetime.date) -> None:
    """Set the milestone dates of `stage` and every stage before it that the rep skipped."""
    if stage == Stage.STOOD_DOWN:
        rep.stood_down_on = on
        return
    for earlier in STAGE_ORDER[: stage_index(stage) + 1]:
        field = MILESTONE_FIELDS.get(Stage(earlier))
        # A ULR's notice is a fact recorded by rep_notify, never inferred from a later stage.
        if earlier == Stage.NOTIFIED and rep.kind.has_statutory_rights:
            continue
        if field and getattr(rep, field) is None:
            setattr(rep, field, on)


@transaction.atomic
def rep_add(
    *,
    acting_user: User | None,
    person: Person,
    kind: RepKind,
    workplaces: Iterable[Workplace] = (),
    stage: str = Stage.PROSPECT,
    on: datetime.date | None = None,
    data: dict[str, Any] | None = None,
    motivations: Iterable[str] = (),
    barriers: Iterable[str] = (),
) -> Rep:
    """Add a person to the register as a prospect (or at a later stage, for a rep the branch already has).

    `data` holds the other fields of Rep (source, method, notes, ...). A statutory rep cannot be added
    as notified or training booked without a notification: record that with `rep_notify`.
    """
    on = on or timezone.localdate()
    if stage == Stage.STOOD_DOWN:
        raise ValidationError({"stage": "A new rep cannot start as stood down."})
    if Rep.objects.filter(person=person, kind=kind).exclude(stage=Stage.STOOD_DOWN).exists():
        raise ValidationError({"kind": f"{person.full_name} is already on the register as a {kind.name}."})
    rep = Rep(person=person, kind=kind, stage=stage, stage_on=on, created_by=user_or_none(acting_user), **(data or {}))
    _reach(rep, stage, on)
    if kind.has_statutory_rights and stage in (Stage.NOTIFIED, Stage.TRAINING_BOOKED):
        raise ValidationError(
            {"stage": "Record the notification to the employer first: it starts the six-month training deadline."}
        )
    rep.full_clean(exclude=["workplaces"])
    try:
        with transaction.atomic():
            rep.save()
    except IntegrityError as error:  # two people adding the same rep at once
        raise ValidationError({"kind": f"{person.full_name} is already on the register as a {kind.name}."}) from error
    rep.workplaces.set(workplaces)
    reasons_set(rep=rep, motivations=motivations, barriers=barriers)
    StageChange.objects.create(rep=rep, stage=stage, on=on, recorded_by=user_or_none(acting_user))
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CREATED,
        rep=rep,
        changes={"kind": kind.code, "stage": stage, "person": person.pk},
    )
    return rep


def user_or_none(user: User | None) -> User | None:
    """The signed-in user to record as who did something, or None (the system, an anonymous request)."""
    return user if user is not None and user.is_authenticated else None


@transaction.atomic
def rep_update(
    *,
    acting_user: User | None,
    rep: Rep,
    data: dict[str, Any],
    workplaces: Iterable[Workplace] | None = None,
    motivations: Iterable[str] | None = None,
    barriers: Iterable[str] | None = None,
) -> Rep:
    """Change a rep's details (not their stage: see `rep_move`)."""
    forbidden = {"stage", "person", *MILESTONE_FIELDS.values(), "training_due_by"} & set(data)
    if forbidden:
        raise ValueError(f"rep_update cannot change {', '.join(sorted(forbidden))}")
    changed = sorted(name for name, value in data.items() if getattr(rep, name) != value)
    for name, value in data.items():
        setattr(rep, name, value)
    rep.full_clean(exclude=["workplaces"])
    rep.save()
    if workplaces is not None:
        rep.workplaces.set(workplaces)
        changed.append("workplaces")
    if motivations is not None or barriers is not None:
        reasons_set(
            rep=rep,
            motivations=motivations
            if motivations is not None
            else rep.reasons.filter(kind="motivation").values_list("code", flat=True),
            barriers=barriers
            if barriers is not None
            else rep.reasons.filter(kind="barrier").values_list("code", flat=True),
        )
        changed.append("reasons")
    if changed:
        _audit(acting_user=acting_user, action=AuditEvent.Action.CHANGED, rep=rep, changes={"fields": changed})
    return rep


@transaction.atomic
def rep_move(
    *,
    acting_user: User | None,
    rep: Rep,
    stage: str,
    on: datetime.date,
    note: str = "",
    reason: str = "",
) -> Rep:
    """Move a rep along their path: forward, or to "stood down" (with a reason) from anywhere.

    Skipped stages get the same date. A ULR reaches "notified" only by recording the notification
    (`rep_notify`), because it starts the six-month deadline; a rep trained before the notice may move
    straight to trained or active.
    """
    rep = Rep.objects.select_for_update().select_related("person", "kind").get(pk=rep.pk)
    if rep.stage == Stage.STOOD_DOWN:
        raise ValidationError({"stage": "This rep has stood down. Add them again to start a new path."})
    if on > timezone.localdate():
        raise ValidationError({"on": "The date cannot be in the future."})
    if on < rep.stage_on:
        raise ValidationError({"on": f"The date cannot be before the current stage began ({rep.stage_on:%d/%m/%Y})."})
    if stage == Stage.STOOD_DOWN:
        if not reason:
            raise ValidationError({"reason": "Select why they stood down."})
        rep.stood_down_reason = reason
    elif stage_index(stage) <= stage_index(rep.stage):
        raise ValidationError({"stage": f"Choose a stage after “{rep.get_stage_display()}”."})
    elif stage == Stage.NOTIFIED and rep.kind.has_statutory_rights:
        raise ValidationError(
            {"stage": "Record the notification to the employer: it starts the six-month training deadline."}
        )
    rep.stage = stage
    rep.stage_on = on
    _reach(rep, stage, on)
    rep.save()
    StageChange.objects.create(rep=rep, stage=stage, on=on, note=note, recorded_by=user_or_none(acting_user))
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CHANGED,
        rep=rep,
        changes={"stage": stage, **({"reason": reason} if reason else {})},
    )
    return rep


def letter_snapshot(
    *, rep: Rep, employer: Employer, sent_on: datetime.date, contact: dict[str, str], signed_by: User | None
) -> dict[str, Any]:
    """What the notification letter says, kept with the notification so it can be produced again exactly."""
    person = rep.person
    workplaces = [w.name for w in rep.workplaces.all() if w.employer_id == employer.pk] or [
        w.name for w in rep.workplaces.all()
    ]
    return {
        "date": sent_on.isoformat(),
        "employer": employer.name,
        "contact_name": contact.get("contact_name", ""),
        "contact_job_title": contact.get("contact_job_title", ""),
        "contact_address": contact.get("contact_address", ""),
        "rep_name": person.full_name,
        "rep_job_title": person.job_title,
        "rep_membership_number": person.membership_number or "",
        "workplaces": workplaces,
        "role": rep.kind.name,
        "trained": rep.trained_on is not None,
        "trained_on": rep.trained_on.isoformat() if rep.trained_on else "",
        "training_due_by": training_deadline(sent_on).isoformat(),
        "unit": person.branch.name,
        "unit_email": person.branch.email,
        "signed_by": signed_by.full_name if signed_by else "",
    }


@transaction.atomic
def rep_notify(
    *,
    acting_user: User | None,
    rep: Rep,
    employer: Employer,
    sent_on: datetime.date,
    method: str = EmployerNotification.Method.EMAIL,
    contact: dict[str, str],
) -> EmployerNotification:
    """Record the written notice to an employer (TULRCA s.168A(3)) and start the training deadline.

    The deadline runs from the first notice: a later notice to a second employer does not extend it.
    """
    rep = Rep.objects.select_for_update().select_related("person__branch", "kind").get(pk=rep.pk)
    if rep.stage == Stage.STOOD_DOWN:
        raise ValidationError("This rep has stood down: there is nothing to notify.")
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": "Record the notice once it has been sent: the date cannot be in the future."})
    notification = EmployerNotification(
        rep=rep,
        employer=employer,
        sent_on=sent_on,
        method=method,
        training_due_by=training_deadline(sent_on),
        recorded_by=user_or_none(acting_user),
        letter=letter_snapshot(rep=rep, employer=employer, sent_on=sent_on, contact=contact, signed_by=acting_user),
        **{
            name: contact.get(name, "")
            for name in ("contact_name", "contact_job_title", "contact_email", "contact_address")
        },
    )
    notification.full_clean()
    notification.save()
    if rep.notified_on is None or sent_on < rep.notified_on:
        rep.notified_on = sent_on
        for earlier in (Stage.APPROACHED, Stage.AGREED):
            field = MILESTONE_FIELDS[earlier]
            if getattr(rep, field) is None:
                setattr(rep, field, sent_on)
    if rep.kind.has_statutory_rights and rep.trained_on is None:
        rep.training_due_by = training_deadline(rep.notified_on)
    moved = stage_index(rep.stage) < stage_index(Stage.NOTIFIED)
    if moved:
        rep.stage = Stage.NOTIFIED
        rep.stage_on = sent_on
    rep.save()
    if moved:
        StageChange.objects.create(
            rep=rep,
            stage=Stage.NOTIFIED,
            on=sent_on,
            note=f"Notified {employer.name}",
            recorded_by=user_or_none(acting_user),
        )
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CREATED,
        rep=rep,
        target=notification,
        changes={"employer": employer.pk, "sent_on": sent_on.isoformat()},
    )
    return notification


@transaction.atomic
def training_add(*, acting_user: User | None, rep: Rep, data: dict[str, Any]) -> TrainingRecord:
    """Record a course. A completed initial course makes the rep trained (and meets the six-month rule);
    an initial course booked but not yet done moves them to "training booked"."""
    rep = Rep.objects.select_for_update().select_related("person", "kind").get(pk=rep.pk)
    record = TrainingRecord(rep=rep, recorded_by=user_or_none(acting_user), **data)
    _training_save(acting_user=acting_user, rep=rep, record=record)
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CREATED,
        rep=rep,
        target=record,
        changes={"course": record.course, "completed": record.completed},
    )
    return record


@transaction.atomic
def training_update(*, acting_user: User | None, record: TrainingRecord, data: dict[str, Any]) -> TrainingRecord:
    rep = Rep.objects.select_for_update().select_related("person", "kind").get(pk=record.rep_id)
    for name, value in data.items():
        setattr(record, name, value)
    _training_save(acting_user=acting_user, rep=rep, record=record)
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CHANGED,
        rep=rep,
        target=record,
        changes={"fields": sorted(data)},
    )
    return record


def _training_save(*, acting_user: User | None, rep: Rep, record: TrainingRecord) -> None:
    record.full_clean()
    if record.completed and record.on > timezone.localdate():
        raise ValidationError({"completed": "A course in the future cannot be completed yet."})
    record.save()
    _after_training_change(acting_user=acting_user, rep=rep, record=record)


def _after_training_change(*, acting_user: User | None, rep: Rep, record: TrainingRecord) -> None:
    if not record.is_initial or rep.stage == Stage.STOOD_DOWN:
        return
    if record.completed:
        if rep.trained_on is None or record.on < rep.trained_on:
            rep.trained_on = record.on
        target = Stage.TRAINED
        on = record.on
    else:
        target = Stage.TRAINING_BOOKED
        on = min(timezone.localdate(), max(record.created_at.date(), rep.stage_on))
    if stage_index(rep.stage) < stage_index(target):
        rep.stage = target
        rep.stage_on = max(on, rep.stage_on)
        _reach(rep, target, rep.stage_on)
        StageChange.objects.create(
            rep=rep, stage=target, on=rep.stage_on, note=record.course, recorded_by=user_or_none(acting_user)
        )
    rep.save()


@transaction.atomic
def rep_give_login(*, acting_user: User, rep: Rep, request: Any = None) -> User:
    """Let a rep sign in: a ULR role at their branch covering their workplaces, on a login linked to their
    person record (so the rep's own page and "log time" know who they are). A new login gets the set-password email.
    """
    from learningdesk.org.models import Role
    from learningdesk.org.services import role_grant

    person = rep.person
    if not person.email:
        raise ValidationError("Add their email address to their record first: their login is their email address.")
    existing = User.objects.filter(email__iexact=person.email).first()
    if existing is not None and existing.person_id not in (None, person.pk):
        raise ValidationError(f"The login {existing.email} belongs to someone else's record. Ask an administrator.")
    linked = User.objects.filter(person=person).exclude(email__iexact=person.email).first()
    if linked is not None:
        raise ValidationError(f"{person.full_name} already signs in as {linked.email}.")
    assignment = role_grant(
        acting_user=acting_user,
        email=person.email,
        full_name=person.full_name,
        role=Role.ULR,
        unit=person.branch,
        workplaces=list(rep.workplaces.all()),
        starts_on=timezone.localdate(),
        request=request,
    )
    user = assignment.user
    if user.person_id is None:
        user.person = person
        user.save(update_fields=["person"])
    return user
