"""The dashboard on the home page of co-ordinators, officers, regional and national users.

For each unit at the top of the user's scope: this year's headline figures against its targets, and the last
twelve months by month (learning, and reps), as SVG charts with their figures in a table.

Counting a year of a national union's learning (100,000 sign-ups, a million members) takes longer than a home
page may, and a branch's takes a dozen queries on a page that has many already. So the figures are counted by a
task into a `DashboardSnapshot` per unit, and the home page reads that one row: when it is more than
`FRESH_SECONDS` old, or a target in the unit's subtree changed since, the page still shows it (saying when it
was counted) and asks the task worker for a fresh count. The count is always `reports/measures.py`'s, from the
records; it is shared by everyone who sees the unit, since a unit's figures do not depend on who looks.

The same count finds the unit's surveys closing in the next week, for "Needs your attention"; the rest of that
list comes from each area's own module (reps/reminders.py, learning/home.py, employers/home.py, core/backups.py).
The home page's other slow counts are kept a minute or two per user (`kept_a_while`).

Below a region or the nation, `compare_units` puts the units side by side for reports/views/dashboards.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.tasks import task
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString

from learningdesk.accounts.models import User
from learningdesk.core import tasks_recovery
from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit
from learningdesk.org.selectors import subtree_counts
from learningdesk.reports import charts
from learningdesk.reports.measures import MEASURE_HELP, measure_values, monthly_values
from learningdesk.reports.models import DashboardSnapshot, Measure, Target
from learningdesk.reports.targets import Progress, progress_for, progress_for_units, progress_of
from learningdesk.surveys.models import Survey

# This year's headline figures, in the order shown: three about learning, three about reps and employers (two rows
# of three cards leave room for a national union's six-figure numbers).
HEADLINE_GROUPS = (
    ("Learning", (Measure.LEARNERS, Measure.SIGN_UPS, Measure.COMPLETIONS)),
    ("Reps and employers", (Measure.REPS_TRAINED, Measure.ACTIVE_REPS, Measure.AGREEMENTS_SIGNED)),
)
HEADLINE = tuple(measure for _group, measures in HEADLINE_GROUPS for measure in measures)
# The trends by month: learning on one chart, reps on another (a branch's few reps would be a flat line beside
# its hundreds of sign-ups).
LEARNING_TRENDS = (Measure.LEARNERS, Measure.SIGN_UPS, Measure.COMPLETIONS)
REP_TRENDS = (Measure.REPS_RECRUITED, Measure.REPS_TRAINED)
TREND_MONTHS = 12

FRESH_SECONDS = 120
# A unit's fresh count is asked for at most once in this time, however many people open their home page.
ASK_SECONDS = 60
ASKED_KEY = "reports:dashboard:asked:{pk}"
# Units with a dashboard on one home page; a user with more (roles in many branches) is told how many more.
SHOWN_UNITS = 3

CLOSING_DAYS = 7
CLOSING_WITHIN = datetime.timedelta(days=CLOSING_DAYS)
CLOSING_SHOWN = 3


def year_start(today: datetime.date) -> datetime.date:
    """This year's figures run from 1 January, as targets do by default."""
    return today.replace(month=1, day=1)


def trend_start(today: datetime.date) -> datetime.date:
    """The first day of the month eleven months ago: twelve months with this one."""
    month = today.month - (TREND_MONTHS - 1)
    year = today.year
    while month < 1:
        month += 12
        year -= 1
    return datetime.date(year, month, 1)


# Counting (the task) ----------------------------------------------------------------------------------------


