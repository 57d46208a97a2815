"""Facility time and a rep's conversations: agreed allowances, time logged by reps, agreed against used, and
what a rep sees of themselves.

Writes (`allowance_set`, `time_log`, `conversation_log`) validate, save and write their audit event in one
transaction, like the other services; the reads below them are shared by the views and the template tags.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import dateformat, timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.org import scoping
from learningdesk.org.models import Employer, Person
from learningdesk.reps import services
from learningdesk.reps.models import (
    CURRENT_REP_STAGES,
    Action,
    Conversation,
    FacilityAllowance,
    FacilityTimeEntry,
    Method,
    Rep,
    RepKind,
    RepMeeting,
    Source,
    Stage,
)
from learningdesk.reps.services import user_or_none

if TYPE_CHECKING:
    from learningdesk.employers.models import LearningAgreement

MIN_HOURS = Decimal("0.25")
MAX_HOURS = Decimal("24")
# Time is logged straight after, or caught up on later: a year back is the furthest a rep should need.
LOG_YEARS_BACK = 1
# "Using none": agreed time but nothing logged for this long, often a sign a manager is blocking them.
USING_NONE_MONTHS = 3
HOURS = models.DecimalField(max_digits=12, decimal_places=2)
ZERO = Decimal("0")


def long_date(day: datetime.date) -> str:
    """3 March 2027, as every page shows dates."""
    return dateformat.format(day, "j F Y")


def format_hours(value: Decimal | float | int | None) -> str:
    """Hours without trailing zeros: 1.50 -> "1.5", 2.00 -> "2", 0.25 -> "0.25"."""
    text = f"{Decimal(value or 0).quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".")


def _audit(*, acting_user: User | None, action: str, rep: Rep, target: models.Model, changes: dict[str, Any]) -> None:
    audit_record(actor=acting_user, action=action, target=target, unit_id=rep.person.branch_id, changes=changes)


# Access -----------------------------------------------------------------------------------------


def get_loggable_rep(user: User, pk: object) -> Rep:
    """A rep whose time and conversations the user may log (their own, or one they look after); 404 otherwise."""
    if not str(pk).isdigit():
        raise Http404
    return get_object_or_404(scoping.loggable_reps(user).select_related("person__branch"), pk=pk)


def own_loggable_reps(user: User) -> QuerySet[Rep]:
    """The learning roles the user holds themselves and may log for."""
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return Rep.objects.none()
    return scoping.loggable_reps(user).filter(person_id=person_id).select_related("person__branch")


def employers_for(rep: Rep) -> list[Employer]:
    """The employers a rep works for: their (first) workplace's employer first, then any they have agreed time with."""
    employers: dict[int, Employer] = {}
    for workplace in rep.workplaces.select_related("employer").order_by("name", "pk"):
        employers.setdefault(workplace.employer_id, workplace.employer)
    for allowance in rep.facility_allowances.select_related("employer"):
        employers.setdefault(allowance.employer_id, allowance.employer)
    return list(employers.values())


# Agreed facility time ---------------------------------------------------------------------------


@transaction.atomic
def allowance_set(
    *,
    acting_user: User | None,
    rep: Rep,
    employer: Employer,
    hours: Decimal,
    per: str,
    agreed_on: datetime.date | None = None,
    notes: str = "",
    agreement: LearningAgreement | None = None,
) -> FacilityAllowance:
    """Record the facility time agreed with an employer for a rep: one per rep and employer, so a second
    agreement with the same employer replaces the first. `agreement`: the learning agreement it comes from
    (employers/agreements.py); time agreed by hand has none, and applying an agreement leaves it alone."""
    allowance = FacilityAllowance.objects.select_for_update().filter(rep=rep, employer=employer).first()
    created = allowance is None
    if allowance is None:
        allowance = FacilityAllowance(rep=rep, employer=employer)
    before = {"hours": str(allowance.hours), "per": allowance.per} if not created else {}
    if agreed_on and agreed_on > timezone.localdate():
        raise ValidationError({"agreed_on": "The date it was agreed cannot be in the future."})
    allowance.hours = hours
    allowance.per = per
    allowance.agreed_on = agreed_on
    allowance.notes = notes
    allowance.agreement = agreement
    allowance.full_clean()
    allowance.save()
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CREATED if created else AuditEvent.Action.CHANGED,
        rep=rep,
        target=allowance,
        changes={
            "employer": employer.pk,
            "hours": str(hours),
            "per": per,
            **({"agreement": agreement.pk} if agreement else {}),
            **({"before": before} if before else {}),
        },
    )
    return allowance


