"""The employer page's reads: everything the union knows about one employer, in the user's scope, and what needs
doing next.

Every part goes through org/scoping.py, so each person sees the employer as their role allows (a ULR no funding
or facility-time figures, an officer everything but no buttons). Each part is one or two queries, whatever the
number of records: lists are cut in the database, figures are aggregates.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, DateField, Max, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from learningdesk.accounts.models import User
from learningdesk.employers import funding, reviews, time_off
from learningdesk.employers.committees import overdue_actions
from learningdesk.employers.facility_figures import returns_for
from learningdesk.employers.models import (
    AgreementElement,
    CommitteeAction,
    CommitteeMeeting,
    EmployerContact,
    FacilityTimeReturn,
    FundingBid,
    LearningAgreement,
    LearningCommittee,
    NegotiationCase,
    SharedFinding,
    TimeOffRequest,
)
from learningdesk.org import scoping
from learningdesk.org.models import Employer, Person
from learningdesk.reps import facility
from learningdesk.reps.models import CURRENT_REP_STAGES, Rep

# How many of each kind of record the page lists before "and N more" (with a link to the full list).
SHOWN = 5
# An employer has a handful of contacts, and they have no list of their own: all of them, unless there are dozens.
CONTACTS_SHOWN = 25


@dataclass(frozen=True)
class Listing[T]:
    """The first few records of a kind, and how many there are in all."""

    items: list[T]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def first_few(queryset: QuerySet, shown: int = SHOWN) -> Listing:
    """Up to `shown` records, counting them all only when there are more (one query, else two)."""
    items = list(queryset[: shown + 1])
    if len(items) <= shown:
        return Listing(items, len(items))
    return Listing(items[:shown], queryset.order_by().count())


@dataclass(frozen=True)
class NextStep:
    """Something to do about the employer, with where to do it."""

    text: str
    url: str
    urgent: bool = False


@dataclass(frozen=True)
class AgreementRow:
    agreement: LearningAgreement
    missing: int  # key elements missing
    weak: int
    review: reviews.ReviewDue | None
    drawer: reviews.InTheDrawer | None


@dataclass(frozen=True)
class CommitteeRow:
    committee: LearningCommittee
    last_meeting: datetime.date | None
    next_meeting: datetime.date | None
    open_actions: int
    overdue_actions: int


@dataclass(frozen=True)
class People:
    people: int
    members: int


@dataclass
class EmployerOverview:
    contacts: Listing[EmployerContact]
    people: People
    reps: Listing[Rep]
    agreements: list[AgreementRow]
    committees: list[CommitteeRow]
    overdue_actions: Listing[CommitteeAction]
    open_cases: Listing[NegotiationCase]
    pending_requests: int
    time_off_figures: time_off.Figures
    time_off_period: tuple[datetime.date, datetime.date]
    facility_time: FacilityTime | None
    returns: list[FacilityTimeReturn]
    findings: list[SharedFinding]
    funding_bids: Listing[FundingBid]
    funding_totals: funding.FundingTotals | None
    may_see_figures: bool  # facility-time returns and funding: co-ordinators and officers, not ULRs
    may_work: bool  # add contacts, agreements, committees, findings, returns: co-ordinators who work with it
    may_add_bids: bool
    may_log_time_off: bool  # co-ordinators and ULRs
    next_steps: list[NextStep] = field(default_factory=list)

    @property
    def time_off_rows(self) -> list[time_off.Figures]:
        return [self.time_off_figures]

    @property
    def time_off_caption(self) -> str:
        starts_on, ends_on = self.time_off_period
        return f"Requests made from {funding.long_date(starts_on)} to {funding.long_date(ends_on)}"


def employer_overview(user: User, employer: Employer, *, today: datetime.date) -> EmployerOverview:
    """Everything the user may see about the employer, and what needs doing next."""
    may_see_figures = bool(scoping.get_scope(user).see)
    window = facility.window(facility.Period.QUARTER, today)
    starts_on, ends_on = time_off.last_twelve_months(today)
    overview = EmployerOverview(
        contacts=first_few(contacts(user, employer), shown=CONTACTS_SHOWN),
        people=people(user, employer),
        reps=first_few(current_reps(user, employer)),
        agreements=agreement_rows(user, employer, today=today),
        committees=committee_rows(user, employer, today=today),
        overdue_actions=first_few(
            overdue_actions(user, today=today).filter(meeting__committee__employer=employer), shown=3
        ),
        open_cases=first_few(time_off.open_cases(user).filter(request__employer=employer), shown=3),
        pending_requests=scoping.visible_time_off_requests(user)
        .filter(employer=employer, decision=TimeOffRequest.Decision.PENDING)
        .count(),
        time_off_figures=time_off.employer_figures(user, employer, starts_on=starts_on, ends_on=ends_on),
        time_off_period=(starts_on, ends_on),
        facility_time=facility_time(user, employer, today=today, window=window),
        returns=list(returns_for(user, employer)[:SHOWN]) if may_see_figures else [],
        findings=list(scoping.visible_shared_findings(user).filter(employer=employer).order_by("-shared_at")[:SHOWN]),
        funding_bids=first_few(
            scoping.visible_funding_bids(user).filter(employer=employer).order_by("-created_at", "-pk")
        ),
        funding_totals=funding.funding_totals(scoping.visible_funding_bids(user).filter(employer=employer))
        if may_see_figures
        else None,
        may_see_figures=may_see_figures,
        may_work=scoping.may_work_with_employer(user, employer),
        may_add_bids=may_see_figures and scoping.editable_units(user).exists(),
        may_log_time_off=scoping.may_add_people(user),
    )
    overview.next_steps = next_steps(employer, overview)
    return overview


# The parts ----------------------------------------------------------------------------------------


def contacts(user: User, employer: Employer) -> QuerySet[EmployerContact]:
    """The employer's contacts, those still in post first, with the date of the last conversation."""
    return (
        scoping.visible_employer_contacts(user)
        .filter(employer=employer)
        .annotate(last_talked=Max("conversations__on"))
        .order_by("-is_current", "name", "pk")
    )