def count_dashboard(unit: OrgUnit, *, today: datetime.date) -> dict[str, Any]:
    """The unit's dashboard figures as JSON: this year's headline figures, the monthly trends, and each target's
    actual value (its expected value and status depend on the day, so they are worked out when shown)."""
    figures = measure_values([unit], HEADLINE, starts_on=year_start(today), ends_on=today)[unit.pk]
    trends = monthly_values(unit, LEARNING_TRENDS + REP_TRENDS, starts_on=trend_start(today), ends_on=today)
    targets = [
        {
            "id": progress.target.pk,
            "measure": progress.target.measure,
            "starts_on": progress.target.starts_on.isoformat(),
            "ends_on": progress.target.ends_on.isoformat(),
            "value": progress.target.value,
            "note": progress.target.note,
            "actual": progress.actual,
            "from_below": progress.from_below,
        }
        for progress in progress_for(unit, on=today)
    ]
    closing = (
        scoping.unit_surveys(unit)
        .filter(status=Survey.Status.OPEN, closes_on__gte=today, closes_on__lte=today + CLOSING_WITHIN)
        .order_by("closes_on", "title", "pk")
        .values("pk", "title", "closes_on")[: CLOSING_SHOWN + 1]
    )
    return {
        "counted_on": today.isoformat(),
        "figures": figures,
        "closing": [{**row, "closes_on": str(row["closes_on"])} for row in closing],
        "trends": {measure: [[day.isoformat(), value] for day, value in points] for measure, points in trends.items()},
        "targets": targets,
    }


def refresh(unit: OrgUnit, *, today: datetime.date | None = None) -> DashboardSnapshot:
    """Count the unit's dashboard now and keep it."""
    today = today or timezone.localdate()
    data = count_dashboard(unit, today=today)
    snapshot, _created = DashboardSnapshot.objects.update_or_create(
        unit=unit, defaults={"counted_at": timezone.now(), "data": data}
    )
    return snapshot


@task()
def refresh_dashboards(unit_pks: list[int]) -> None:
    """Count the dashboards of these units (queued by the home page when a count is missing or old)."""
    try:
        for unit in OrgUnit.objects.filter(pk__in=unit_pks).order_by("path"):
            refresh(unit)
    finally:
        for pk in unit_pks:
            cache.delete(ASKED_KEY.format(pk=pk))


# Counting again from the start is harmless: a worker that died part way left at most some snapshots updated.
tasks_recovery.recoverable(refresh_dashboards, retry=True)


def ask_for_count(units: Sequence[OrgUnit]) -> None:
    """Queue a fresh count of the units, unless one was asked for in the last ASK_SECONDS."""
    wanted = [unit.pk for unit in units if cache.add(ASKED_KEY.format(pk=unit.pk), True, ASK_SECONDS)]
    if wanted:
        transaction.on_commit(lambda: refresh_dashboards.enqueue(wanted))


# Showing it ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosingSurvey:
    """An open survey of the unit's that closes within CLOSING_DAYS, as counted with its dashboard."""

    pk: int
    title: str
    closes_on: datetime.date

    def closes(self, today: datetime.date) -> str:
        days = (self.closes_on - today).days
        when = dateformat.format(self.closes_on, "l j F")
        if days == 0:
            return f"closes today ({when})"
        if days == 1:
            return f"closes tomorrow ({when})"
        return f"closes in {days} days ({when})"


@dataclass(frozen=True)
class Headline:
    """One of this year's figures, with the target for it that runs today, if any."""

    measure: str
    value: int
    progress: Progress | None

    @property
    def label(self) -> str:
        return Measure(self.measure).label

    @property
    def help(self) -> str:
        return MEASURE_HELP[self.measure]


@dataclass
class UnitDashboard:
    unit: OrgUnit
    counted_at: datetime.datetime
    year_starts_on: datetime.date
    headlines: list[Headline]
    progress: list[Progress]
    learning_chart: SafeString
    reps_chart: SafeString
    recounting: bool  # old or out of date: a fresh count has been asked for
    closing: list[ClosingSurvey] = field(default_factory=list)  # open surveys closing within CLOSING_DAYS

    @property
    def headline_groups(self) -> list[tuple[str, list[Headline]]]:
        by_measure = {headline.measure: headline for headline in self.headlines}
        return [(name, [by_measure[measure] for measure in measures]) for name, measures in HEADLINE_GROUPS]

    @property
    def may_compare(self) -> bool:
        """A region or the nation: its units can be compared side by side."""
        return self.unit.numchild > 0


