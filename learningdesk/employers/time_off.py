"""Time off for learners: logging a member's request and the manager's decision, the negotiation case a refusal
opens ("negotiation: they have refused time off for a member"), its notes and outcome, and the figures per
employer.

A refusal, and a partial approval, open a case in the same transaction as the decision: hours refused are time
off refused, whether all of it or some, and the co-ordinator decides whether to take it up (a member happy with
part of it is a case closed as "member withdrew"). The case is owned by the co-ordinator of the member's branch
and they are emailed. Closing a case as won or partly sets the request's hours approved, so the figures say what
members finally got; the manager's decision stays as they made it, so the figures also say how often they refuse.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record, save_and_audit
from learningdesk.employers.models import CaseNote, NegotiationCase, TimeOffRequest
from learningdesk.org import scoping
from learningdesk.org.models import Employer, Person, Role, RoleAssignment
from learningdesk.reps.facility import format_hours, long_date

logger = logging.getLogger(__name__)

Decision = TimeOffRequest.Decision
Outcome = NegotiationCase.Outcome
ZERO = Decimal("0")


def hours_label(value: Decimal | None) -> str:
    text = format_hours(value)
    return f"{text} hour" if text == "1" else f"{text} hours"


# Reads other pages share ---------------------------------------------------------------------------


def open_cases(user: User) -> QuerySet[NegotiationCase]:
    """The open negotiation cases the user can see, the oldest first (the longest waiting)."""
    return (
        scoping.visible_negotiation_cases(user)
        .filter(status=NegotiationCase.Status.OPEN)
        .select_related("request__activity")
        .order_by("opened_on", "id")
    )


def person_requests(user: User, person: Person) -> QuerySet[TimeOffRequest]:
    """A member's time-off requests, newest first, with their cases (for the person's page)."""
    return (
        scoping.visible_time_off_requests(user)
        .filter(person=person)
        .select_related("case")
        .order_by("-requested_on", "-id")
    )


# The list ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeOffFilter:
    employer: Employer | None = None
    decision: str = ""
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None

    @property
    def is_filtered(self) -> bool:
        return bool(self.employer or self.decision or self.starts_on or self.ends_on)

    @property
    def period_name(self) -> str:
        if self.starts_on and self.ends_on:
            return f"{long_date(self.starts_on)} to {long_date(self.ends_on)}"
        if self.starts_on:
            return f"since {long_date(self.starts_on)}"
        if self.ends_on:
            return f"up to {long_date(self.ends_on)}"
        return "all time"


def last_twelve_months(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The period the list starts with: the twelve months up to today."""
    today = today or timezone.localdate()
    try:
        a_year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        a_year_ago = today.replace(year=today.year - 1, day=28)
    return a_year_ago + datetime.timedelta(days=1), today


def _in_period(
    requests: QuerySet[TimeOffRequest], starts_on: datetime.date | None, ends_on: datetime.date | None
) -> QuerySet[TimeOffRequest]:
    """Requests made in the period (by the date the member asked)."""
    if starts_on is not None:
        requests = requests.filter(requested_on__gte=starts_on)
    if ends_on is not None:
        requests = requests.filter(requested_on__lte=ends_on)
    return requests


def request_list(*, user: User, filters: TimeOffFilter) -> QuerySet[TimeOffRequest]:
    """Requests in the user's scope, the newest first, filtered."""
    requests = _in_period(scoping.visible_time_off_requests(user), filters.starts_on, filters.ends_on)
    if filters.employer is not None:
        requests = requests.filter(employer=filters.employer)
    if filters.decision:
        requests = requests.filter(decision=filters.decision)
    return requests.select_related("case").order_by("-requested_on", "-id")