def people(user: User, employer: Employer) -> People:
    """The people in the user's scope who work at the employer's workplaces. One query."""
    counts = (
        scoping.visible_people(user)
        .filter(workplace__employer=employer)
        .order_by()
        .aggregate(people=Count("pk"), members=Count("pk", filter=Q(status=Person.Status.MEMBER)))
    )
    return People(people=counts["people"], members=counts["members"])


def current_reps(user: User, employer: Employer) -> QuerySet[Rep]:
    """The current reps (notified to active) at the employer's workplaces, in the user's scope."""
    at_employer = Rep.workplaces.through.objects.filter(rep=OuterRef("pk"), workplace__employer=employer)
    return (
        scoping.visible_reps(user)
        .filter(stage__in=CURRENT_REP_STAGES)
        .filter(pk__in=at_employer.values("rep"))
        .select_related("person", "kind")
        .order_by("person__last_name", "person__first_name", "pk")
    )


def _drawer(agreement: LearningAgreement, today: datetime.date) -> reviews.InTheDrawer | None:
    """The drawer signs of a signed agreement annotated by `reviews.with_drawer_signs`, or None if it shows none."""
    if not agreement.is_live:
        return None
    item = reviews.drawer_item(agreement, today)
    return item if item.signs else None


def agreement_rows(user: User, employer: Employer, *, today: datetime.date) -> list[AgreementRow]:
    """The employer's agreements, live ones first, with the key elements missing or weak, the review reminder
    and the signs it sits in a drawer. One query."""
    State = AgreementElement.State
    agreements = reviews.with_drawer_signs(
        scoping.visible_agreements(user)
        .filter(employer=employer)
        .annotate(
            missing=Count("elements", filter=Q(elements__state=State.MISSING)),
            weak=Count("elements", filter=Q(elements__state=State.WEAK)),
        ),
        today=today,
    ).order_by("-signed_on", "-pk")
    rows = [
        AgreementRow(
            agreement=agreement,
            missing=agreement.missing,  # type: ignore[attr-defined]
            weak=agreement.weak,  # type: ignore[attr-defined]
            review=reviews.review_of(agreement, today=today),
            drawer=_drawer(agreement, today),
        )
        for agreement in agreements
    ]
    return sorted(rows, key=lambda row: not row.agreement.is_live)


def _meeting_date(committee_meetings: QuerySet[CommitteeMeeting], *, latest: bool) -> Subquery:
    ordered = committee_meetings.order_by("-held_on" if latest else "held_on").values("held_on")[:1]
    return Subquery(ordered, output_field=DateField())


def _action_count(actions: QuerySet[CommitteeAction]) -> Subquery:
    counted = actions.order_by().values("meeting__committee").annotate(n=Count("pk")).values("n")
    return Subquery(counted)