@dataclass
class Dashboards:
    units: list[UnitDashboard] = field(default_factory=list)
    counting: list[OrgUnit] = field(default_factory=list)  # never counted yet: being counted now
    more: int = 0  # units in scope beyond SHOWN_UNITS


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def _progress(unit: OrgUnit, rows: list[dict[str, Any]], *, today: datetime.date) -> list[Progress]:
    """The targets' progress on `today`, from the actual values counted with the snapshot."""
    return [
        progress_of(
            Target(
                pk=row["id"],
                unit=unit,
                measure=row["measure"],
                starts_on=_date(row["starts_on"]),
                ends_on=_date(row["ends_on"]),
                value=row["value"],
                note=row["note"],
            ),
            row["actual"],
            on=today,
            from_below=row["from_below"],
        )
        for row in rows
        if _date(row["starts_on"]) <= today <= _date(row["ends_on"])
    ]


def _trend_chart(data: dict[str, Any], measures: Sequence[str], *, unit: OrgUnit, title: str, what: str) -> SafeString:
    series = {
        Measure(measure).label: [(_date(day), value) for day, value in data["trends"].get(measure, [])]
        for measure in measures
    }
    last = {label: points[-1][1] for label, points in series.items() if points}
    latest = ", ".join(f"{label.lower()} {value:,}" for label, value in last.items())
    description = f"{what} in {unit.name} in each of the last {TREND_MONTHS} months."
    if latest:
        description += f" This month so far: {latest}."
    return charts.line_chart(series, title=title, description=description)


def unit_dashboard(snapshot: DashboardSnapshot, *, today: datetime.date, recounting: bool) -> UnitDashboard:
    """A unit's dashboard from its snapshot (no queries)."""
    unit, data = snapshot.unit, snapshot.data
    progress = _progress(unit, data.get("targets", []), today=today)
    by_measure: dict[str, Progress] = {}
    for item in progress:
        by_measure.setdefault(item.target.measure, item)
    figures = data.get("figures", {})
    return UnitDashboard(
        unit=unit,
        counted_at=snapshot.counted_at,
        year_starts_on=year_start(_date(data.get("counted_on", today.isoformat()))),
        headlines=[Headline(measure, figures.get(measure, 0), by_measure.get(measure)) for measure in HEADLINE],
        progress=progress,
        learning_chart=_trend_chart(data, LEARNING_TRENDS, unit=unit, title="Learning by month", what="Learning"),
        reps_chart=_trend_chart(data, REP_TRENDS, unit=unit, title="Reps by month", what="Reps recruited and trained"),
        recounting=recounting,
        closing=[ClosingSurvey(row["pk"], row["title"], _date(row["closes_on"])) for row in data.get("closing", [])],
    )


def dashboards_for(user: User, roots: Sequence[OrgUnit], *, today: datetime.date | None = None) -> Dashboards:
    """The dashboards of the top units of the user's scope (`scoping.scope_roots`): one query.

    Units never counted, or counted too long ago, are queued for a count (after this request's transaction).
    """
    today = today or timezone.localdate()
    if not scoping.get_scope(user).see:
        return Dashboards()
    shown = list(roots)[:SHOWN_UNITS]
    latest_target = (
        Target.objects.filter(unit__path__startswith=OuterRef("unit__path"))
        .order_by("-updated_at")
        .values("updated_at")[:1]
    )
    snapshots = {
        snapshot.unit_id: snapshot
        for snapshot in DashboardSnapshot.objects.filter(unit__in=[unit.pk for unit in shown]).annotate(
            target_changed_at=Subquery(latest_target)
        )
    }
    now = timezone.now()
    result = Dashboards(more=max(0, len(roots) - SHOWN_UNITS))
    stale: list[OrgUnit] = []
    for unit in shown:
        snapshot = snapshots.get(unit.pk)
        if snapshot is None:
            result.counting.append(unit)
            stale.append(unit)
            continue
        snapshot.unit = unit  # the root as loaded, with its kind
        changed = snapshot.target_changed_at  # type: ignore[attr-defined]
        old = (
            (now - snapshot.counted_at).total_seconds() > FRESH_SECONDS
            or snapshot.data.get("counted_on") != today.isoformat()
            or (changed is not None and changed > snapshot.counted_at)
        )
        if old:
            stale.append(unit)
        result.units.append(unit_dashboard(snapshot, today=today, recounting=old))
    if stale:
        ask_for_count(stale)
    return result


