"""The learning co-ordinator's budget for a year: money from the branch and from funding, what was spent, what is left.

The year starts on the day set by `LEARNING_BUDGET_YEAR_START` (month, day), 1 January by default: many branches
budget from their AGM or the union's financial year. What came in: the branch's allocation (`reports.Budget`) and
the funding bids of the unit awarded for that year. What went out: the cost to the branch of each of the unit's
activities held that year (a session in it, as on the funding costs page), plus the spending lines recorded against
the budget (room hire, a stall, travel), each on an activity or on its own. Money is Decimal throughout, pounds and
pence; a sum from the database goes through `pounds`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record, save_and_audit
from learningdesk.employers.funding import AWARDED, ZERO, pounds
from learningdesk.employers.models import FundingBid
from learningdesk.learning.models import Activity, Session
from learningdesk.org.models import OrgUnit
from learningdesk.reports.models import Budget, Spend

DEFAULT_YEAR_START = (1, 1)


# The budget year ----------------------------------------------------------------------------------


def year_start_setting() -> tuple[int, int]:
    """(month, day) the budget year starts on; a day that no year has (31 February) falls back to 1 January."""
    month, day = getattr(settings, "LEARNING_BUDGET_YEAR_START", DEFAULT_YEAR_START)
    try:
        datetime.date(2001, month, day)  # not a leap year: 29 February would be missing every three years in four
    except (TypeError, ValueError):
        return DEFAULT_YEAR_START
    return month, day


def year_start_in(year: int) -> datetime.date:
    """The first day of the budget year that starts in calendar year `year`."""
    month, day = year_start_setting()
    return datetime.date(year, month, day)


def current_year_start(on: datetime.date) -> datetime.date:
    """The first day of the budget year that `on` falls in."""
    start = year_start_in(on.year)
    return start if on >= start else year_start_in(on.year - 1)


def year_end(starts_on: datetime.date) -> datetime.date:
    """The last day of the budget year starting on `starts_on`."""
    return year_start_in(starts_on.year + 1) - datetime.timedelta(days=1)


def year_label(starts_on: datetime.date) -> str:
    """ "2026" for a calendar year, "2026 to 2027" for one that starts on another day."""
    if (starts_on.month, starts_on.day) == (1, 1):
        return str(starts_on.year)
    return f"{starts_on.year} to {starts_on.year + 1}"


def _bounds(starts_on: datetime.date, ends_on: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(starts_on, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(ends_on + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    return start, end


# The summary ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundingLine:
    """A grant or bid awarded for the year."""

    pk: int
    title: str
    source: str
    amount: Decimal


@dataclass(frozen=True)
class ActivitySpend:
    """An activity's part of the spending: its cost to the branch if held this year, and lines recorded on it."""

    pk: int
    title: str
    held: bool  # a session (not cancelled) in the year: its cost counts
    cost: Decimal  # Activity.cost, counted only when held
    extra: Decimal  # spending lines recorded against it

    @property
    def total(self) -> Decimal:
        return self.cost + self.extra


@dataclass(frozen=True)
class SpendLine:
    pk: int
    description: str
    amount: Decimal
    spent_on: datetime.date
    activity_pk: int | None
    activity_title: str