# Figures per employer ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """What happened to the requests made to one employer in a period (or to all of them, for a total)."""

    employer_id: int | None
    employer_name: str
    requested: int = 0
    hours_requested: Decimal = ZERO
    approved: int = 0
    partly: int = 0
    refused: int = 0
    pending: int = 0
    hours_approved: Decimal = ZERO  # after any case won or partly won
    cases_won: int = 0
    cases_partly: int = 0
    cases_lost: int = 0
    cases_withdrawn: int = 0
    cases_open: int = 0

    @property
    def cases(self) -> int:
        return self.cases_won + self.cases_partly + self.cases_lost + self.cases_withdrawn + self.cases_open

    @property
    def is_empty(self) -> bool:
        return self.requested == 0

    @classmethod
    def total(cls, rows: list[Figures]) -> Figures:
        """All the rows added up (each request is in one row only: one employer each)."""
        sums = {
            field.name: sum((getattr(row, field.name) for row in rows), start=getattr(cls, field.name))
            for field in dataclasses.fields(cls)
            if field.name not in ("employer_id", "employer_name")
        }
        return cls(employer_id=None, employer_name="All employers", **sums)


def _count(**lookup: object) -> Count:
    return Count("pk", filter=Q(**lookup))


def _hours_sum(field_name: str) -> Coalesce:
    return Coalesce(Sum(field_name), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2))


FIGURES = {
    "requested": Count("pk"),
    "hours_requested": _hours_sum("hours"),
    "approved": _count(decision=Decision.APPROVED),
    "partly": _count(decision=Decision.PARTLY),
    "refused": _count(decision=Decision.REFUSED),
    "pending": _count(decision=Decision.PENDING),
    "hours_approved": _hours_sum("hours_approved"),
    "cases_won": _count(case__status=NegotiationCase.Status.CLOSED, case__outcome=Outcome.WON),
    "cases_partly": _count(case__status=NegotiationCase.Status.CLOSED, case__outcome=Outcome.PARTLY),
    "cases_lost": _count(case__status=NegotiationCase.Status.CLOSED, case__outcome=Outcome.LOST),
    "cases_withdrawn": _count(case__status=NegotiationCase.Status.CLOSED, case__outcome=Outcome.WITHDRAWN),
    "cases_open": _count(case__status=NegotiationCase.Status.OPEN),
}


