"""Learning agreements: recording one and its key elements, uploading its versions, and applying its facility-time
clause to the reps it covers.

Writes validate, save and write their audit event in one transaction. The facility time an agreement sets feeds
each rep's FacilityAllowance with the employer (reps/facility.py), which the ULR register's facility-time page
compares with the time used: applying happens when an agreement becomes signed, when its hours (or the units it
covers) change while it is signed, and when a co-ordinator asks. Time agreed by hand is never overwritten.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record, diff, snapshot
from learningdesk.employers import documents, reviews
from learningdesk.employers.models import AgreementDocument, AgreementElement, Element, LearningAgreement
from learningdesk.org.models import Employer, OrgUnit, Person, Workplace
from learningdesk.reps import facility
from learningdesk.reps.facility import long_date
from learningdesk.reps.models import CURRENT_REP_STAGES, FacilityAllowance, Rep, RepKind
from learningdesk.reps.services import user_or_none

Status = LearningAgreement.Status
State = AgreementElement.State

# The fields of the agreement's form that are plain values (units and negotiators are set apart).
FIELDS = (
    "title",
    "status",
    "signed_on",
    "review_on",
    "ended_on",
    "employer_negotiators",
    "ulr_hours",
    "ulr_per",
    "coordinator_hours",
    "coordinator_per",
    "learner_hours",
    "notes",
)
# What the facility-time clause says: a change to any of these while signed sets the reps' time again.
TIME_FIELDS = ("ulr_hours", "ulr_per", "coordinator_hours", "coordinator_per")
# Short names for the elements matrix's columns (the full names are in Element's labels).
ELEMENT_SHORT_NAMES = {
    Element.PURPOSE: "Purpose",
    Element.DEFINITIONS: "Definitions",
    Element.ROLES: "Roles",
    Element.EQUALITIES: "Equalities",
    Element.DISAGREEMENTS: "Disagreements",
    Element.COMMITTEE: "Committee",
    Element.FACILITY_TIME: "Facility time",
    Element.TIME_OFF: "Time off",
    Element.REVIEW_DATE: "Review date",
    Element.LEGISLATION: "Legislation",
}


def audit_unit_id(agreement: LearningAgreement) -> int:
    """The audit log of an agreement is read by those over the employer's unit."""
    return agreement.employer.unit_id


# Reads ------------------------------------------------------------------------------------------


class ReviewFilter:
    DUE = "due"
    DUE_30 = "30"
    OVERDUE = "overdue"

    choices = [
        (DUE, "Review due in the next 90 days or overdue"),
        (DUE_30, "Review due in the next 30 days or overdue"),
        (OVERDUE, "Review overdue"),
    ]


@dataclass(frozen=True)
class ListFilter:
    status: str = ""
    review: str = ""
    lacking: str = ""  # an element: agreements where it is missing or weak

    @property
    def is_filtered(self) -> bool:
        return bool(self.status or self.review or self.lacking)


def filter_agreements(
    agreements: QuerySet[LearningAgreement], filters: ListFilter, *, today: datetime.date
) -> QuerySet[LearningAgreement]:
    """The agreements matching the list's filters, by employer then title."""
    if filters.status:
        agreements = agreements.filter(status=filters.status)
    if filters.review:
        days = {ReviewFilter.DUE: reviews.REVIEW_WARNINGS[0], ReviewFilter.DUE_30: reviews.REVIEW_WARNINGS[1]}
        last_day = today - datetime.timedelta(days=1) if filters.review == ReviewFilter.OVERDUE else None
        if filters.review in days:
            last_day = today + datetime.timedelta(days=days[filters.review])
        agreements = agreements.filter(status=Status.SIGNED, review_on__lte=last_day)
    if filters.lacking:
        lacking = AgreementElement.objects.filter(element=filters.lacking, state__in=[State.MISSING, State.WEAK])
        agreements = agreements.filter(pk__in=lacking.values("agreement"))
    return agreements.order_by("employer__name", "title", "pk")