# Logging time -----------------------------------------------------------------------------------


def earliest_log_date(today: datetime.date) -> datetime.date:
    return today - relativedelta(years=LOG_YEARS_BACK)


def check_log_date(on: datetime.date, today: datetime.date | None = None) -> None:
    """A logged date is today or up to a year back: anything else is a slip of the thumb."""
    today = today or timezone.localdate()
    if on > today:
        raise ValidationError({"on": "The date cannot be in the future."})
    if on < earliest_log_date(today):
        raise ValidationError(
            {"on": f"The date must be within the last year (since {long_date(earliest_log_date(today))})."}
        )


def check_hours(hours: Decimal | None) -> None:
    if hours is None or not MIN_HOURS <= hours <= MAX_HOURS:
        raise ValidationError({"hours": "Enter hours between 0.25 (a quarter of an hour) and 24."})


def _check_current(rep: Rep) -> None:
    if rep.stage == Stage.STOOD_DOWN:
        raise ValidationError("This rep has stood down: time and conversations can no longer be logged for them.")


@transaction.atomic
def time_log(
    *,
    acting_user: User | None,
    rep: Rep,
    on: datetime.date,
    hours: Decimal,
    purpose: str,
    note: str = "",
    employer: Employer | None = None,
) -> FacilityTimeEntry:
    """Log time a rep spent on union duties. The employer defaults to the one of the rep's first workplace."""
    _check_current(rep)
    check_log_date(on)
    check_hours(hours)
    if employer is None:
        employer = next(iter(employers_for(rep)), None)
    entry = FacilityTimeEntry(
        rep=rep, employer=employer, on=on, hours=hours, purpose=purpose, note=note, logged_by=user_or_none(acting_user)
    )
    entry.full_clean()
    entry.save()
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CREATED,
        rep=rep,
        target=entry,
        changes={"hours": str(hours), "on": on.isoformat(), "purpose": purpose},
    )
    return entry


# Conversations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConversationLogged:
    conversation: Conversation
    # When they would like to become a rep: the prospect added, or the rep they already are.
    prospect: Rep | None = None
    already_on_register: Rep | None = None


def people_to_talk_to(user: User, reps: Iterable[Rep]) -> QuerySet[Person]:
    """The people at the reps' workplaces that the user may see: who a conversation can be with."""
    workplaces = Rep.workplaces.through.objects.filter(rep__in=[rep.pk for rep in reps]).values("workplace")
    return (
        scoping.visible_people(user)
        .filter(workplace__in=workplaces)
        .select_related("workplace")
        .order_by("last_name", "first_name", "pk")
    )


def people_matching(people: QuerySet[Person], text: str, limit: int = 8) -> list[Person]:
    """People whose names start with each word typed ("mar alb" finds Maria Alberts)."""
    words = text.split()
    if not words:
        return []
    for word in words[:3]:
        people = people.filter(Q(first_name__istartswith=word) | Q(last_name__istartswith=word))
    return list(people[:limit])


def _prospect_source(person: Person) -> str:
    # A non-member who talks to a ULR about learning is the handbook's "non-member interested in learning".
    return Source.NON_MEMBER_LEARNER if person.status == Person.Status.NON_MEMBER else Source.OTHER