def committee_rows(user: User, employer: Employer, *, today: datetime.date) -> list[CommitteeRow]:
    """The employer's learning committees with their last and next meetings and open actions. One query."""
    meetings = CommitteeMeeting.objects.filter(committee=OuterRef("pk"))
    open_actions = CommitteeAction.objects.filter(meeting__committee=OuterRef("pk"), status=CommitteeAction.Status.OPEN)
    committees = (
        scoping.visible_committees(user)
        .filter(employer=employer)
        .annotate(
            last_meeting=_meeting_date(meetings.filter(held_on__lte=today), latest=True),
            next_meeting=_meeting_date(meetings.filter(held_on__gt=today), latest=False),
            open_actions=_action_count(open_actions),
            overdue_actions=_action_count(open_actions.filter(due_on__lt=today)),
        )
        .order_by("name", "pk")
    )
    return [
        CommitteeRow(
            committee=committee,
            last_meeting=committee.last_meeting,  # type: ignore[attr-defined]
            next_meeting=committee.next_meeting,  # type: ignore[attr-defined]
            open_actions=committee.open_actions or 0,  # type: ignore[attr-defined]
            overdue_actions=committee.overdue_actions or 0,  # type: ignore[attr-defined]
        )
        for committee in committees
    ]


@dataclass(frozen=True)
class FacilityTime:
    usage: facility.UsageRow
    window: facility.Window
    reps_using_none: int


def facility_time(
    user: User, employer: Employer, *, today: datetime.date, window: facility.Window
) -> FacilityTime | None:
    """Facility time agreed with the employer against the time its reps in the user's scope used, or None when
    none is agreed or logged. One query (the ULR register's report, for this employer)."""
    row = facility.report_employers(user=user, today=today, window_=window).filter(pk=employer.pk).first()
    if row is None:
        return None
    return FacilityTime(
        usage=facility.usage_row(row, window),
        window=window,
        reps_using_none=row.reps_using_none,  # type: ignore[attr-defined]
    )


# What needs doing next ----------------------------------------------------------------------------


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def next_steps(employer: Employer, overview: EmployerOverview) -> list[NextStep]:
    """Reviews due, agreements in a drawer, overdue committee actions, open cases and decisions awaited."""
    steps = []
    for row in overview.agreements:
        url = reverse("employers:agreement_detail", args=[row.agreement.pk])
        if row.review is not None:
            steps.append(NextStep(f"{row.agreement.title}: {row.review.label}", url, urgent=row.review.is_overdue))
        if row.drawer is not None:
            signs = [sign for sign in row.drawer.signs if sign != "review overdue" or row.review is None]
            if signs:
                steps.append(NextStep(f"{row.agreement.title} may be sitting in a drawer: {', '.join(signs)}", url))
        if row.agreement.status == LearningAgreement.Status.NEGOTIATING and row.missing:
            missing = _plural(row.missing, "key element", "key elements")
            steps.append(NextStep(f"{row.agreement.title}, in negotiation: {missing} still missing", url))
    for action in overview.overdue_actions.items:
        steps.append(
            NextStep(
                f"Committee action overdue since {funding.long_date(action.due_on)}: {action.description}"  # type: ignore[arg-type]
                + (f" ({action.who})" if action.who else ""),
                reverse("employers:committee_detail", args=[action.meeting.committee_id]),
                urgent=True,
            )
        )
    if overview.overdue_actions.more:
        steps.append(
            NextStep(
                f"And {_plural(overview.overdue_actions.more, 'more overdue action', 'more overdue actions')}",
                reverse("employers:committee_detail", args=[overview.overdue_actions.items[0].meeting.committee_id]),
            )
        )
    for case in overview.open_cases.items:
        steps.append(
            NextStep(
                f"Take up the refused time off for {case.request.person.full_name} (open since "
                f"{funding.long_date(case.opened_on)})",
                reverse("employers:case_detail", args=[case.pk]),
            )
        )
    if overview.open_cases.more:
        steps.append(
            NextStep(
                f"And {_plural(overview.open_cases.more, 'more open case', 'more open cases')}",
                f"{reverse('employers:case_list')}?status=open",
            )
        )
    if overview.pending_requests:
        steps.append(
            NextStep(
                f"{_plural(overview.pending_requests, 'time-off request waits', 'time-off requests wait')} "
                "for the manager's decision",
                f"{reverse('employers:time_off_list')}?employer={employer.pk}&decision=pending",
            )
        )
    return steps