@dataclass(frozen=True)
class BudgetSummary:
    """A unit's learning budget for one year: what came in, what went out, what is left."""

    unit: OrgUnit
    starts_on: datetime.date
    ends_on: datetime.date
    budget: Budget | None  # None until someone sets the branch's amount or records spending
    from_branch: Decimal
    funding: list[FundingLine] = field(default_factory=list)
    activities: list[ActivitySpend] = field(default_factory=list)
    lines: list[SpendLine] = field(default_factory=list)  # every spending line, on an activity or not

    @property
    def label(self) -> str:
        return year_label(self.starts_on)

    @property
    def from_funding(self) -> Decimal:
        return sum((line.amount for line in self.funding), ZERO)

    @property
    def total(self) -> Decimal:
        return self.from_branch + self.from_funding

    @property
    def on_activities(self) -> Decimal:
        return sum((activity.total for activity in self.activities), ZERO)

    @property
    def other_lines(self) -> list[SpendLine]:
        """Spending not on any activity: a stall, materials, travel."""
        return [line for line in self.lines if line.activity_pk is None]

    @property
    def on_other(self) -> Decimal:
        return sum((line.amount for line in self.other_lines), ZERO)

    @property
    def spent(self) -> Decimal:
        return self.on_activities + self.on_other

    @property
    def remaining(self) -> Decimal:
        """What is left; negative when the budget is overspent."""
        return self.total - self.spent

    @property
    def is_over(self) -> bool:
        return self.remaining < 0

    @property
    def over_by(self) -> Decimal:
        return -self.remaining if self.is_over else ZERO

    @property
    def percent_spent(self) -> int | None:
        """How much of the budget is spent, in whole percent; None when there is no budget to spend."""
        if not self.total:
            return None
        return int(self.spent * 100 / self.total)

    @property
    def is_empty(self) -> bool:
        return not (self.total or self.activities or self.lines)

    def as_data(self) -> dict[str, object]:
        """The figures as JSON-friendly values (pounds as strings), to keep with a report as issued."""
        return {
            "unit": self.unit.name,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "label": self.label,
            "from_branch": str(self.from_branch),
            "from_funding": str(self.from_funding),
            "total": str(self.total),
            "funding": [{"title": f.title, "source": f.source, "amount": str(f.amount)} for f in self.funding],
            "activities": [
                {"title": a.title, "cost": str(a.cost), "extra": str(a.extra), "total": str(a.total)}
                for a in self.activities
            ],
            "other": [
                {"description": line.description, "spent_on": line.spent_on.isoformat(), "amount": str(line.amount)}
                for line in self.other_lines
            ],
            "on_activities": str(self.on_activities),
            "on_other": str(self.on_other),
            "spent": str(self.spent),
            "remaining": str(self.remaining),
            "is_over": self.is_over,
        }


def awarded_funding(unit: OrgUnit, starts_on: datetime.date, ends_on: datetime.date) -> list[FundingLine]:
    """The unit's grants awarded for the year: counted in the year the money starts, or else the year it was awarded.

    A grant runs from its start date when it has one (an award in December for a course the next spring belongs
    to next year's budget); each grant counts in one year only.
    """
    bids = (
        FundingBid.objects.filter(unit=unit, status__in=AWARDED)
        .alias(counts_from=Coalesce("starts_on", "decided_on"))
        .filter(counts_from__gte=starts_on, counts_from__lte=ends_on)
        .order_by("-amount", "title", "pk")
    )
    return [
        FundingLine(pk=pk, title=title, source=FundingBid.Source(source).label, amount=pounds(amount))
        for pk, title, source, amount in bids.values_list("pk", "title", "source", "amount")
    ]


def _activity_spending(
    unit: OrgUnit, budget: Budget | None, starts_on: datetime.date, ends_on: datetime.date
) -> list[ActivitySpend]:
    """The unit's activities held in the year, and any other of its activities with spending on this budget.

    One query: whether each was held, and its spending lines summed in a subquery (no row per line).
    """
    start, end = _bounds(starts_on, ends_on)
    held = Exists(
        Session.objects.filter(activity=OuterRef("pk"), is_cancelled=False, starts_at__gte=start, starts_at__lt=end)
    )
    spends = Spend.objects.filter(budget=budget, activity=OuterRef("pk")) if budget else Spend.objects.none()
    extra = spends.order_by().values("activity").annotate(total=Sum("amount")).values("total")
    rows = (
        Activity.objects.filter(unit=unit)
        .annotate(was_held=held, has_spending=Exists(spends))
        .filter((Q(was_held=True) & ~Q(status=Activity.Status.CANCELLED)) | Q(has_spending=True))
        .annotate(extra=Coalesce(Subquery(extra), Value(ZERO)))
        .order_by("-cost", "title", "pk")
        .values_list("pk", "title", "was_held", "status", "cost", "extra")
    )
    spending = []
    for pk, title, was_held, status, cost, extra in rows:
        held_here = was_held and status != Activity.Status.CANCELLED
        spending.append(
            ActivitySpend(
                pk=pk, title=title, held=held_here, cost=pounds(cost) if held_here else ZERO, extra=pounds(extra)
            )
        )
    return spending


def _spend_lines(budget: Budget | None) -> list[SpendLine]:
    if budget is None:
        return []
    rows = budget.spends.order_by("-spent_on", "-pk").values_list(
        "pk", "description", "amount", "spent_on", "activity_id", "activity__title"
    )
    return [
        SpendLine(
            pk=pk,
            description=description,
            amount=pounds(amount),
            spent_on=spent_on,
            activity_pk=activity_pk,
            activity_title=activity_title or "",
        )
        for pk, description, amount, spent_on, activity_pk, activity_title in rows
    ]