@dataclass(frozen=True)
class ElementTotals:
    element: str
    missing: int
    weak: int

    @property
    def short_name(self) -> str:
        return ELEMENT_SHORT_NAMES[Element(self.element)]


def element_totals(agreements: QuerySet[LearningAgreement]) -> list[ElementTotals]:
    """For each key element, how many of the agreements lack it (missing) or have it weakly: one query."""
    rows = (
        AgreementElement.objects.filter(agreement__in=agreements.order_by().values("pk"))
        .order_by()
        .values("element")
        .annotate(
            missing=Count("pk", filter=Q(state=State.MISSING)),
            weak=Count("pk", filter=Q(state=State.WEAK)),
        )
    )
    by_element: dict[str, tuple[int, int]] = {row["element"]: (row["missing"], row["weak"]) for row in rows}
    return [
        ElementTotals(element, *by_element.get(element, (0, 0)))  # type: ignore[misc]
        for element in Element.values
    ]


def elements_in_order(agreement: LearningAgreement) -> list[AgreementElement]:
    """The agreement's ten elements in the handbook's order (from a prefetch when there is one); an element with
    no row (an agreement made before the checklist) shows as missing."""
    rows = {row.element: row for row in agreement.elements.all()}
    return [rows.get(element) or AgreementElement(agreement=agreement, element=element) for element in Element.values]


def covered_workplaces(agreement: LearningAgreement) -> QuerySet[Workplace]:
    """The employer's workplaces in the units the agreement covers (a unit covers its whole subtree)."""
    paths = [unit.path for unit in agreement.units.all()]
    if not paths:
        return Workplace.objects.none()
    in_units = Q()
    for path in paths:
        in_units |= Q(branch__path__startswith=path)
    return Workplace.objects.filter(in_units, employer_id=agreement.employer_id)


def covered_reps(agreement: LearningAgreement) -> QuerySet[Rep]:
    """Current reps working at one of the employer's workplaces in the units the agreement covers."""
    workplaces = covered_workplaces(agreement).values("pk")
    return (
        Rep.objects.filter(
            stage__in=CURRENT_REP_STAGES,
            pk__in=Rep.workplaces.through.objects.filter(workplace__in=workplaces).values("rep"),
        )
        .select_related("person", "kind")
        .order_by("person__last_name", "person__first_name", "pk")
    )


# Applying the facility-time clause --------------------------------------------------------------


class Outcome:
    NEW = "new"  # no time agreed with the employer yet: set from the agreement
    CHANGE = "change"  # time from this or another agreement, different: set from this one
    SAME = "same"  # already what the agreement says
    SEPARATE = "separate"  # agreed by hand: left as it is
    NO_TIME = "no_time"  # the agreement sets no time for this kind of rep


@dataclass(frozen=True)
class TimeChange:
    """What applying the agreement does for one rep."""

    rep: Rep
    current: FacilityAllowance | None
    hours: Decimal | None
    per: str
    outcome: str

    @property
    def changes(self) -> bool:
        return self.outcome in (Outcome.NEW, Outcome.CHANGE)


# The clause is about the statutory learning reps (TULRCA s.168A): ULRs, whatever the union calls them ("learner
# rep"). Champions and tutors volunteer without a statutory right to time off, so the clause gives them none.
ULR_KINDS = (RepKind.Code.ULR, RepKind.Code.LEARNER_REP)


def time_for(agreement: LearningAgreement, rep: Rep) -> tuple[Decimal | None, str]:
    """The hours and period the agreement gives a rep: the co-ordinator's for a learning co-ordinator, a ULR's for a
    ULR (or learner rep), none for other kinds."""
    if rep.kind.code == RepKind.Code.COORDINATOR:
        return agreement.coordinator_hours, agreement.coordinator_per
    if rep.kind.code in ULR_KINDS:
        return agreement.ulr_hours, agreement.ulr_per
    return None, agreement.ulr_per


