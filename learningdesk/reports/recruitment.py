"""Recruitment through learning: non-members who came to learning and joined, learners who became reps or
activists, and what happened to the people who said they would like to join.

"Joined" is the measure "recruited through learning" (reports/measures.py), so this page, the dashboards and the
committee report give the same number. Everything is counted in the database; the lists are querysets for the
page to paginate, each person's name shown only to those who may see that person (`with_names`).
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from learningdesk.accounts.models import User
from learningdesk.learning.models import ActivityHelper, JoinLead, Session, SignUp
from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit, Person
from learningdesk.reports import measures
from learningdesk.reports.models import Measure
from learningdesk.reps.models import Rep

# The activities most non-members joined from, on the page and in the committee report.
TOP_ACTIVITIES = 10


@dataclass(frozen=True)
class ActivityCount:
    activity_id: int
    title: str
    people: int


@dataclass(frozen=True)
class LeadCount:
    status: str
    label: str
    leads: int
    now_members: int


@dataclass(frozen=True)
class Recruitment:
    starts_on: datetime.date
    ends_on: datetime.date
    joined: int  # non-members who came to learning and became members in the period
    by_activity: tuple[ActivityCount, ...]  # where they came to learning (someone at two activities counts at each)
    became_reps: int  # learners who took on a learning role in the period, after their first session
    became_activists: int  # learners who helped run an activity in the period, after their first session
    leads: tuple[LeadCount, ...]  # people who said they would like to join, asked in the period, by what happened
    leads_total: int
    leads_joined: int  # of them, marked joined or members now

    @property
    def is_empty(self) -> bool:
        return not (self.joined or self.became_reps or self.became_activists or self.leads_total)

    def as_data(self) -> dict[str, Any]:
        """A JSON-friendly copy (the committee report keeps one as issued)."""
        data = dataclasses.asdict(self)
        data["starts_on"], data["ends_on"] = self.starts_on.isoformat(), self.ends_on.isoformat()
        return data


def _learning_path(unit: OrgUnit) -> Q:
    """Sign-ups for the unit's learning (its subtree's activities), as the measures find them."""
    return measures.SIGN_UPS.in_subtrees([unit.path])


def joined_sign_ups(unit: OrgUnit, *, starts_on: datetime.date, ends_on: datetime.date) -> QuerySet[SignUp]:
    """The sign-ups that make their person "recruited through learning" in the period (the measure's own rule)."""
    rule = measures.DEFINITIONS[Measure.RECRUITED_THROUGH_LEARNING].where(starts_on, ends_on)
    return SignUp.objects.filter(rule).filter(_learning_path(unit))


def _first_session(unit: OrgUnit, person: str = "person") -> Subquery:
    """When the person first attended a session of the unit's learning."""
    attended = SignUp.objects.filter(
        _learning_path(unit), person=OuterRef(person), status=SignUp.Status.ATTENDED
    ).order_by("session__starts_at")
    return Subquery(attended.values("session__starts_at")[:1])


def new_reps(unit: OrgUnit, *, starts_on: datetime.date, ends_on: datetime.date) -> QuerySet[Rep]:
    """Learning roles taken on in the period by people who had come to the unit's learning before."""
    start, end = measures.day_bounds(starts_on, ends_on)
    return (
        Rep.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(first_session=_first_session(unit))
        .filter(first_session__lt=F("created_at"))
    )


def new_activists(unit: OrgUnit, *, starts_on: datetime.date, ends_on: datetime.date) -> QuerySet[ActivityHelper]:
    """Learners helping to run one of the unit's activities whose first session is in the period, after their own
    first session as a learner (a helper has no date of their own: the activity's start stands for it)."""
    start, end = measures.day_bounds(starts_on, ends_on)
    activity_starts = Session.objects.filter(activity=OuterRef("activity")).order_by("starts_at").values("starts_at")
    return (
        ActivityHelper.objects.filter(activity__unit__path__startswith=unit.path)
        .annotate(activity_starts=Subquery(activity_starts[:1]), first_session=_first_session(unit))
        .filter(activity_starts__gte=start, activity_starts__lt=end, first_session__lt=F("activity_starts"))
    )


def join_leads(unit: OrgUnit, *, starts_on: datetime.date, ends_on: datetime.date) -> QuerySet[JoinLead]:
    """Interest in joining recorded in the period (from a sign-up form or an evaluation) for the unit."""
    start, end = measures.day_bounds(starts_on, ends_on)
    return JoinLead.objects.filter(unit__path__startswith=unit.path, created_at__gte=start, created_at__lt=end)


def recruitment(unit: OrgUnit, *, starts_on: datetime.date, ends_on: datetime.date) -> Recruitment:
    """The period's recruitment through learning in the unit's subtree, in six queries."""
    sign_ups = joined_sign_ups(unit, starts_on=starts_on, ends_on=ends_on)
    joined = sign_ups.aggregate(people=Count("person", distinct=True))["people"]
    by_activity = (
        sign_ups.values("session__activity", "session__activity__title")
        .annotate(people=Count("person", distinct=True))
        .order_by("-people", "session__activity__title", "session__activity")[:TOP_ACTIVITIES]
    )
    people = Count("person", distinct=True)
    became_reps = new_reps(unit, starts_on=starts_on, ends_on=ends_on).aggregate(people=people)["people"]
    became_activists = new_activists(unit, starts_on=starts_on, ends_on=ends_on).aggregate(people=people)["people"]
    joined_q = Q(status=JoinLead.Status.JOINED) | Q(person__status=Person.Status.MEMBER)
    lead_rows = {
        row["status"]: (row["leads"], row["now_members"])
        for row in join_leads(unit, starts_on=starts_on, ends_on=ends_on)
        .order_by()
        .values("status")
        .annotate(leads=Count("pk"), now_members=Count("pk", filter=joined_q))
    }
    leads = tuple(
        LeadCount(status, str(label), *lead_rows.get(status, (0, 0))) for status, label in JoinLead.Status.choices
    )
    return Recruitment(
        starts_on=starts_on,
        ends_on=ends_on,
        joined=joined,
        by_activity=tuple(
            ActivityCount(row["session__activity"], row["session__activity__title"], row["people"])
            for row in by_activity
        ),
        became_reps=became_reps,
        became_activists=became_activists,
        leads=leads,
        leads_total=sum(lead.leads for lead in leads),
        leads_joined=sum(lead.now_members for lead in leads),
    )


# The lists, for the page: each person's name only where the user may see them. ------------------------------


def with_names(queryset: QuerySet, user: User, person: str = "person") -> QuerySet:
    """Marks each row `name_visible`: whether the user may see its person (else the page says who, not by name)."""
    visible = scoping.visible_people(user).filter(pk=OuterRef(person))
    return queryset.annotate(name_visible=Exists(visible))


def joined_people(unit: OrgUnit, user: User, *, starts_on: datetime.date, ends_on: datetime.date) -> QuerySet[Person]:
    """The people who joined, newest members first, with the first activity they came to as a non-member."""
    sign_ups = joined_sign_ups(unit, starts_on=starts_on, ends_on=ends_on)
    first = sign_ups.filter(person=OuterRef("pk")).order_by("created_at", "pk")
    people = Person.objects.filter(pk__in=sign_ups.values("person")).annotate(
        came_to=Subquery(first.values("session__activity__title")[:1]),
        came_on=Subquery(first.values("created_at")[:1]),
    )
    return (
        with_names(people, user, "pk")
        .select_related("branch")
        .order_by(F("joined_on").desc(nulls_last=True), "last_name", "first_name", "pk")
    )


def new_reps_list(unit: OrgUnit, user: User, *, starts_on: datetime.date, ends_on: datetime.date) -> QuerySet[Rep]:
    reps = new_reps(unit, starts_on=starts_on, ends_on=ends_on).select_related("person", "kind")
    return with_names(reps, user).order_by("-created_at", "pk")


def new_activists_list(
    unit: OrgUnit, user: User, *, starts_on: datetime.date, ends_on: datetime.date
) -> QuerySet[ActivityHelper]:
    helpers = new_activists(unit, starts_on=starts_on, ends_on=ends_on).select_related("person", "activity")
    return with_names(helpers, user).order_by("-activity_starts", "pk")


def join_leads_list(
    unit: OrgUnit, user: User, *, starts_on: datetime.date, ends_on: datetime.date
) -> QuerySet[JoinLead]:
    leads = join_leads(unit, starts_on=starts_on, ends_on=ends_on).select_related("person", "activity")
    return with_names(leads, user).order_by("-created_at", "pk")
