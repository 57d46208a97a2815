"""Workplace mapping: every workplace with members in the user's scope, its reps, and where there is none.

"Workplaces with members but no rep, largest first" is where recruitment should go (the handbook's "map
workplaces and focus on key areas").

Sorting by members needs every workplace's member count, and so does the summary at the top, so the
figures are counted once per request in one grouped query (`workplace_figures`); the page is then cut from
those small (id, name, members, reps) tuples and only its rows are read in full (`mapping_rows`), as
`core.pagination.paginate_late` does for people. A queryset annotated with subqueries would count everything
three times (the summary, the paginator's count, the page).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.org import scoping
from learningdesk.org.models import Employer, OrgUnit, Person, Workplace
from learningdesk.reps.models import Rep, Stage

# A workplace "has a rep" when a rep of any kind covering it has finished their training: trained or active.
# Prospects and reps still waiting for training are on their way, but cannot yet do the job there.
REP_STAGES = (Stage.TRAINED, Stage.ACTIVE)

# Counting a million people's members takes SQLite about 160 ms even from a covering index, so past this many
# workplaces in view (a national administrator's, or a large region's) the counts come from a snapshot of
# every workplace's, counted at most SNAPSHOT_SECONDS ago; a branch's are counted live (15 ms for 15,000
# people). Members change with imports, monthly at most: a national planning view a few minutes old is fine.
SNAPSHOT_ABOVE = 1_000
SNAPSHOT_SECONDS = 300
SNAPSHOT_KEY = "reps:mapping:members-per-workplace"

# How the list can be sorted: a leading "-" means largest (or last in the alphabet) first.
SORTS = {
    "-members": "Most members first",
    "members": "Fewest members first",
    "-per_rep": "Most members per rep first",
    "per_rep": "Fewest members per rep first",
    "reps": "Fewest reps first",
    "-reps": "Most reps first",
    "name": "Name, A to Z",
    "-name": "Name, Z to A",
}
DEFAULT_SORT = "-members"


@dataclass(frozen=True)
class MappingFilter:
    employer: Employer | None = None
    unit: OrgUnit | None = None
    show_all: bool = False  # False: only the workplaces with members but no rep
    sort: str = DEFAULT_SORT


@dataclass(frozen=True)
class WorkplaceFigures:
    """One workplace's figures: members there, and reps (trained or active) covering it."""

    workplace_id: int
    name: str
    members: int
    reps: int

    @property
    def has_rep(self) -> bool:
        return self.reps > 0

    @property
    def members_per_rep(self) -> float | None:
        return self.members / self.reps if self.reps else None


@dataclass(frozen=True)
class MappingSummary:
    workplaces: int = 0  # with members
    without_rep: int = 0
    members: int = 0
    members_without_rep: int = 0


@dataclass
class MappingRow:
    """A workplace on the page, with its figures and the reps there that the user may see."""

    workplace: Workplace
    figures: WorkplaceFigures
    reps: list[Rep] = field(default_factory=list)

    @property
    def hidden_reps(self) -> int:
        """Reps counted here whom the user may not see (a ULR sees only their own record)."""
        return max(0, self.figures.reps - len(self.reps))


def mapped_workplaces(*, user: User, filters: MappingFilter) -> QuerySet[Workplace]:
    """The workplaces in the user's scope under the employer and unit filters (with members or not)."""
    workplaces = scoping.visible_workplaces(user)
    if filters.employer is not None:
        workplaces = workplaces.filter(employer=filters.employer)
    if filters.unit is not None:
        workplaces = workplaces.filter(branch__path__startswith=filters.unit.path)
    return workplaces


@dataclass(frozen=True)
class Figures:
    """The figures of every workplace with members in view; `members_as_of` when the counts are a snapshot."""

    rows: list[WorkplaceFigures]
    members_as_of: datetime.datetime | None = None