def facility_time_plan(agreement: LearningAgreement) -> list[TimeChange]:
    """For each current rep the agreement covers, what applying its facility-time clause would do."""
    reps = list(covered_reps(agreement))
    allowances = {
        allowance.rep_id: allowance
        for allowance in FacilityAllowance.objects.filter(
            employer_id=agreement.employer_id, rep__in=[rep.pk for rep in reps]
        ).select_related("agreement")
    }
    plan = []
    for rep in reps:
        hours, per = time_for(agreement, rep)
        current = allowances.get(rep.pk)
        if current is not None and current.agreement_id is None:
            outcome = Outcome.SEPARATE
        elif hours is None:
            outcome = Outcome.NO_TIME
        elif current is None:
            outcome = Outcome.NEW
        elif current.agreement_id == agreement.pk and current.hours == hours and current.per == per:
            outcome = Outcome.SAME
        else:
            outcome = Outcome.CHANGE
        plan.append(TimeChange(rep=rep, current=current, hours=hours, per=per, outcome=outcome))
    return plan


@dataclass
class Applied:
    """What applying did: the reps whose time was set, and those left with time agreed separately."""

    changed: list[TimeChange] = field(default_factory=list)
    separate: list[TimeChange] = field(default_factory=list)

    def summary(self) -> str:
        if not self.changed:
            text = "No rep's facility time needed changing"
        else:
            n = len(self.changed)
            text = f"Facility time set from the agreement for {n} rep{'' if n == 1 else 's'}"
        if self.separate:
            m = len(self.separate)
            left = "left as it is" if m == 1 else "left as they are"
            text += f"; {m} rep{'' if m == 1 else 's'} with time agreed separately {left}"
        return text + "."


def check_can_apply(agreement: LearningAgreement) -> None:
    if agreement.status != Status.SIGNED:
        raise ValidationError("Only a signed agreement's facility time can be applied: record it as signed first.")
    if agreement.ulr_hours is None and agreement.coordinator_hours is None:
        raise ValidationError("The agreement sets no facility time: add the hours for ULRs or the co-ordinator first.")


@transaction.atomic
def facility_time_apply(*, acting_user: User | None, agreement: LearningAgreement) -> Applied:
    """Set each covered rep's facility time with the employer from the agreement, leaving time agreed by hand."""
    check_can_apply(agreement)
    LearningAgreement.objects.select_for_update().filter(pk=agreement.pk).first()
    applied = Applied()
    for change in facility_time_plan(agreement):
        if change.outcome == Outcome.SEPARATE:
            applied.separate.append(change)
        if not change.changes or change.hours is None:
            continue
        facility.allowance_set(
            acting_user=acting_user,
            rep=change.rep,
            employer=agreement.employer,
            hours=change.hours,
            per=change.per,
            agreed_on=agreement.signed_on,
            notes=f"From the learning agreement signed {long_date(agreement.signed_on)}"
            if agreement.signed_on
            else "From the learning agreement",
            agreement=agreement,
        )
        applied.changed.append(change)
    if applied.changed:
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CHANGED,
            target=agreement,
            unit_id=audit_unit_id(agreement),
            changes={"facility_time_applied": [change.rep.pk for change in applied.changed]},
        )
    return applied


# Saving an agreement ----------------------------------------------------------------------------


def units_for_employer(units: QuerySet[OrgUnit], employer: Employer) -> QuerySet[OrgUnit]:
    """Of `units`, those an agreement with the employer may cover: its own unit, and the units whose subtree
    holds one of its workplaces."""
    branch_paths = set(Workplace.objects.filter(employer=employer).values_list("branch__path", flat=True))
    paths = {path[:end] for path in branch_paths for end in range(OrgUnit.steplen, len(path) + 1, OrgUnit.steplen)}
    return units.filter(Q(path__in=paths) | Q(pk=employer.unit_id))