def figures_by_employer(
    user: User,
    *,
    employer: Employer | None = None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> list[Figures]:
    """The figures for each employer with requests in the period, by name: one query, grouped in the database.

    Each request has at most one case (a one-to-one join), so the sums count each request's hours once.
    """
    requests = _in_period(scoping.visible_time_off_requests(user), starts_on, ends_on)
    if employer is not None:
        requests = requests.filter(employer=employer)
    rows = (
        requests.select_related(None)
        .values("employer_id", "employer__name")
        .annotate(**FIGURES)
        .order_by("employer__name", "employer_id")
    )
    return [_figures(cast(dict[str, Any], row)) for row in rows]


def _figures(row: dict[str, Any]) -> Figures:
    return Figures(
        employer_id=row["employer_id"], employer_name=row["employer__name"], **{name: row[name] for name in FIGURES}
    )


def employer_figures(
    user: User, employer: Employer, *, starts_on: datetime.date | None, ends_on: datetime.date | None
) -> Figures:
    """The figures for one employer in the period (all nought when no request was made): for the employer page."""
    rows = figures_by_employer(user, employer=employer, starts_on=starts_on, ends_on=ends_on)
    return rows[0] if rows else Figures(employer_id=employer.pk, employer_name=employer.name)


# Logging a request and its decision -----------------------------------------------------------------


def _audit(acting_user: User | None, action: str, record: TimeOffRequest | NegotiationCase | CaseNote) -> None:
    request = record if isinstance(record, TimeOffRequest) else _request_of(record)
    audit_record(actor=acting_user, action=action, target=record, unit_id=request.person.branch_id)


def _request_of(record: NegotiationCase | CaseNote) -> TimeOffRequest:
    return record.request if isinstance(record, NegotiationCase) else record.case.request


def clean_request(request: TimeOffRequest) -> None:
    """The rules for a request as logged, whatever form it came from."""
    errors: dict[str, str] = {}
    if request.activity_id is None and not request.learning.strip():
        errors["learning"] = "Choose the activity, or type what the learning is"
    if request.manager_id is not None and request.manager.employer_id != request.employer_id:  # type: ignore[union-attr]
        errors["manager"] = "Choose a manager who works for the employer you chose, or type their name"
    if request.requested_on and request.requested_on > timezone.localdate():
        errors["requested_on"] = "The date they asked must be today or in the past"
    if errors:
        raise ValidationError(errors)


def request_log(*, acting_user: User, request: TimeOffRequest, fields: list[str]) -> TimeOffRequest:
    """Log a member's request for time off to learn (waiting for the manager's decision), audited."""
    request.learning = request.learning.strip()
    request.manager_name = request.manager_name.strip()
    request.recorded_by = acting_user
    clean_request(request)
    with transaction.atomic():
        save_and_audit(actor=acting_user, record=request, unit_id=request.person.branch_id, fields=fields)
    return request


def clean_decision(
    request: TimeOffRequest,
    *,
    decision: str,
    hours_approved: Decimal | None,
    reason: str,
    decided_on: datetime.date | None,
) -> Decimal:
    """Check a decision against the request; returns the hours approved it gives."""
    errors: dict[str, str] = {}
    asked = request.hours
    approved = ZERO
    if decision == Decision.APPROVED:
        if hours_approved is not None and hours_approved != asked:
            errors["hours_approved"] = (
                f"Leave this blank when all {hours_label(asked)} were approved, or choose “Partly approved”"
            )
        approved = asked
    elif decision == Decision.PARTLY:
        if hours_approved is None:
            errors["hours_approved"] = f"Enter how many of the {hours_label(asked)} asked for were approved"
        elif hours_approved <= 0:
            errors["hours_approved"] = "Enter more than 0 hours, or choose “Refused”"
        elif hours_approved >= asked:
            errors["hours_approved"] = (
                f"Enter fewer than the {hours_label(asked)} asked for, or choose “Approved” if they got them all"
            )
        else:
            approved = hours_approved
    elif decision == Decision.REFUSED:
        if not reason.strip():
            errors["reason"] = "Enter the reason the manager gave for refusing, or “No reason given”"
        if hours_approved:
            errors["hours_approved"] = "Leave this blank for a refusal, or choose “Partly approved”"
    else:
        errors["decision"] = "Select the manager's decision"
    if decided_on is None:
        errors["decided_on"] = "Enter the date of the decision"
    elif decided_on > timezone.localdate():
        errors["decided_on"] = "The date of the decision must be today or in the past"
    elif decided_on < request.requested_on:
        errors["decided_on"] = (
            f"The date of the decision must be on or after the request ({long_date(request.requested_on)})"
        )
    if errors:
        raise ValidationError(errors)
    return approved


@dataclass(frozen=True)
class DecisionResult:
    request: TimeOffRequest
    case: NegotiationCase | None
    case_opened: bool = False  # a new case
    case_reopened: bool = False
    case_closed: bool = False  # the manager approved it all after all


def _decision_words(request: TimeOffRequest) -> str:
    """'refused the 6 hours asked for', 'approved 3 of the 6 hours asked for', 'approved all 6 hours'."""
    asked = hours_label(request.hours)
    match request.decision:
        case Decision.REFUSED:
            return f"refused the {asked} asked for"
        case Decision.PARTLY:
            return f"approved {format_hours(request.hours_approved)} of the {asked} asked for"
        case Decision.APPROVED:
            return f"approved all {asked}"
    return "has not decided yet"


def _first_note(request: TimeOffRequest) -> str:
    manager = request.manager.name if request.manager_id else request.manager_name  # type: ignore[union-attr]
    lines = [
        f"{request.employer.name} {_decision_words(request)}: “{request.what}” "
        f"(asked on {long_date(request.requested_on)}, decided on {long_date(request.decided_on)})."  # type: ignore[arg-type]
    ]
    if manager:
        lines.append(f"Manager: {manager}.")
    lines.append(f"Reason given: {request.reason}" if request.reason else "No reason recorded.")
    return "\n".join(lines)


def first_owner(request: TimeOffRequest, acting_user: User) -> User | None:
    """Who takes the case up: the co-ordinator of the member's branch (the one recording it, if they are one;
    else the first by name), or no one yet."""
    today = timezone.localdate()
    coordinators = (
        RoleAssignment.objects.filter(role=Role.BRANCH_COORDINATOR, unit_id=request.person.branch_id)
        .filter(starts_on__lte=today, user__is_active=True)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values_list("user_id", flat=True)
    )
    ids = set(coordinators)
    if acting_user.pk in ids:
        return acting_user
    return User.objects.filter(pk__in=ids).order_by("full_name", "pk").first()


def _note(case: NegotiationCase, text: str, *, acting_user: User | None, on: datetime.date | None = None) -> CaseNote:
    return CaseNote.objects.create(case=case, text=text, on=on or timezone.localdate(), written_by=acting_user)


def _open_case(request: TimeOffRequest, acting_user: User) -> NegotiationCase:
    case = NegotiationCase.objects.create(
        request=request, opened_on=request.decided_on or timezone.localdate(), owner=first_owner(request, acting_user)
    )
    _note(case, _first_note(request), acting_user=acting_user, on=case.opened_on)
    _audit(acting_user, AuditEvent.Action.CREATED, case)
    if case.owner is not None and case.owner != acting_user and case.owner.email:
        transaction.on_commit(lambda: send_case_opened_email.enqueue(case.pk))
    return case


def request_decide(
    *,
    acting_user: User,
    request: TimeOffRequest,
    decision: str,
    hours_approved: Decimal | None,
    reason: str,
    decided_on: datetime.date | None,
) -> DecisionResult:
    """Record the manager's decision (or their changed mind), audited. A refusal or partial approval opens a
    negotiation case, or reopens the request's case if it was closed; approving it all closes an open case as
    won. A request never has two cases."""
    with transaction.atomic():
        # Locked: two people recording the decision at once must not both open a case.
        request = (
            TimeOffRequest.objects.select_for_update(of=("self",))
            .select_related("person", "employer", "activity", "manager")
            .get(pk=request.pk)
        )
        approved = clean_decision(
            request, decision=decision, hours_approved=hours_approved, reason=reason, decided_on=decided_on
        )
        before = request.get_decision_display() if request.decision != Decision.PENDING else ""
        request.decision = decision
        request.hours_approved = approved
        request.reason = reason.strip()
        request.decided_on = decided_on
        save_and_audit(
            actor=acting_user,
            record=request,
            unit_id=request.person.branch_id,
            fields=["decision", "hours_approved", "reason", "decided_on"],
        )
        case = NegotiationCase.objects.filter(request=request).first()
        refused_some = decision in (Decision.REFUSED, Decision.PARTLY)
        if case is None:
            if refused_some:
                return DecisionResult(request, _open_case(request, acting_user), case_opened=True)
            return DecisionResult(request, None)
        return _redecided(request, case, acting_user=acting_user, before=before)


def _redecided(request: TimeOffRequest, case: NegotiationCase, *, acting_user: User, before: str) -> DecisionResult:
    """The manager changed their mind about a request with a case: the case says so, and follows."""
    text = f"The decision was recorded again: {request.employer.name} {_decision_words(request)}"
    text += f" (was: {before.lower()})." if before else "."
    if request.reason:
        text += f"\nReason given: {request.reason}"
    refused_some = request.decision in (Decision.REFUSED, Decision.PARTLY)
    reopened = closed = False
    if case.status == NegotiationCase.Status.CLOSED and refused_some:
        case.status, case.outcome, case.closed_on, case.hours_before_outcome = (
            NegotiationCase.Status.OPEN,
            "",
            None,
            None,
        )
        text += "\nThe case is open again."
        reopened = True
    elif case.status == NegotiationCase.Status.OPEN and not refused_some:
        case.status, case.outcome, case.closed_on = NegotiationCase.Status.CLOSED, Outcome.WON, request.decided_on
        # Reopening puts back the hours the manager approved: all of them, now.
        case.hours_before_outcome = request.hours_approved
        text += "\nThe case is closed: time off given."
        closed = True
    if reopened or closed:
        case.save(update_fields=["status", "outcome", "closed_on", "hours_before_outcome"])
        _audit(acting_user, AuditEvent.Action.CHANGED, case)
    _note(case, text, acting_user=acting_user, on=request.decided_on)
    return DecisionResult(request, case, case_reopened=reopened, case_closed=closed)


# The negotiation case ---------------------------------------------------------------------------


def case_note_add(*, acting_user: User, case: NegotiationCase, text: str, on: datetime.date) -> CaseNote:
    """Add a note of what happened (a meeting with the manager, a call with the member), audited."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter what happened"})
    if on > timezone.localdate():
        raise ValidationError({"on": "The date must be today or in the past"})
    with transaction.atomic():
        note = _note(case, text, acting_user=acting_user, on=on)
        _audit(acting_user, AuditEvent.Action.CREATED, note)
    return note


def case_assign(*, acting_user: User, case: NegotiationCase, owner: User | None) -> NegotiationCase:
    """Take the case on, or pass it to another co-ordinator (None: no one), with a note and an audit record."""
    if owner == case.owner:
        return case
    with transaction.atomic():
        case.owner = owner
        case.save(update_fields=["owner"])
        if owner is None:
            text = "No one is taking the case up now."
        elif owner == acting_user:
            text = f"{owner} took the case on."
        else:
            text = f"Passed to {owner}."
        _note(case, text, acting_user=acting_user)
        _audit(acting_user, AuditEvent.Action.CHANGED, case)
    if owner is not None and owner != acting_user and owner.email:
        transaction.on_commit(lambda: send_case_opened_email.enqueue(case.pk))
    return case


def clean_close(
    case: NegotiationCase, *, outcome: str, hours: Decimal | None, note: str, closed_on: datetime.date
) -> Decimal | None:
    """Check a closing; returns the request's hours approved once closed (None: unchanged)."""
    errors: dict[str, str] = {}
    asked = case.request.hours
    final: Decimal | None = None
    if case.status != NegotiationCase.Status.OPEN:
        errors["outcome"] = "The case is already closed"
    if outcome == Outcome.WON:
        if hours is not None and hours != asked:
            errors["hours"] = (
                f"Leave this blank when the member got all {hours_label(asked)}, or choose “Some time off given”"
            )
        final = asked
    elif outcome == Outcome.PARTLY:
        if hours is None:
            errors["hours"] = f"Enter how many of the {hours_label(asked)} asked for the member got in the end"
        elif hours <= 0:
            errors["hours"] = "Enter more than 0 hours, or choose “Refusal stood”"
        elif hours >= asked:
            errors["hours"] = f"Enter fewer than the {hours_label(asked)} asked for, or choose “Time off given”"
        else:
            final = hours
    elif outcome in (Outcome.LOST, Outcome.WITHDRAWN):
        if hours:
            errors["hours"] = "Leave this blank: the hours approved stay as the manager decided"
    else:
        errors["outcome"] = "Select how the case ended"
    if not note.strip():
        errors["note"] = "Enter a closing note: what was agreed, or why the case ends here"
    if closed_on < case.opened_on:
        errors["closed_on"] = f"The date must be on or after the case opened ({long_date(case.opened_on)})"
    elif closed_on > timezone.localdate():
        errors["closed_on"] = "The date must be today or in the past"
    if errors:
        raise ValidationError(errors)
    return final


def case_close(
    *,
    acting_user: User,
    case: NegotiationCase,
    outcome: str,
    note: str,
    hours: Decimal | None = None,
    closed_on: datetime.date | None = None,
) -> NegotiationCase:
    """Close the case with its outcome and a closing note; won or partly sets the request's hours approved."""
    with transaction.atomic():
        case = (
            NegotiationCase.objects.select_for_update(of=("self",))
            .select_related("request__person", "request__employer", "request__activity", "owner")
            .get(pk=case.pk)
        )
        closed_on = closed_on or timezone.localdate()
        final = clean_close(case, outcome=outcome, hours=hours, note=note, closed_on=closed_on)
        request = case.request
        case.hours_before_outcome = request.hours_approved
        case.status, case.outcome, case.closed_on = NegotiationCase.Status.CLOSED, outcome, closed_on
        case.save(update_fields=["status", "outcome", "closed_on", "hours_before_outcome"])
        text = f"Closed: {case.get_outcome_display().lower()}"
        if final is not None and final != request.hours_approved:
            request.hours_approved = final
            save_and_audit(
                actor=acting_user, record=request, unit_id=request.person.branch_id, fields=["hours_approved"]
            )
            text += f", {hours_label(final)} approved in the end"
        _note(case, f"{text}.\n{note.strip()}", acting_user=acting_user, on=case.closed_on)
        _audit(acting_user, AuditEvent.Action.CHANGED, case)
    return case


def case_reopen(*, acting_user: User, case: NegotiationCase, note: str) -> NegotiationCase:
    """Open a closed case again (the employer went back on it, the member asks again), putting back the hours
    approved it changed."""
    if not note.strip():
        raise ValidationError({"note": "Enter why the case is open again"})
    with transaction.atomic():
        case = (
            NegotiationCase.objects.select_for_update(of=("self",))
            .select_related("request__person", "request__employer", "request__activity", "owner")
            .get(pk=case.pk)
        )
        if case.status != NegotiationCase.Status.CLOSED:
            raise ValidationError({"note": "The case is open already"})
        request = case.request
        if case.hours_before_outcome is not None and case.hours_before_outcome != request.hours_approved:
            request.hours_approved = case.hours_before_outcome
            save_and_audit(
                actor=acting_user, record=request, unit_id=request.person.branch_id, fields=["hours_approved"]
            )
        case.status, case.outcome, case.closed_on, case.hours_before_outcome = (
            NegotiationCase.Status.OPEN,
            "",
            None,
            None,
        )
        case.save(update_fields=["status", "outcome", "closed_on", "hours_before_outcome"])
        _note(case, f"Opened again.\n{note.strip()}", acting_user=acting_user)
        _audit(acting_user, AuditEvent.Action.CHANGED, case)
    return case


# The email to the co-ordinator who takes the case up ----------------------------------------------


def case_url(case: NegotiationCase) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('employers:case_detail', args=[case.pk])}"


def send_case_email(case_pk: int) -> bool:
    """Tell the case's owner it is theirs to take up. A failing mail server is logged: the case stands."""
    case = (
        NegotiationCase.objects.select_related("owner", "request__person", "request__employer", "request__activity")
        .filter(pk=case_pk, status=NegotiationCase.Status.OPEN)
        .first()
    )
    if case is None or case.owner is None or not case.owner.email:
        return False
    request = case.request
    context = {
        "case": case,
        "request": request,
        "owner": case.owner,
        "decision_words": _decision_words(request),
        "url": case_url(case),
        "requested_on": long_date(request.requested_on),
    }
    message = EmailMultiAlternatives(
        subject=" ".join(render_to_string("employers/case_email_subject.txt", context).split()),
        body=render_to_string("employers/case_email.txt", context),
        to=[case.owner.email],
    )
    message.attach_alternative(render_to_string("employers/case_email.html", context), "text/html")
    try:
        return bool(mailers.default.send_messages([message]))
    except Exception:  # any mail server failure: SMTP errors, refused connections, timeouts
        logger.exception("Could not send the email about negotiation case %s", case_pk)
        return False


@task()
def send_case_opened_email(case_pk: int) -> None:
    send_case_email(case_pk)