def workplace_figures(*, user: User, filters: MappingFilter) -> Figures:
    """Every workplace with members in scope (and under the filters), unsorted: three queries."""
    workplaces = mapped_workplaces(user=user, filters=filters)
    names = dict(workplaces.order_by().values_list("pk", "name"))
    if not names:
        return Figures(rows=[])
    if len(names) > SNAPSHOT_ABOVE:
        members, as_of = _member_snapshot()
    else:
        members = _members_at(Person.objects.filter(workplace__in=workplaces.values("pk")))
        as_of = None
    # Every workplace's reps, in scope or not: a few thousand rows at most. Restricting them with
    # "workplace in (the scope's workplaces)" made SQLite probe every workplace for every rep (0.5 s nationally).
    reps = {
        row["workplace"]: row["n"]
        for row in Rep.workplaces.through.objects.filter(rep__stage__in=REP_STAGES)
        .order_by()
        .values("workplace")
        .annotate(n=Count("rep"))
    }
    rows = [
        WorkplaceFigures(workplace_id=pk, name=name, members=members[pk], reps=reps.get(pk, 0))
        for pk, name in names.items()
        if members.get(pk)
    ]
    return Figures(rows=rows, members_as_of=as_of)


def _members_at(people: QuerySet[Person]) -> dict[int, int]:
    """Members per workplace, in one pass over the people (an index on (workplace, status) serves it)."""
    return dict(
        people.filter(status=Person.Status.MEMBER, workplace__isnull=False)
        .order_by()
        .values("workplace")
        .annotate(n=Count("pk"))
        .values_list("workplace", "n")
    )


def _member_snapshot() -> tuple[dict[int, int], datetime.datetime]:
    """Every workplace's members, counted at most SNAPSHOT_SECONDS ago (kept in the cache)."""
    cached = cache.get(SNAPSHOT_KEY)
    if cached is None:
        cached = (_members_at(Person.objects.all()), timezone.now())
        cache.set(SNAPSHOT_KEY, cached, SNAPSHOT_SECONDS)
    return cached


def mapping_summary(figures: Iterable[WorkplaceFigures]) -> MappingSummary:
    workplaces = without_rep = members = members_without_rep = 0
    for row in figures:
        workplaces += 1
        members += row.members
        if not row.has_rep:
            without_rep += 1
            members_without_rep += row.members
    return MappingSummary(workplaces, without_rep, members, members_without_rep)


def _sort_key(sort: str) -> Callable[[WorkplaceFigures], tuple[object, ...]]:
    """The key for `sorted` (always ascending: "-" sorts are negated), ties broken by size, then name."""
    column = sort.removeprefix("-")
    descending = sort.startswith("-")
    sign = -1 if descending else 1

    def key(row: WorkplaceFigures) -> tuple[object, ...]:
        name = (row.name.casefold(), row.workplace_id)
        if column == "name":
            return name
        if column == "per_rep":
            # No rep at all is the most stretched: first when most-per-rep comes first, last otherwise.
            per_rep = row.members_per_rep
            value = float("inf") if per_rep is None else per_rep
            return (sign * value, -row.members, name)
        value = row.members if column == "members" else row.reps
        return (sign * value, -row.members, name)

    return key


def mapping_order(figures: Sequence[WorkplaceFigures], *, filters: MappingFilter) -> list[WorkplaceFigures]:
    """The figures as listed: only workplaces with no rep unless `show_all`, in the chosen order."""
    sort = filters.sort if filters.sort in SORTS else DEFAULT_SORT
    rows = figures if filters.show_all else [row for row in figures if not row.has_rep]
    ordered = sorted(rows, key=_sort_key(sort))
    if sort == "-name":
        ordered.reverse()
    return ordered


def mapping_rows(*, user: User, figures: Sequence[WorkplaceFigures], with_reps: bool = True) -> list[MappingRow]:
    """The page's workplaces in full (employer, branch) and, `with_reps`, the reps there the user may see."""
    ids = [row.workplace_id for row in figures]
    workplaces = Workplace.objects.filter(pk__in=ids).select_related("employer", "branch").in_bulk()
    reps_at: dict[int, list[Rep]] = {pk: [] for pk in ids}
    if with_reps and ids:
        visible = scoping.visible_reps(user).filter(stage__in=REP_STAGES).values("pk")
        covering = (
            Rep.workplaces.through.objects.filter(workplace__in=ids, rep__in=visible)
            .select_related("rep__person", "rep__kind")
            .order_by("rep__person__last_name", "rep__person__first_name", "rep_id")
        )
        for link in covering:
            reps_at[link.workplace_id].append(link.rep)
    return [
        MappingRow(workplace=workplaces[row.workplace_id], figures=row, reps=reps_at[row.workplace_id])
        for row in figures
        if row.workplace_id in workplaces
    ]
