"""The one definition of each of the network's measures (DOMAIN.md, "Measures"), counted from the records.

Dashboards, targets and committee reports all read their figures here, so "learners" means the same everywhere.
Each measure is a filter on one kind of record (sign-ups, outcomes, reps, centres, survey responses, agreements),
what is counted (distinct people, or records), and the unit the record belongs to:

- learning (sign-ups, outcomes): the activity's unit;
- reps: the branch of the person holding the role (as the ULR register scopes them);
- survey responses: the respondent's unit, or the survey's when the respondent did not say;
- learning centres: the centre's unit; agreements: each unit the agreement covers.

A unit's figure counts the distinct people or records in its whole subtree, never a sum of its children's: a
learner on courses in two branches is one learner of the region. Each measure is one query for all the units
asked for (grouped by the first characters of the unit's materialised path), so a page with 300 branches costs no
more queries than a page with one. At national size (100,000 sign-ups, 1,000 reps) a branch's fourteen measures
take about 15 ms on SQLite, the nation's about 300 ms; learning.SignUp and surveys.Response have an index each
for the two largest counts.
"""

from __future__ import annotations

import datetime
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import reduce

from django.db.models import Case, Count, IntegerField, Model, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.db.models.lookups import In
from django.utils import timezone

from learningdesk.employers.models import LearningAgreement
from learningdesk.learning.models import LearningCentre, Outcome, SignUp
from learningdesk.org.models import OrgUnit, Person
from learningdesk.reports.models import Measure
from learningdesk.reps.models import Rep, RepKind
from learningdesk.surveys.models import Response

MEASURE_HELP: dict[str, str] = {
    Measure.LEARNERS: "People who attended at least one session in the period, each counted once.",
    Measure.SIGN_UPS: "Sign-ups made in the period, including people on a waiting list and those who later cancelled.",
    Measure.COMPLETIONS: "Courses completed in the period, as recorded in each activity's outcomes.",
    Measure.QUALIFICATIONS: "Qualifications gained in the period, as recorded in each activity's outcomes.",
    Measure.BASIC_SKILLS: (
        "Learners who attended a session of a basic-skills activity (functional skills English, maths or digital, "
        "or ESOL) in the period, each counted once."
    ),
    Measure.REPS_RECRUITED: "People who agreed to stand as a learning rep of any kind in the period.",
    Measure.REPS_TRAINED: "Learning reps of any kind who completed their initial training in the period.",
    Measure.ACTIVE_REPS: "People active in a learning role of any kind on the last day of the period.",
    Measure.LEARNER_CHAMPIONS: "Learner champions active on the last day of the period.",
    Measure.TUTORS: "Tutors and assessors active on the last day of the period.",
    Measure.LEARNING_CENTRES: "Learning centres open on the last day of the period.",
    Measure.SURVEY_RESPONSES: "Survey responses completed in the period, counted where the respondent works.",
    Measure.RECRUITED_THROUGH_LEARNING: (
        "People who signed up for learning as non-members and became members in the period."
    ),
    Measure.AGREEMENTS_SIGNED: "Learning agreements with employers signed in the period.",
}

STEPLEN = OrgUnit.steplen


@dataclass(frozen=True)
class Source:
    """A kind of record the measures count: the unit it belongs to, and its workplace."""

    model: type[Model]
    unit: str  # the foreign key (path to it) of the unit the record belongs to
    # The workplace a record belongs to, for a branch's workplaces (None: the record has no workplace).
    workplace: str | None
    # A small table (reps, agreements) is found by its units' paths, read row by row: quicker than walking the
    # units' indexes to it (a branch's 15,000 people to find its 30 reps).
    by_path: bool = False
    # Whether one record can meet a unit's subtree more than once (an agreement covering two branches).
    many_units: bool = False

    def in_subtrees(self, paths: Iterable[str]) -> Q:
        """Records of units in the subtrees (paths of one length); for a large table by the units' ids, so its unit
        index is used, for a small one by its units' paths."""
        paths = sorted(set(paths))
        if any(len(path) == STEPLEN for path in paths):
            return Q()  # a whole tree: everything (every record has a unit)
        if self.by_path:
            return _in_paths(paths, f"{self.unit}__path")
        return Q(**{f"{self.unit}__in": OrgUnit.objects.filter(_in_paths(paths, "path")).values("pk")})