@transaction.atomic
def conversation_log(
    *,
    acting_user: User | None,
    rep: Rep,
    on: datetime.date,
    about: str,
    person: Person | None = None,
    name: str = "",
    notes: str = "",
    follow_up: bool = False,
    wants_to_be_rep: bool = False,
) -> ConversationLogged:
    """Log a rep's conversation. When the person would like to become a rep, add them to the register as a
    prospect ULR found through a conversation (unless they are on it already), from what was typed here."""
    _check_current(rep)
    check_log_date(on)
    name = " ".join(name.split())
    if person is None and not name:
        raise ValidationError({"name": "Enter who you talked to: a first name is enough."})
    if wants_to_be_rep and person is None:
        # Nobody to add to the register: make sure the co-ordinator hears of them.
        follow_up = True
    conversation = Conversation(
        rep=rep,
        on=on,
        person=person,
        name=name,
        about=about,
        notes=notes,
        follow_up=follow_up,
        logged_by=user_or_none(acting_user),
    )
    conversation.full_clean()
    conversation.save()
    _audit(
        acting_user=acting_user,
        action=AuditEvent.Action.CREATED,
        rep=rep,
        target=conversation,
        changes={"about": about, "person": person.pk if person else None, "wants_to_be_rep": wants_to_be_rep},
    )
    if not (wants_to_be_rep and person is not None):
        return ConversationLogged(conversation=conversation)
    kind = RepKind.objects.filter(code=RepKind.Code.ULR).first()
    if kind is None:  # pragma: no cover - the migration adds the kinds
        return ConversationLogged(conversation=conversation)
    existing = (
        Rep.objects.filter(person=person, kind=kind).exclude(stage=Stage.STOOD_DOWN).select_related("kind").first()
    )
    if existing is not None:
        return ConversationLogged(conversation=conversation, already_on_register=existing)
    said = f": {notes.strip()}" if notes.strip() else "."
    prospect = services.rep_add(
        acting_user=acting_user,
        person=person,
        kind=kind,
        workplaces=[person.workplace] if person.workplace else [],
        on=on,
        data={
            "source": _prospect_source(person),
            "method": Method.CONVERSATION,
            "notes": f"Would like to become a rep, from a conversation with {rep.person.full_name} "
            f"on {long_date(on)}{said}",
        },
    )
    return ConversationLogged(conversation=conversation, prospect=prospect)


# Agreed against used ----------------------------------------------------------------------------


def agreed_per_month(yearly: Decimal | None) -> Decimal:
    return ((yearly or ZERO) / 12).quantize(Decimal("0.01"))


# Agreed time as hours a year, so weekly and monthly agreements add up in the database with whole-number
# arithmetic (52 weeks, 12 months): division would truncate on SQLite, which stores 5.00 as the integer 5.
def _yearly_hours(prefix: str = "") -> Case:
    return Case(
        When(**{f"{prefix}per": FacilityAllowance.Per.WEEK}, then=F(f"{prefix}hours") * 52),
        default=F(f"{prefix}hours") * 12,
        output_field=HOURS,
    )


def _sum_subquery(queryset: QuerySet, group_by: str, expression: Any) -> Coalesce:
    """The sum of `expression` over `queryset` (already filtered on an OuterRef), as a correlated subquery:
    two different relations summed in one query would multiply each other's rows."""
    totals = queryset.order_by().values(group_by).annotate(total=Sum(expression)).values("total")
    return Coalesce(Subquery(totals, output_field=HOURS), Value(ZERO), output_field=HOURS)


class Period(models.TextChoices):
    MONTH = "month", "This month"
    QUARTER = "3months", "The last 3 months"
    YEAR = "year", "This year"


@dataclass(frozen=True)
class Window:
    """A stretch of days ending today, and how many months of agreed time it holds."""

    period: str
    label: str  # to go mid-sentence: "used of agreed, in the last 3 months"
    starts_on: datetime.date
    months: int

    @property
    def name(self) -> str:
        return str(Period(self.period).label)


def window(period: str, today: datetime.date) -> Window:
    if period == Period.MONTH:
        return Window(period, "this month", today.replace(day=1), 1)
    if period == Period.YEAR:
        return Window(period, "this year", today.replace(month=1, day=1), today.month)
    return Window(Period.QUARTER, "in the last 3 months", last_3_months_start(today), 3)


def last_3_months_start(today: datetime.date) -> datetime.date:
    return today - relativedelta(months=USING_NONE_MONTHS) + datetime.timedelta(days=1)


def percent(used: Decimal | None, agreed: Decimal | None) -> int | None:
    if not agreed:
        return None
    return round((used or ZERO) * 100 / agreed)


@dataclass
class UsageRow:
    """One rep's or one employer's agreed time against the time used."""

    agreed_per_month: Decimal
    used_month: Decimal
    used_3_months: Decimal
    used_period: Decimal
    agreed_period: Decimal
    percent_used: int | None
    using_none: bool


