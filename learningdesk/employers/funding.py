"""Funding for learning: bids and grants (saving them, their totals), and what learning cost for a period: cost
per activity, per learner and per qualification.

The measures are the DOMAIN's: learners are the distinct people with at least one attended sign-up in the period,
qualifications the outcomes with a qualification achieved in it. An activity's cost is `Activity.cost` (the cost
to the branch), counted for each period it has a session in.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.accounts.services import save_and_audit
from learningdesk.employers.models import FundingBid
from learningdesk.learning.models import Activity, Outcome, Session, SignUp
from learningdesk.org import scoping

ZERO = Decimal("0.00")
PENNY = Decimal("0.01")
Status = FundingBid.Status

# Money the unit has (awarded, or awarded and now spent) and money it is waiting to hear about.
AWARDED = (Status.AWARDED, Status.SPENT)
PENDING = (Status.SUBMITTED,)
DECIDED = (Status.AWARDED, Status.REFUSED, Status.SPENT)


def pounds(value: object) -> Decimal:
    """A sum from the database as pounds and pence: SQLite hands back 900 for 900.00."""
    return Decimal(str(value or 0)).quantize(PENNY)


# Bids and grants ----------------------------------------------------------------------------------


def clean_bid(bid: FundingBid) -> None:
    """The dates must fit the status: a decided bid has the date it was decided, never before it was sent."""
    errors: dict[str, str] = {}
    if bid.status == Status.PLANNED and bid.decided_on:
        errors["decided_on"] = "A planned bid has not been decided yet: clear the date decided, or change the status"
    elif bid.status in (Status.AWARDED, Status.REFUSED) and not bid.decided_on:
        errors["decided_on"] = f"Enter the date the funder decided (the bid is {bid.get_status_display().lower()})"
    if bid.status == Status.SUBMITTED and not bid.submitted_on:
        errors["submitted_on"] = "Enter the date the bid was submitted"
    if bid.submitted_on and bid.decided_on and bid.decided_on < bid.submitted_on and "decided_on" not in errors:
        errors["decided_on"] = "The date decided must be on or after the date submitted"
    if bid.starts_on and bid.ends_on and bid.ends_on < bid.starts_on:
        errors["ends_on"] = "The date the funding ends must be on or after the date it starts"
    if errors:
        raise ValidationError(errors)


def funding_bid_save(
    bid: FundingBid, *, acting_user: User, fields: list[str], activities: Iterable[Activity] | None = None
) -> FundingBid:
    """Add or change a bid or grant, and the activities it pays for (when given), with an audit record."""
    clean_bid(bid)
    if bid.pk is None and bid.created_by_id is None:
        bid.created_by = acting_user
    with transaction.atomic():
        save_and_audit(actor=acting_user, record=bid, unit_id=bid.unit_id, fields=fields)
        if activities is not None:
            bid.activities.set(activities)
    return bid


@dataclass(frozen=True)
class FundingTotals:
    bids: int
    awarded: Decimal  # awarded, or awarded and spent
    pending: Decimal  # submitted, waiting for a decision
    planned: Decimal


def funding_totals(bids: QuerySet[FundingBid]) -> FundingTotals:
    """The money in the bids listed, by where it stands. One query."""
    total = Coalesce(Sum("amount", filter=Q(status__in=AWARDED)), Value(ZERO))
    totals = bids.order_by().aggregate(
        bids=Count("pk"),
        awarded=total,
        pending=Coalesce(Sum("amount", filter=Q(status__in=PENDING)), Value(ZERO)),
        planned=Coalesce(Sum("amount", filter=Q(status=Status.PLANNED)), Value(ZERO)),
    )
    return FundingTotals(
        bids=totals["bids"],
        awarded=pounds(totals["awarded"]),
        pending=pounds(totals["pending"]),
        planned=pounds(totals["planned"]),
    )


@dataclass(frozen=True)
class FundingFilter:
    status: str = ""
    source: str = ""
    employer_id: int | None = None

    @property
    def is_filtered(self) -> bool:
        return bool(self.status or self.source or self.employer_id)


def funding_list(user: User, filters: FundingFilter) -> QuerySet[FundingBid]:
    """The bids and grants in the user's scope, filtered, the newest first."""
    bids = scoping.visible_funding_bids(user)
    if filters.status:
        bids = bids.filter(status=filters.status)
    if filters.source:
        bids = bids.filter(source=filters.source)
    if filters.employer_id:
        bids = bids.filter(employer_id=filters.employer_id)
    return bids.order_by("-created_at", "-pk")


# Costs for a period -------------------------------------------------------------------------------