def _in_paths(paths: list[str], field: str) -> Q:
    """`field` (a unit's path) in one of the subtrees: a prefix match for one, a lookup in a list for many."""
    if len(paths) == 1:
        return Q(**{f"{field}__startswith": paths[0]})
    return Q(In(Substr(field, 1, len(paths[0])), paths))


@dataclass(frozen=True)
class Definition:
    """One measure: the records it counts (a filter over the period) and what it counts among them."""

    source: Source
    counted: str  # "person" (distinct people) or "pk" (records)
    where: Callable[[datetime.date, datetime.date], Q]
    # A measure of what happened in the period is dated by one field: its months are grouped on it. None: a
    # measure of how things stood on the period's last day (active reps, open centres), read on each month's end.
    dated_by: str | None = None

    def count(self, *, filtered: Q | None = None) -> Count:
        distinct = self.counted != "pk" or self.source.many_units
        return Count(self.counted, distinct=distinct, filter=filtered)


def day_bounds(starts_on: datetime.date, ends_on: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The period as aware times in the local zone: from its first midnight to the midnight after its last day."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(starts_on, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(ends_on + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    return start, end


SIGN_UPS = Source(SignUp, "session__activity__unit", "person__workplace")
OUTCOMES = Source(Outcome, "activity__unit", "person__workplace")
REPS = Source(Rep, "person__branch", "workplaces", by_path=True)
CENTRES = Source(LearningCentre, "unit", "workplace")
# A response's unit is the respondent's branch, or the survey's unit when they did not say (surveys/responses.py).
RESPONSES = Source(Response, "unit", "workplace")
AGREEMENTS = Source(LearningAgreement, "units", None, by_path=True, many_units=True)


def _attended(starts_on: datetime.date, ends_on: datetime.date) -> Q:
    start, end = day_bounds(starts_on, ends_on)
    return Q(status=SignUp.Status.ATTENDED, session__starts_at__gte=start, session__starts_at__lt=end)


def _signed_up(starts_on: datetime.date, ends_on: datetime.date) -> Q:
    start, end = day_bounds(starts_on, ends_on)
    return Q(created_at__gte=start, created_at__lt=end)


def _recruited(starts_on: datetime.date, ends_on: datetime.date) -> Q:
    """A non-member's sign-up, and the person a member now who joined in the period after signing up by its end.

    Without a joining date (some member files have none), the sign-up itself has to fall in the period, so each
    person still counts in one period only.
    """
    start, end = day_bounds(starts_on, ends_on)
    joined_in_period = Q(person__joined_on__gte=starts_on, person__joined_on__lte=ends_on, created_at__lt=end)
    joined_unknown = Q(person__joined_on__isnull=True, created_at__gte=start, created_at__lt=end)
    return Q(was_member=False, person__status=Person.Status.MEMBER) & (joined_in_period | joined_unknown)


def _outcome(kind: str) -> Callable[[datetime.date, datetime.date], Q]:
    def where(starts_on: datetime.date, ends_on: datetime.date) -> Q:
        return Q(kind=kind, achieved_on__gte=starts_on, achieved_on__lte=ends_on)

    return where


def _reached(milestone: str) -> Callable[[datetime.date, datetime.date], Q]:
    """Reps who first reached a stage in the period (the milestone date is set even when a stage is skipped)."""

    def where(starts_on: datetime.date, ends_on: datetime.date) -> Q:
        return Q(**{f"{milestone}__gte": starts_on, f"{milestone}__lte": ends_on})

    return where


def _active_at_end(kind: str | None = None) -> Callable[[datetime.date, datetime.date], Q]:
    """Reps who had become active by the period's last day and had not stood down by then."""

    def where(starts_on: datetime.date, ends_on: datetime.date) -> Q:
        q = Q(active_on__lte=ends_on) & (Q(stood_down_on__isnull=True) | Q(stood_down_on__gt=ends_on))
        return q & Q(kind__code=kind) if kind else q

    return where


def _open_at_end(starts_on: datetime.date, ends_on: datetime.date) -> Q:
    return (Q(opened_on__isnull=True) | Q(opened_on__lte=ends_on)) & (
        Q(closed_on__isnull=True) | Q(closed_on__gt=ends_on)
    )


def _responded(starts_on: datetime.date, ends_on: datetime.date) -> Q:
    return Q(is_complete=True, submitted_on__gte=starts_on, submitted_on__lte=ends_on)


def _signed(starts_on: datetime.date, ends_on: datetime.date) -> Q:
    return Q(signed_on__gte=starts_on, signed_on__lte=ends_on)


DEFINITIONS: dict[str, Definition] = {
    Measure.LEARNERS: Definition(SIGN_UPS, "person", _attended, "session__starts_at"),
    Measure.SIGN_UPS: Definition(SIGN_UPS, "pk", _signed_up, "created_at"),
    Measure.BASIC_SKILLS: Definition(
        SIGN_UPS,
        "person",
        lambda s, e: _attended(s, e) & Q(session__activity__subject__is_basic_skills=True),
        "session__starts_at",
    ),
    Measure.RECRUITED_THROUGH_LEARNING: Definition(SIGN_UPS, "person", _recruited),
    Measure.COMPLETIONS: Definition(OUTCOMES, "pk", _outcome(Outcome.Kind.COMPLETED), "achieved_on"),
    Measure.QUALIFICATIONS: Definition(OUTCOMES, "pk", _outcome(Outcome.Kind.QUALIFICATION), "achieved_on"),
    Measure.REPS_RECRUITED: Definition(REPS, "person", _reached("agreed_on"), "agreed_on"),
    Measure.REPS_TRAINED: Definition(REPS, "person", _reached("trained_on"), "trained_on"),
    Measure.ACTIVE_REPS: Definition(REPS, "person", _active_at_end()),
    Measure.LEARNER_CHAMPIONS: Definition(REPS, "person", _active_at_end(RepKind.Code.LEARNER_CHAMPION)),
    Measure.TUTORS: Definition(REPS, "person", _active_at_end(RepKind.Code.TUTOR)),
    Measure.LEARNING_CENTRES: Definition(CENTRES, "pk", _open_at_end),
    Measure.SURVEY_RESPONSES: Definition(RESPONSES, "pk", _responded, "submitted_on"),
    Measure.AGREEMENTS_SIGNED: Definition(AGREEMENTS, "pk", _signed, "signed_on"),
}


def _definition(measure: str) -> Definition:
    return DEFINITIONS[Measure(measure)]


def _records(source: Source) -> QuerySet:
    return source.model._default_manager.order_by()  # type: ignore[attr-defined]


def measure_values(
    units: Sequence[OrgUnit], measures: Iterable[str], *, starts_on: datetime.date, ends_on: datetime.date
) -> dict[int, dict[str, int]]:
    """Each unit's value of each measure over its whole subtree, by unit pk (zeros included).

    One query per measure and depth of unit (the units of a drill-down share one depth), whatever their number:
    the records of the units' subtrees, counted per unit by the first characters of the unit's path (one unit needs
    no grouping). Each query counts one measure, so the database can use the index that suits it: the sessions'
    dates for the nation's learners, the units' activities for a branch's.
    """
    wanted = list(dict.fromkeys(measures))
    values = {unit.pk: dict.fromkeys(wanted, 0) for unit in units}
    by_depth: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for unit in units:
        by_depth[len(unit.path)][unit.path].append(unit.pk)
    for length, pks_by_path in by_depth.items():
        for measure in wanted:
            definition = _definition(measure)
            source = definition.source
            records = _records(source).filter(definition.where(starts_on, ends_on), source.in_subtrees(pks_by_path))
            if len(pks_by_path) == 1:
                # One unit: its subtree is the whole answer, no need to read each record's unit.
                [path] = pks_by_path
                rows = [{"prefix": path, "n": records.aggregate(n=definition.count())["n"]}]
            else:
                rows = list(
                    records.annotate(prefix=Substr(f"{source.unit}__path", 1, length))
                    .values("prefix")
                    .annotate(n=definition.count())
                    .values("prefix", "n")
                )
            for row in rows:
                for pk in pks_by_path.get(row["prefix"], ()):
                    values[pk][measure] = row["n"] or 0
    return values


def months_of(starts_on: datetime.date, ends_on: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The calendar months the period touches, each cut to the period: (first day counted, last day counted)."""
    months = []
    first = starts_on.replace(day=1)
    while first <= ends_on:
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        months.append((max(first, starts_on), min(following - datetime.timedelta(days=1), ends_on)))
        first = following
    return months


def monthly_values(
    unit: OrgUnit, measures: Iterable[str], *, starts_on: datetime.date, ends_on: datetime.date
) -> dict[str, list[tuple[datetime.date, int]]]:
    """Per measure, (first day of the month, the measure over that month) for each month of the period.

    Each month's figure is the measure over that month (cut to the period): a learner who came in March and in May
    counts in both months. A measure of what happened is one query grouped by the month of its date; a measure of
    how things stood ("active at the end") is read on each month's last day, in one query of filtered counts.
    """
    months = months_of(starts_on, ends_on)
    series: dict[str, list[tuple[datetime.date, int]]] = {}
    for measure in dict.fromkeys(measures):
        definition = _definition(measure)
        records = _records(definition.source).filter(definition.source.in_subtrees([unit.path]))
        if definition.dated_by:
            counts = _by_month(records, definition, starts_on, ends_on)
        else:
            row = records.filter(_in_some_month(definition, months)).aggregate(
                **{
                    f"m{index}": definition.count(filtered=definition.where(first, last))
                    for index, (first, last) in enumerate(months)
                }
            )
            counts = {first.replace(day=1): row[f"m{index}"] or 0 for index, (first, _last) in enumerate(months)}
        series[measure] = [(first.replace(day=1), counts.get(first.replace(day=1), 0)) for first, _last in months]
    return series


def _by_month(records: QuerySet, definition: Definition, starts_on: datetime.date, ends_on: datetime.date) -> dict:
    """A dated measure counted per month of its date, in the local time zone.

    The month is found by comparing the date with the months' boundaries (a CASE in the query), the same way on
    SQLite and PostgreSQL, and without converting each record's time zone one by one.
    """
    assert definition.dated_by is not None
    months = months_of(starts_on, ends_on)
    is_time = definition.dated_by.endswith("_at")
    whens = []
    for index, (_first, last) in enumerate(months):
        following = last + datetime.timedelta(days=1)
        bound = day_bounds(following, following)[0] if is_time else following
        whens.append(When(**{f"{definition.dated_by}__lt": bound}, then=Value(index)))
    rows = (
        records.filter(definition.where(starts_on, ends_on))
        .annotate(month=Case(*whens, output_field=IntegerField()))
        .values("month")
        .annotate(n=definition.count())
        .values_list("month", "n")
    )
    return {months[index][0].replace(day=1): n for index, n in rows if index is not None}


def _in_some_month(definition: Definition, months: list[tuple[datetime.date, datetime.date]]) -> Q:
    """Records counted in at least one month (read on its last day)."""
    return reduce(operator.or_, (definition.where(first, last) for first, last in months))


def workplace_values(
    branch: OrgUnit, measures: Iterable[str], *, starts_on: datetime.date, ends_on: datetime.date
) -> dict[int, dict[str, int]]:
    """Each of the branch's workplaces' values, by workplace pk: the branch's records of people (or reps, centres,
    responses) at that workplace. Measures with no workplace (agreements are with the employer) are left out."""
    wanted = [measure for measure in dict.fromkeys(measures) if _definition(measure).source.workplace]
    workplace_pks = list(branch.workplaces.values_list("pk", flat=True))
    values = {pk: dict.fromkeys(wanted, 0) for pk in workplace_pks}
    for measure in wanted:
        definition = _definition(measure)
        field = definition.source.workplace
        assert field is not None  # filtered above
        rows = (
            _records(definition.source)
            .filter(definition.where(starts_on, ends_on), definition.source.in_subtrees([branch.path]))
            .filter(**{f"{field}__in": workplace_pks})
            .values(field)
            .annotate(n=definition.count())
            .values_list(field, "n")
        )
        for pk, n in rows:
            if pk in values:
                values[pk][measure] = n
    return values
