"""Writes to the organisation: units, employers, workplaces, people, consents, equality data, roles.

Each service validates the record (``full_clean``), saves it and writes its audit event in one
transaction, so a change is never recorded without its audit line or the other way round.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record, diff, snapshot
from learningdesk.accounts.tasks import send_welcome_email
from learningdesk.org.models import (
    Consent,
    Employer,
    EqualityRecord,
    OrgUnit,
    Person,
    RoleAssignment,
    UnitKind,
    Workplace,
)
from learningdesk.org.selectors import delete_blockers

PERSON_FIELDS = (
    "membership_number",
    "title",
    "first_name",
    "last_name",
    "email",
    "phone",
    "branch",
    "workplace",
    "status",
    "joined_on",
    "job_title",
    "preferred_language",
    "time_zone",
)
# Values of these fields are kept in the audit log; for the others only the fact that they changed,
# so the log does not become a second copy of people's contact details.
PERSON_FIELDS_LOGGED_WITH_VALUES = frozenset({"branch", "workplace", "status", "joined_on", "time_zone"})
EQUALITY_FIELDS = ("age_band", "gender", "ethnicity", "disability", "sexual_orientation")


def _person_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        name: values if name in PERSON_FIELDS_LOGGED_WITH_VALUES else "changed"
        for name, values in diff(before, after).items()
    }


def _apply(instance: Any, data: dict[str, Any]) -> None:
    for name, value in data.items():
        setattr(instance, name, value)


@transaction.atomic
def person_create(*, acting_user: User, data: dict[str, Any]) -> Person:
    """Add a person by hand."""
    person = Person()
    _apply(person, data)
    person.full_clean()
    person.save()
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CREATED,
        target=person,
        unit_id=person.branch_id,
        changes=_person_changes({}, snapshot(person, PERSON_FIELDS)),
    )
    return person


@transaction.atomic
def person_update(*, acting_user: User, person: Person, data: dict[str, Any]) -> Person:
    """Change a person's record, logging which fields changed (values only for non-identifying ones)."""
    before = snapshot(Person.objects.get(pk=person.pk), PERSON_FIELDS)
    _apply(person, data)
    person.updated_at = timezone.now()
    person.full_clean()
    person.save()
    changes = _person_changes(before, snapshot(person, PERSON_FIELDS))
    if changes:
        # Remembered so that the next member import shows these fields instead of overwriting them.
        edited = set(person.edited_fields.split()) | set(changes)
        Person.objects.filter(pk=person.pk).update(edited_fields=" ".join(sorted(edited)))
        person.edited_fields = " ".join(sorted(edited))
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CHANGED,
            target=person,
            unit_id=person.branch_id,
            changes=changes,
        )
    return person


def person_viewed(*, acting_user: User, person: Person) -> None:
    """Record that someone opened a membership record (special category data)."""
    audit_record(actor=acting_user, action=AuditEvent.Action.VIEWED, target=person, unit_id=person.branch_id)


@transaction.atomic
def consent_record(*, acting_user: User, person: Person, kind: str, given: bool, method: str) -> Consent:
    """Record a yes or a no to one kind of contact; a no after a yes is a withdrawal."""
    now = timezone.now()
    consent = Consent.objects.select_for_update().filter(person=person, kind=kind).first()
    if consent is None:
        consent = Consent(person=person, kind=kind)
    was_given = consent.pk is not None and consent.given and consent.withdrawn_at is None
    consent.given = given
    consent.method = method
    consent.recorded_by = acting_user
    consent.recorded_at = now
    consent.withdrawn_at = now if was_given and not given else None
    consent.full_clean()
    consent.save()
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CHANGED,
        target=person,
        unit_id=person.branch_id,
        changes={f"consent:{kind}": "given" if given else ("withdrawn" if was_given else "refused")},
    )
    return consent


@transaction.atomic
def equality_save(*, acting_user: User, person: Person, data: dict[str, Any], consent_method: str) -> EqualityRecord:
    """Save equality monitoring answers, given with the person's consent. Values never go in the log."""
    record = EqualityRecord.objects.filter(person=person).first() or EqualityRecord(person=person)
    before = snapshot(record, EQUALITY_FIELDS) if record.pk else {}
    _apply(record, data)
    record.consent_method = consent_method
    record.recorded_by = acting_user
    record.updated_at = timezone.now()
    if record.pk is None:
        record.consent_given_at = record.updated_at
    record.full_clean()
    record.save()
    changed = sorted(diff(before, snapshot(record, EQUALITY_FIELDS)))
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CHANGED_EQUALITY,
        target=person,
        unit_id=person.branch_id,
        changes={"fields": changed},
    )
    return record


@transaction.atomic
def equality_delete(*, acting_user: User, person: Person) -> None:
    """Remove equality data, for example when the person withdraws their consent."""
    deleted, _ = EqualityRecord.objects.filter(person=person).delete()
    if deleted:
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CHANGED_EQUALITY,
            target=person,
            unit_id=person.branch_id,
            changes={"fields": ["deleted"]},
        )


def equality_viewed(*, acting_user: User, person: Person) -> None:
    audit_record(actor=acting_user, action=AuditEvent.Action.VIEWED_EQUALITY, target=person, unit_id=person.branch_id)


# Units, employers and workplaces ---------------------------------------------------------------

UNIT_FIELDS = ("name", "code", "email", "notes", "is_active")
EMPLOYER_FIELDS = ("name", "sector", "is_public_sector", "unit", "website", "notes")
WORKPLACE_FIELDS = ("name", "employer", "branch", "address", "town", "postcode", "headcount")