def check_agreement(agreement: LearningAgreement, units: list[OrgUnit], *, today: datetime.date) -> None:
    """The rules between the fields, each with a message next to the field to put right."""
    errors: dict[str, str] = {}
    signed, ended = agreement.signed_on, agreement.ended_on
    if not units:
        errors["units"] = "Select the branches (or the region) whose members the agreement covers"
    if agreement.status == Status.SIGNED and signed is None:
        errors["signed_on"] = "Enter the date the agreement was signed"
    elif agreement.status in (Status.DRAFT, Status.NEGOTIATING) and signed is not None:
        errors["signed_on"] = (
            f"An agreement {'in negotiation' if agreement.status == Status.NEGOTIATING else 'in draft'} has not "
            "been signed: clear the date, or choose “Signed”"
        )
    elif signed is not None and signed > today:
        errors["signed_on"] = "The date it was signed cannot be in the future"
    if agreement.review_on is not None and signed is not None and agreement.review_on <= signed:
        errors["review_on"] = f"The review date must be after the date it was signed ({long_date(signed)})"
    if agreement.status == Status.ENDED and ended is None:
        errors["ended_on"] = "Enter the date the agreement ended"
    elif ended is not None and agreement.status not in (Status.ENDED, Status.EXPIRED):
        errors["ended_on"] = "Only an ended or expired agreement has an end date: clear it, or choose “Ended”"
    elif ended is not None and signed is not None and ended < signed:
        errors["ended_on"] = f"The end date must be on or after the date it was signed ({long_date(signed)})"
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class Saved:
    agreement: LearningAgreement
    # The facility time set because the agreement became signed or its clause changed (None: nothing applied).
    applied: Applied | None = None


def _ids(records: list[Any]) -> list[int]:
    return sorted(record.pk for record in records)


@transaction.atomic
def agreement_save(
    *,
    acting_user: User | None,
    data: dict[str, Any],
    agreement: LearningAgreement | None = None,
    employer: Employer | None = None,
    today: datetime.date | None = None,
) -> Saved:
    """Record a new agreement with `employer` (`agreement` None), with its ten key elements missing until the
    checklist says otherwise, or change one. `data`: FIELDS, `units` and `negotiated_by`.

    When the agreement is signed and has just become so, or its facility time or units changed, the time is
    applied to the reps it covers in the same transaction.
    """
    today = today or timezone.localdate()
    adding = agreement is None
    if agreement is None:
        if employer is None:
            raise ValidationError({"employer": "Select the employer"})
        agreement = LearningAgreement(employer=employer, created_by=user_or_none(acting_user))
        before: dict[str, Any] = {}
        units_before: list[int] = []
        negotiators_before: list[int] = []
    else:
        agreement = LearningAgreement.objects.select_for_update().select_related("employer").get(pk=agreement.pk)
        before = snapshot(agreement, FIELDS)
        units_before = _ids(list(agreement.units.all()))
        negotiators_before = _ids(list(agreement.negotiated_by.all()))
    for name in FIELDS:
        if name in data:
            setattr(agreement, name, data[name])
    units = list(data.get("units", agreement.units.all() if not adding else []))
    negotiators: list[Person] = list(data.get("negotiated_by", agreement.negotiated_by.all() if not adding else []))
    check_agreement(agreement, units, today=today)
    wrong = set(_ids(units)) - set(
        units_for_employer(OrgUnit.objects.filter(pk__in=_ids(units)), agreement.employer).values_list("pk", flat=True)
    )
    if wrong:
        names = ", ".join(unit.name for unit in units if unit.pk in wrong)
        raise ValidationError(
            {
                "units": f"{agreement.employer.name} has no workplaces in {names}: "
                "choose the units whose members work there"
            }
        )
    agreement.updated_at = timezone.now()
    agreement.full_clean(exclude=["units", "negotiated_by"])
    agreement.save()
    agreement.units.set(units)
    agreement.negotiated_by.set(negotiators)
    if adding:
        AgreementElement.objects.bulk_create(AgreementElement(agreement=agreement, element=e) for e in Element.values)
    after = snapshot(agreement, FIELDS)
    changes: dict[str, Any] = diff(before, after)
    if _ids(units) != units_before:
        changes["units"] = [units_before, _ids(units)]
    if _ids(negotiators) != negotiators_before:
        changes["negotiated_by"] = [negotiators_before, _ids(negotiators)]
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CREATED if adding else AuditEvent.Action.CHANGED,
        target=agreement,
        unit_id=audit_unit_id(agreement),
        changes=changes,
    )
    time_changed = any(name in changes for name in TIME_FIELDS) or "units" in changes
    became_signed = before.get("status") != Status.SIGNED
    applied = None
    has_time = agreement.ulr_hours is not None or agreement.coordinator_hours is not None
    if agreement.status == Status.SIGNED and has_time and (became_signed or time_changed):
        applied = facility_time_apply(acting_user=acting_user, agreement=agreement)
    return Saved(agreement=agreement, applied=applied)