def usage_row(record: Any, window_: Window) -> UsageRow:
    per_month = agreed_per_month(record.agreed_yearly)
    agreed_period = per_month * window_.months
    return UsageRow(
        agreed_per_month=per_month,
        used_month=record.used_month,
        used_3_months=record.used_3_months,
        used_period=record.used_period,
        agreed_period=agreed_period,
        percent_used=percent(record.used_period, agreed_period),
        using_none=bool(getattr(record, "using_none", False)),
    )


def report_reps(
    *, user: User, today: datetime.date, window_: Window, employer: Employer | None = None
) -> QuerySet[Rep]:
    """The reps in the user's scope with agreed time or logged time (or in post), each annotated with their
    agreed hours a year, hours used this month, in the last 3 months and in the window, and `using_none`.
    Reps using none come first: they are the ones to ring."""
    allowances = FacilityAllowance.objects.filter(rep=OuterRef("pk"))
    entries = FacilityTimeEntry.objects.filter(rep=OuterRef("pk"))
    if employer is not None:
        allowances = allowances.filter(employer=employer)
        entries = entries.filter(employer=employer)
    reps = scoping.visible_reps(user).exclude(stage=Stage.STOOD_DOWN)
    if employer is not None:
        works_there = Rep.workplaces.through.objects.filter(rep=OuterRef("pk"), workplace__employer=employer)
        reps = reps.filter(Exists(allowances) | Exists(entries) | Exists(works_there))
    else:
        reps = reps.filter(Q(stage__in=CURRENT_REP_STAGES) | Exists(allowances) | Exists(entries))
    three_months = last_3_months_start(today)
    month = today.replace(day=1)
    return (
        reps.annotate(
            agreed_yearly=_sum_subquery(allowances, "rep", _yearly_hours()),
            used_month=_sum_subquery(entries.filter(on__gte=month, on__lte=today), "rep", "hours"),
            used_3_months=_sum_subquery(entries.filter(on__gte=three_months, on__lte=today), "rep", "hours"),
            used_period=_sum_subquery(entries.filter(on__gte=window_.starts_on, on__lte=today), "rep", "hours"),
        )
        .annotate(
            using_none=Case(
                When(Q(agreed_yearly__gt=0, used_3_months=0), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )
        .order_by("-using_none", "person__last_name", "person__first_name", "pk")
    )


def report_employers(*, user: User, today: datetime.date, window_: Window) -> QuerySet[Employer]:
    """Per employer, the same totals over the reps in the user's scope, and how many of them use none."""
    reps = scoping.visible_reps(user).exclude(stage=Stage.STOOD_DOWN).values("pk")
    allowances = FacilityAllowance.objects.filter(employer=OuterRef("pk"), rep__in=reps)
    entries = FacilityTimeEntry.objects.filter(employer=OuterRef("pk"), rep__in=reps)
    three_months = last_3_months_start(today)
    recent = FacilityTimeEntry.objects.filter(rep=OuterRef("rep"), on__gte=three_months, on__lte=today)
    using_none = (
        FacilityAllowance.objects.filter(employer=OuterRef("pk"), rep__in=reps)
        .filter(~Exists(recent))
        .order_by()
        .values("employer")
        .annotate(n=Count("rep", distinct=True))
        .values("n")
    )
    return (
        scoping.visible_employers(user)
        .filter(Exists(allowances) | Exists(entries))
        .annotate(
            agreed_yearly=_sum_subquery(allowances, "employer", _yearly_hours()),
            used_month=_sum_subquery(entries.filter(on__gte=today.replace(day=1), on__lte=today), "employer", "hours"),
            used_3_months=_sum_subquery(entries.filter(on__gte=three_months, on__lte=today), "employer", "hours"),
            used_period=_sum_subquery(entries.filter(on__gte=window_.starts_on, on__lte=today), "employer", "hours"),
            reps_using_none=Coalesce(Subquery(using_none, output_field=models.IntegerField()), Value(0)),
        )
        .order_by("-agreed_yearly", "name")
    )


def report_employer_choices(user: User) -> QuerySet[Employer]:
    """Employers to filter the report by: those with agreed or logged time for reps in the user's scope."""
    reps = scoping.visible_reps(user).values("pk")
    return (
        scoping.visible_employers(user)
        .filter(
            Exists(FacilityAllowance.objects.filter(employer=OuterRef("pk"), rep__in=reps))
            | Exists(FacilityTimeEntry.objects.filter(employer=OuterRef("pk"), rep__in=reps))
        )
        .order_by("name")
    )


# One rep's figures ------------------------------------------------------------------------------


@dataclass
class RepFacility:
    """A rep's agreed time and the time they have logged, for their page, their own view and the log."""

    allowances: list[FacilityAllowance]
    agreed_per_month: Decimal
    used_week: Decimal
    used_month: Decimal
    used_3_months: Decimal
    recent_entries: list[FacilityTimeEntry]
    recent_conversations: list[Conversation] = field(default_factory=list)

    @property
    def percent_used_month(self) -> int | None:
        return percent(self.used_month, self.agreed_per_month)

    @property
    def using_none(self) -> bool:
        return self.agreed_per_month > 0 and not self.used_3_months


def rep_facility(rep: Rep, today: datetime.date | None = None, *, conversations: int = 0) -> RepFacility:
    """Agreed time per employer, time used this week, month and last 3 months, and the latest entries."""
    today = today or timezone.localdate()
    allowances = list(rep.facility_allowances.select_related("employer", "agreement"))
    entries = rep.time_entries.filter(on__lte=today)
    week = today - datetime.timedelta(days=today.weekday())
    totals = entries.aggregate(
        week=Sum("hours", filter=Q(on__gte=week)),
        month=Sum("hours", filter=Q(on__gte=today.replace(day=1))),
        three_months=Sum("hours", filter=Q(on__gte=last_3_months_start(today))),
    )
    recent_conversations: list[Conversation] = []
    if conversations:
        recent_conversations = list(rep.conversations.select_related("person")[:conversations])
    return RepFacility(
        allowances=allowances,
        agreed_per_month=sum((a.hours_per_month for a in allowances), ZERO),
        used_week=totals["week"] or ZERO,
        used_month=totals["month"] or ZERO,
        used_3_months=totals["three_months"] or ZERO,
        recent_entries=list(rep.time_entries.select_related("employer")[:5]),
        recent_conversations=recent_conversations,
    )


# A rep's own view -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """A notified ULR's six-month training deadline (TULRCA s.168A), seen by the rep themselves."""

    rep: Rep
    due_by: datetime.date
    days_left: int
    status: str

    @property
    def is_overdue(self) -> bool:
        return self.days_left < 0

    @property
    def is_urgent(self) -> bool:
        return self.days_left <= 30


@dataclass
class OwnSummary:
    reps: list[Rep]
    open_actions: list[Action]
    next_meeting: RepMeeting | None
    # Training the rep owes (notified, not yet trained), soonest deadline first.
    deadlines: list[Deadline]


def own_summary(user: User, reps: list[Rep], today: datetime.date | None = None) -> OwnSummary:
    """What a rep needs to see about themselves: open actions, next ULR meeting, training deadlines."""
    today = today or timezone.localdate()
    person_id = getattr(user, "person_id", None)
    if not reps or person_id is None:
        return OwnSummary(reps=reps, open_actions=[], next_meeting=None, deadlines=[])
    open_actions = (
        scoping.visible_actions(user)
        .filter(Q(owner_id=person_id) | Q(rep__in=[rep.pk for rep in reps]), done_on__isnull=True)
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )
    next_meeting = (
        scoping.visible_rep_meetings(user).filter(ends_at__gte=timezone.now()).order_by("starts_at", "pk").first()
    )
    deadlines = sorted(
        (
            Deadline(
                rep=rep,
                due_by=rep.training_due_by,
                days_left=(rep.training_due_by - today).days,
                status=rep.deadline_status(today),
            )
            for rep in reps
            if rep.owes_training and rep.training_due_by is not None
        ),
        key=lambda deadline: deadline.due_by,
    )
    return OwnSummary(reps=reps, open_actions=list(open_actions), next_meeting=next_meeting, deadlines=deadlines)