@transaction.atomic
def unit_create(*, acting_user: User, parent: OrgUnit | None, data: dict[str, Any]) -> OrgUnit:
    """Add a unit below ``parent`` (or a new root); its kind follows from its depth."""
    depth = parent.depth + 1 if parent else 1
    kind = UnitKind.objects.filter(depth=depth).first()
    if kind is None:
        kind = UnitKind.objects.create(depth=depth, name=f"Level {depth} unit", name_plural=f"Level {depth} units")
    unit = OrgUnit(kind=kind, **data)
    unit.full_clean(exclude=["path", "depth", "numchild"])
    unit = OrgUnit.objects.add_child(parent, instance=unit) if parent else OrgUnit.objects.add_root(instance=unit)
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CREATED,
        target=unit,
        unit_id=unit.pk,
        changes=snapshot(unit, UNIT_FIELDS),
    )
    return unit


def _update_with_audit(
    *, acting_user: User, instance: Any, data: dict[str, Any], fields: Iterable[str], unit_id: int | None = None
) -> Any:
    before = snapshot(type(instance).objects.get(pk=instance.pk), fields)
    _apply(instance, data)
    instance.full_clean()
    instance.save()
    changes = diff(before, snapshot(instance, fields))
    if changes:
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CHANGED,
            target=instance,
            unit_id=unit_id,
            changes=changes,
        )
    return instance


@transaction.atomic
def unit_kinds_rename(*, acting_user: User, forms: Iterable[Any]) -> list[UnitKind]:
    """Save the names of the levels of the tree ("branch", "local association", "CLP")."""
    fields = ("name", "name_plural")
    return [
        _update_with_audit(
            acting_user=acting_user,
            instance=form.instance,
            data={name: form.cleaned_data[name] for name in fields},
            fields=fields,
        )
        for form in forms
        if form.has_changed()
    ]


@transaction.atomic
def unit_update(*, acting_user: User, unit: OrgUnit, data: dict[str, Any]) -> OrgUnit:
    return _update_with_audit(acting_user=acting_user, instance=unit, data=data, fields=UNIT_FIELDS, unit_id=unit.pk)


def _create_with_audit(*, acting_user: User, instance: Any, fields: Iterable[str], unit_id: int | None) -> Any:
    instance.full_clean()
    instance.save()
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CREATED,
        target=instance,
        unit_id=unit_id,
        changes=snapshot(instance, fields),
    )
    return instance


@transaction.atomic
def employer_create(*, acting_user: User, data: dict[str, Any]) -> Employer:
    employer = Employer(**data)
    return _create_with_audit(
        acting_user=acting_user, instance=employer, fields=EMPLOYER_FIELDS, unit_id=employer.unit_id
    )


@transaction.atomic
def employer_update(*, acting_user: User, employer: Employer, data: dict[str, Any]) -> Employer:
    return _update_with_audit(
        acting_user=acting_user, instance=employer, data=data, fields=EMPLOYER_FIELDS, unit_id=employer.unit_id
    )


@transaction.atomic
def workplace_create(*, acting_user: User, data: dict[str, Any]) -> Workplace:
    workplace = Workplace(**data)
    return _create_with_audit(
        acting_user=acting_user, instance=workplace, fields=WORKPLACE_FIELDS, unit_id=workplace.branch_id
    )


@transaction.atomic
def workplace_update(*, acting_user: User, workplace: Workplace, data: dict[str, Any]) -> Workplace:
    return _update_with_audit(
        acting_user=acting_user, instance=workplace, data=data, fields=WORKPLACE_FIELDS, unit_id=workplace.branch_id
    )


@transaction.atomic
def record_delete(*, acting_user: User, record: OrgUnit | Employer | Workplace, unit_id: int | None) -> None:
    """Delete an empty unit, employer or workplace (see selectors.delete_blockers), logging its name."""
    if blockers := delete_blockers(record):
        raise ValidationError(" ".join(blockers))
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.DELETED,
        target=record,
        unit_id=unit_id,
        changes={"name": str(record)},
    )
    record.delete()


# Roles ------------------------------------------------------------------------------------------


@transaction.atomic
def role_grant(
    *,
    acting_user: User,
    email: str,
    full_name: str,
    role: str,
    unit: OrgUnit,
    workplaces: Iterable[Workplace] = (),
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> RoleAssignment:
    """Give someone a role, creating their login if they have none (they set a password by email)."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    new_user = user is None
    if user is None:
        user = User.objects.create_user(email=email.strip(), full_name=full_name.strip())
    assignment = RoleAssignment(
        user=user, role=role, unit=unit, starts_on=starts_on, ends_on=ends_on, granted_by=acting_user
    )
    assignment.full_clean()
    assignment.save()
    assignment.workplaces.set(workplaces)
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.ROLE_GRANTED,
        target=assignment,
        unit_id=unit.pk,
        changes={"user": user.pk, "role": role, "starts_on": str(starts_on), "ends_on": str(ends_on or "")},
    )
    if new_user and request is not None:
        protocol, domain = ("https" if request.is_secure() else "http"), request.get_host()
        transaction.on_commit(lambda: send_welcome_email.enqueue(user_id=user.pk, protocol=protocol, domain=domain))
    return assignment


@transaction.atomic
def role_end(*, acting_user: User, assignment: RoleAssignment, ends_on: datetime.date) -> RoleAssignment:
    """End a role (for example after an election): from the day after ``ends_on`` it gives no access."""
    assignment.ends_on = ends_on
    assignment.full_clean()
    assignment.save(update_fields=["ends_on"])
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.ROLE_ENDED,
        target=assignment,
        unit_id=assignment.unit_id,
        changes={"ends_on": str(ends_on)},
    )
    return assignment