# The key elements -------------------------------------------------------------------------------


@transaction.atomic
def elements_save(
    *, acting_user: User | None, agreement: LearningAgreement, states: dict[str, tuple[str, str]]
) -> list[str]:
    """Record each key element as present, weak or missing, with notes. `states`: element -> (state, notes).
    Returns the elements that changed."""
    LearningAgreement.objects.select_for_update().filter(pk=agreement.pk).first()
    rows = {row.element: row for row in AgreementElement.objects.filter(agreement=agreement)}
    changed: dict[str, list[str]] = {}
    to_create, to_update = [], []
    for element, (state, notes) in states.items():
        if element not in Element.values or state not in State.values:
            raise ValidationError(f"Unknown element or state: {element}, {state}")
        row = rows.get(element)
        if row is None:
            row = AgreementElement(agreement=agreement, element=element)
            to_create.append(row)
        elif row.state == state and row.notes == notes:
            continue
        else:
            to_update.append(row)
        changed[element] = [row.state, state]
        row.state, row.notes = state, notes
        row.full_clean(exclude=["agreement"], validate_unique=False)
    AgreementElement.objects.bulk_create(to_create)
    AgreementElement.objects.bulk_update(to_update, ["state", "notes"])
    if changed:
        LearningAgreement.objects.filter(pk=agreement.pk).update(updated_at=timezone.now())
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CHANGED,
            target=agreement,
            unit_id=audit_unit_id(agreement),
            changes={"elements": changed},
        )
    return list(changed)


def element_counts(elements: list[AgreementElement]) -> Counter[str]:
    return Counter(element.state for element in elements)


# Documents --------------------------------------------------------------------------------------


@transaction.atomic
def document_add(
    *, acting_user: User | None, agreement: LearningAgreement, uploaded: UploadedFile, note: str = ""
) -> AgreementDocument:
    """Keep a new version of the agreement's text, checked by its content, under a random name."""
    checked = documents.check_document(uploaded)
    # One upload at a time numbers the versions: the agreement's row is the lock.
    LearningAgreement.objects.select_for_update().filter(pk=agreement.pk).first()
    latest = AgreementDocument.objects.filter(agreement=agreement).aggregate(latest=Max("version"))["latest"] or 0
    document = AgreementDocument(
        agreement=agreement,
        version=latest + 1,
        original_name=checked.original_name,
        kind=checked.kind,
        size=checked.size,
        sha256=checked.sha256,
        note=note,
        uploaded_by=user_or_none(acting_user),
    )
    document.file.save(checked.original_name, uploaded, save=False)
    stored = document.file.name or ""
    storage = document.file.storage
    try:
        document.full_clean(exclude=["file"])
        document.save()
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CREATED,
            target=document,
            unit_id=audit_unit_id(agreement),
            changes={"agreement": agreement.pk, "version": document.version, "sha256": checked.sha256},
        )
    except Exception:
        storage.delete(stored)
        raise
    return document