def budget_summary(unit: OrgUnit, *, year_starts_on: datetime.date) -> BudgetSummary:
    """The unit's budget for the year starting on `year_starts_on`. Four queries, whatever the number of lines."""
    ends_on = year_end(year_starts_on)
    budget = Budget.objects.filter(unit=unit, starts_on=year_starts_on).first()
    return BudgetSummary(
        unit=unit,
        starts_on=year_starts_on,
        ends_on=ends_on,
        budget=budget,
        from_branch=pounds(budget.from_branch) if budget else ZERO,
        funding=awarded_funding(unit, year_starts_on, ends_on),
        activities=_activity_spending(unit, budget, year_starts_on, ends_on),
        lines=_spend_lines(budget),
    )


def activities_for_spending(unit: OrgUnit, year_starts_on: datetime.date) -> list[tuple[int, str]]:
    """The activities a spending line may be put against: the unit's, held in the year or created in it."""
    ends_on = year_end(year_starts_on)
    start, end = _bounds(year_starts_on, ends_on)
    held = Session.objects.filter(activity=OuterRef("pk"), starts_at__gte=start, starts_at__lt=end)
    created = Q(created_at__gte=start, created_at__lt=end)
    return list(
        Activity.objects.filter(unit=unit)
        .filter(Exists(held) | created)
        .order_by("title", "pk")
        .values_list("pk", "title")
    )


# Changing the budget --------------------------------------------------------------------------------


def budget_for(unit: OrgUnit, year_starts_on: datetime.date) -> Budget:
    """The unit's budget row for the year, unsaved (with nothing from the branch) when there is none yet."""
    return Budget.objects.filter(unit=unit, starts_on=year_starts_on).first() or Budget(
        unit=unit, starts_on=year_starts_on
    )


def budget_set(*, budget: Budget, acting_user: User, fields: list[str]) -> Budget:
    """Save what the branch gives for the year (and notes), with an audit record."""
    budget.set_by = acting_user
    budget.updated_at = timezone.now()
    with transaction.atomic():
        save_and_audit(actor=acting_user, record=budget, unit_id=budget.unit_id, fields=fields)
    return budget


def spend_add(
    *,
    unit: OrgUnit,
    year_starts_on: datetime.date,
    acting_user: User,
    description: str,
    amount: Decimal,
    spent_on: datetime.date,
    activity: Activity | None = None,
) -> Spend:
    """Record money spent from the unit's budget for the year (its budget row is made if there is none yet)."""
    ends_on = year_end(year_starts_on)
    if not year_starts_on <= spent_on <= ends_on:
        raise ValidationError(
            {"spent_on": f"Enter a date in this budget year, {_long(year_starts_on)} to {_long(ends_on)}"}
        )
    if amount <= 0:
        raise ValidationError({"amount": "Enter an amount more than £0"})
    if activity is not None and activity.unit_id != unit.pk:
        raise ValidationError({"activity": "Choose one of this unit's activities"})
    with transaction.atomic():
        budget, created = Budget.objects.get_or_create(
            unit=unit, starts_on=year_starts_on, defaults={"set_by": acting_user}
        )
        if created:
            audit_record(
                actor=acting_user,
                action=AuditEvent.Action.CREATED,
                target=budget,
                unit_id=unit.pk,
                changes={"fields": ["starts_on"]},
            )
        spend = Spend(
            budget=budget,
            activity=activity,
            description=description,
            amount=amount,
            spent_on=spent_on,
            recorded_by=acting_user,
        )
        save_and_audit(
            actor=acting_user,
            record=spend,
            unit_id=unit.pk,
            fields=["description", "amount", "spent_on", *(["activity"] if activity else [])],
        )
    return spend


def spend_delete(*, spend: Spend, acting_user: User) -> None:
    """Take a spending line off the budget; the audit log keeps a note of it (amount and date, never who for)."""
    with transaction.atomic():
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.DELETED,
            target=spend,
            unit_id=spend.budget.unit_id,
            changes={"amount": str(spend.amount), "spent_on": spend.spent_on.isoformat()},
        )
        spend.delete()


def _long(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"