class Preset:
    THIS_YEAR = "this_year"
    LAST_YEAR = "last_year"
    CUSTOM = "custom"

    CHOICES = (
        (THIS_YEAR, "This year so far"),
        (LAST_YEAR, "Last year"),
        (CUSTOM, "Choose the dates"),
    )


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Period:
    starts_on: datetime.date
    ends_on: datetime.date  # the last day counted

    @property
    def label(self) -> str:
        return f"{long_date(self.starts_on)} to {long_date(self.ends_on)}"

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The period as aware times in the local zone: from its first midnight to the midnight after its end."""
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.starts_on, datetime.time(), tzinfo=zone)
        end = datetime.datetime.combine(self.ends_on + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
        return start, end


def preset_period(preset: str, today: datetime.date) -> Period:
    """This year runs from 1 January to today (costs of sessions still to come would make learners look dear)."""
    if preset == Preset.LAST_YEAR:
        return Period(datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31))
    return Period(datetime.date(today.year, 1, 1), today)


def _sessions_in(period: Period, prefix: str = "") -> Q:
    start, end = period.bounds()
    return Q(**{f"{prefix}starts_at__gte": start, f"{prefix}starts_at__lt": end})


def _count(queryset: QuerySet, group_by: str, counted: str, *, distinct: bool = False) -> Coalesce:
    """A count over `queryset` (filtered on an OuterRef) as a correlated subquery, 0 when there is none."""
    counts = queryset.order_by().values(group_by).annotate(n=Count(counted, distinct=distinct)).values("n")
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def costed_activities(user: User, period: Period) -> QuerySet[Activity]:
    """The activities in the user's scope with a session (not cancelled) in the period."""
    held = Session.objects.filter(_sessions_in(period), activity=OuterRef("pk"), is_cancelled=False)
    return scoping.visible_activities(user).filter(Exists(held))


def _qualifications_in(period: Period) -> Q:
    return Q(kind=Outcome.Kind.QUALIFICATION, achieved_on__gte=period.starts_on, achieved_on__lte=period.ends_on)


def cost_rows(user: User, period: Period) -> QuerySet[Activity]:
    """The costed activities, each with its learners and qualifications in the period, the dearest first."""
    attended = SignUp.objects.filter(
        _sessions_in(period, "session__"), session__activity=OuterRef("pk"), status=SignUp.Status.ATTENDED
    )
    qualifications = Outcome.objects.filter(_qualifications_in(period), activity=OuterRef("pk"))
    return (
        costed_activities(user, period)
        .annotate(
            learners=_count(attended, "session__activity", "person", distinct=True),
            qualifications=_count(qualifications, "activity", "pk"),
        )
        .order_by("-cost", "title", "pk")
    )


def per_each(cost: Decimal, count: int) -> Decimal | None:
    """The cost divided by the count, to the penny; None when there is nothing to divide by."""
    if not count:
        return None
    return (Decimal(cost) / count).quantize(PENNY)


@dataclass(frozen=True)
class CostRow:
    activity: Activity
    cost: Decimal
    learners: int
    qualifications: int

    @property
    def per_learner(self) -> Decimal | None:
        return per_each(self.cost, self.learners)

    @property
    def per_qualification(self) -> Decimal | None:
        return per_each(self.cost, self.qualifications)


def as_cost_row(activity: Activity) -> CostRow:
    """A row of `cost_rows` (annotated) as the figures the page and the export show."""
    return CostRow(
        activity=activity,
        cost=pounds(activity.cost),
        learners=activity.learners,  # type: ignore[attr-defined]
        qualifications=activity.qualifications,  # type: ignore[attr-defined]
    )


@dataclass(frozen=True)
class CostTotals:
    activities: int
    cost: Decimal
    learners: int  # distinct people: a learner on two activities counts once
    qualifications: int  # every qualification achieved in the period in scope
    qualifications_listed: int  # those at the listed activities

    @property
    def qualifications_unlisted(self) -> int:
        """Qualifications gained in the period on courses whose sessions all fell before it."""
        return self.qualifications - self.qualifications_listed

    @property
    def per_learner(self) -> Decimal | None:
        return per_each(self.cost, self.learners)

    @property
    def per_qualification(self) -> Decimal | None:
        return per_each(self.cost, self.qualifications)


def cost_totals(user: User, period: Period) -> CostTotals:
    """Total cost, learners and qualifications for the period over the user's scope. Three queries."""
    activities = costed_activities(user, period)
    figures = activities.order_by().aggregate(activities=Count("pk"), cost=Coalesce(Sum("cost"), Value(ZERO)))
    in_scope = scoping.visible_activities(user).values("pk")
    learners = (
        SignUp.objects.filter(_sessions_in(period, "session__"), status=SignUp.Status.ATTENDED)
        .filter(session__activity__in=in_scope)
        .order_by()
        .values("person")
        .distinct()
        .count()
    )
    qualifications = Outcome.objects.filter(_qualifications_in(period), activity__in=in_scope).aggregate(
        all=Count("pk"), listed=Count("pk", filter=Q(activity__in=activities.values("pk")))
    )
    return CostTotals(
        activities=figures["activities"],
        cost=pounds(figures["cost"]),
        learners=learners,
        qualifications=qualifications["all"],
        qualifications_listed=qualifications["listed"],
    )