# The rest of the home page, kept a minute or two ------------------------------------------------------------

# Some of the home page's other parts are slow to count and change slowly: the scope's headline counts (every
# member of the nation: SQLite takes most of a second) and the employer reminders (review dates and overdue
# actions change by the day; the open time-off cases among a million members' requests take SQLite a second).
# Those are kept per user for FRESH_SECONDS, and so are the sessions coming up, but only for a region or the nation:
# a branch's are read live, so a co-ordinator who records an agreement sees its review reminder at once.
KEPT_KEY = "reports:home:{name}:{user}"


def is_wide_scope(user: User) -> bool:
    """Whether the user's scope includes a whole region or the nation."""
    return any(len(path) <= 2 * OrgUnit.steplen for path in scoping.get_scope(user).see)


def kept_a_while[T](user: User, name: str, count: Callable[[], T], *, only_wide: bool = False) -> T:
    """`count()`, kept for the user for FRESH_SECONDS (`only_wide`: only for a region's or the nation's scope)."""
    if only_wide and not is_wide_scope(user):
        return count()
    key = KEPT_KEY.format(name=name, user=user.pk)
    kept = cache.get(key)
    if kept is None:
        kept = count()
        cache.set(key, kept, FRESH_SECONDS)
    return kept


# Needs your attention: surveys closing soon, counted with the dashboard --------------------------------------


def surveys_closing(dashboards: Dashboards, *, today: datetime.date) -> list[dict[str, str]]:
    """Open surveys of the dashboards' units that close in the next CLOSING_DAYS days, soonest first, as items
    (url, text) for "Needs your attention". Counted with the dashboards: no query."""
    found = {survey.pk: survey for board in dashboards.units for survey in board.closing}
    surveys = sorted(
        (survey for survey in found.values() if today <= survey.closes_on <= today + CLOSING_WITHIN),
        key=lambda survey: (survey.closes_on, survey.title, survey.pk),
    )
    items = [
        {
            "url": reverse("surveys:detail", args=[survey.pk]),
            "text": f"The survey “{survey.title}” {survey.closes(today)}",
        }
        for survey in surveys[:CLOSING_SHOWN]
    ]
    if len(surveys) > CLOSING_SHOWN:
        items.append({"url": reverse("surveys:list"), "text": f"More surveys close in the next {CLOSING_DAYS} days"})
    return items


# Comparing the units below a region or the nation ---------------------------------------------------------

# The measures compared, this year, after members (counted by org.selectors.subtree_counts).
COMPARED = (Measure.LEARNERS, Measure.SIGN_UPS, Measure.ACTIVE_REPS, Measure.AGREEMENTS_SIGNED)
# Worst first: a unit well behind on any target comes before one behind, then those on track.
STATUS_ORDER = {"red": 0, "amber": 1, "green": 2, "met": 3, "": 4}
STATUS_LABELS = {"red": "Well behind", "amber": "Behind", "green": "On track", "met": "Met", "": "No targets"}
STATUS_TAGS = {
    "red": "govuk-tag--red",
    "amber": "govuk-tag--yellow",
    "green": "govuk-tag--green",
    "met": "govuk-tag--blue",
    "": "govuk-tag--grey",
}
COMPARE_SORTS = ("status", "name", "members", *COMPARED)
FALLING_BEHIND_SHOWN = 5


def _status(progress: Progress) -> str:
    return "met" if progress.is_met else progress.rag


@dataclass
class CompareRow:
    """A unit below the one compared: its figures this year and how its targets stand today."""

    unit: OrgUnit
    members: int
    values: dict[str, int]
    progress: list[Progress]

    @property
    def status(self) -> str:
        """Its worst target's status ("" without targets)."""
        return min((_status(item) for item in self.progress), key=STATUS_ORDER.__getitem__, default="")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def tag_class(self) -> str:
        return STATUS_TAGS[self.status]

    @property
    def behind(self) -> list[Progress]:
        """Its targets behind where they should be today, the furthest behind first."""
        late = [item for item in self.progress if _status(item) in ("red", "amber")]
        return sorted(late, key=lambda item: (STATUS_ORDER[item.rag], item.actual - item.expected))

    @property
    def is_falling_behind(self) -> bool:
        return self.status in ("red", "amber")

    @property
    def cells(self) -> list[tuple[str, int]]:
        """The figures in the table's order, each with its column's heading (a phone shows it beside the figure)."""
        return [("Members", self.members), *((Measure(m).label, self.values[m]) for m in COMPARED)]


@dataclass
class Comparison:
    unit: OrgUnit
    starts_on: datetime.date
    ends_on: datetime.date
    rows: list[CompareRow]
    kind_name: str  # what the units below are called: "branch"
    kind_plural: str  # "branches"
    counted_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def falling_behind(self) -> list[CompareRow]:
        late = [row for row in self.rows if row.is_falling_behind]
        return sorted(late, key=lambda row: (STATUS_ORDER[row.status], -len(row.behind), row.unit.name.casefold()))


def compare_units(user: User, unit: OrgUnit, *, today: datetime.date) -> Comparison:
    """The units just below `unit`, with this year's figures and their targets' status, in a fixed number of
    queries however many units there are (grouped by unit, as measures.py counts)."""
    children = list(
        OrgUnit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).select_related("kind").order_by("name")
    )
    starts_on = year_start(today)
    if not children:
        return Comparison(unit, starts_on, today, [], "unit", "units")
    members = subtree_counts(user=user, units=children)
    values = measure_values(children, COMPARED, starts_on=starts_on, ends_on=today)
    progress = progress_for_units(children, on=today)
    rows = [
        CompareRow(
            unit=child, members=members[child.pk]["members"], values=values[child.pk], progress=progress[child.pk]
        )
        for child in children
    ]
    kind = children[0].kind
    return Comparison(unit, starts_on, today, rows, kind.name.lower(), kind.name_plural.lower())


def sort_rows(rows: list[CompareRow], sort: str) -> list[CompareRow]:
    """The rows in the chosen order: "status" worst first, "name" A to Z, a figure smallest first ("-" largest)."""
    column = sort.removeprefix("-")
    if column not in COMPARE_SORTS:
        column, sort = "status", "status"
    by_name = sorted(rows, key=lambda row: row.unit.name.casefold())
    if column == "name":
        ordered = by_name
    elif column == "status":
        ordered = sorted(by_name, key=lambda row: (STATUS_ORDER[row.status], -len(row.behind)))
    elif column == "members":
        ordered = sorted(by_name, key=lambda row: row.members)
    else:
        ordered = sorted(by_name, key=lambda row: row.values[column])
    return list(reversed(ordered)) if sort.startswith("-") else ordered


def compare_chart(comparison: Comparison, rows: list[CompareRow], column: str) -> SafeString:
    """A bar chart of the shown rows' figure in the sorted column (learners when sorted by name or status)."""
    measure = column if column in COMPARED else Measure.LEARNERS
    label = "Members" if column == "members" else Measure(measure).label
    bars = [(row.unit.name, row.members if column == "members" else row.values[measure]) for row in rows]
    when = "now" if column == "members" else f"since {dateformat.format(comparison.starts_on, 'j F Y')}"
    title = f"{label} in {comparison.unit.name}, by {comparison.kind_name}"
    if bars:
        high = max(bars, key=lambda bar: bar[1])
        low = min(bars, key=lambda bar: bar[1])
        description = (
            f"{label} {when} for {len(bars)} {comparison.kind_plural}: the most in {high[0]} ({high[1]:,}), "
            f"the fewest in {low[0]} ({low[1]:,})."
        )
    else:
        description = f"No {comparison.kind_plural} to compare."
    return charts.bar_chart(bars, title=title, description=description, label_header=comparison.kind_name.capitalize())
