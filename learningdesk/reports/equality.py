"""Equality of participation: who comes to learning, becomes a rep or answers surveys, against who the members are.

Equality monitoring is special category data (UK GDPR Art. 9): only the equality roles over a unit see these
figures (`may_see_equality`), only in aggregate, with small numbers suppressed (reports/suppression.py), and the
page logs every viewing. Each group of people is counted by one query over the people and their equality records,
whatever the number of members.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, TextChoices

from learningdesk.accounts.models import User
from learningdesk.learning.models import SignUp
from learningdesk.org import scoping
from learningdesk.org.models import EqualityRecord, OrgUnit, Person
from learningdesk.reports import measures, suppression
from learningdesk.reports.models import Measure
from learningdesk.reps.models import CURRENT_REP_STAGES, Rep
from learningdesk.surveys.models import Response

# (field of EqualityRecord, heading, its choices): the monitored characteristics, in the order the form asks them.
CHARACTERISTICS: tuple[tuple[str, str, type[TextChoices]], ...] = (
    ("age_band", "Age", EqualityRecord.AgeBand),
    ("gender", "Gender", EqualityRecord.Gender),
    ("ethnicity", "Ethnicity", EqualityRecord.Ethnicity),
    ("disability", "Disabled", EqualityRecord.YesNo),
    ("sexual_orientation", "Sexual orientation", EqualityRecord.SexualOrientation),
)
NOT_ANSWERED = ""
# Answers that are not a group to reach: no "under-represented" flag for them.
NOT_A_GROUP = frozenset({NOT_ANSWERED, "prefer_not_to_say"})
# A group is under-represented when its share of learners (reps, respondents) is below 80% of its share of members.
UNDER_REPRESENTED_RATIO = 0.8


class Population(TextChoices):
    """The groups of people compared: the members are what the others are measured against."""

    MEMBERS = "members", "Members"
    LEARNERS = "learners", "Learners"
    REPS = "reps", "Reps"
    RESPONDENTS = "respondents", "Survey respondents"


POPULATION_WORDS: dict[str, str] = {
    Population.MEMBERS: "members",
    Population.LEARNERS: "learners",
    Population.REPS: "reps",
    Population.RESPONDENTS: "survey respondents",
}


COVERAGE_WORDS: dict[str, str] = {
    Population.MEMBERS: "Members now",
    Population.LEARNERS: "Learners in the period",
    Population.REPS: "Reps now (notified to active)",
    Population.RESPONDENTS: "Survey respondents in the period (identified surveys)",
}


def configured_threshold() -> int:
    """The smallest count shown (settings.EQUALITY_SUPPRESSION_THRESHOLD, default 10)."""
    configured = getattr(settings, "EQUALITY_SUPPRESSION_THRESHOLD", suppression.DEFAULT_THRESHOLD)
    return suppression.effective_threshold(int(configured))


@dataclass(frozen=True)
class Cell:
    """One count of the table as it may be shown, with its share of the column's total (a percentage)."""

    count: int | None  # None when hidden
    share: float | None  # one decimal place; None when the count or the total is hidden
    text: str  # the count as shown: "1,234", "fewer than 10", "hidden" or "withheld"
    small: bool = False  # hidden because it is under the threshold
    withheld: bool = False  # the whole column is withheld

    @property
    def share_text(self) -> str:
        return f"{self.share:.1f}%" if self.share is not None else "–"


@dataclass(frozen=True)
class GroupRow:
    value: str
    label: str
    cells: tuple[Cell, ...]  # one per population, in Population order
    notes: tuple[str, ...] = ()  # under-representation, in words

    @property
    def by_population(self) -> list[tuple[str, Cell]]:
        """(the population's name, its cell) pairs, for a table's cells."""
        return list(zip(Population.labels, self.cells, strict=True))


@dataclass(frozen=True)
class Characteristic:
    field: str
    label: str
    rows: tuple[GroupRow, ...]
    withheld: tuple[str, ...] = ()  # the populations whose column is withheld for this characteristic


@dataclass(frozen=True)
class Participation:
    unit_name: str
    starts_on: datetime.date
    ends_on: datetime.date
    threshold: int
    everyone: dict[str, int]  # each population's size, whether or not they gave equality information
    answered: dict[str, Cell]  # how many of them gave it: each column's total
    anonymous_responses: int  # responses to anonymous surveys: linked to nobody, so not in the table
    characteristics: tuple[Characteristic, ...]
    under_represented: tuple[str, ...]  # every note, for a summary

    @property
    def populations(self) -> list[tuple[str, str]]:
        return list(Population.choices)

    @property
    def coverage(self) -> list[tuple[str, int, Cell]]:
        """Each population in words, how many people it has and how many of them gave equality information."""
        return [(COVERAGE_WORDS[key], self.everyone[key], self.answered[key]) for key in Population.values]

    @property
    def has_information(self) -> bool:
        return any(cell.count != 0 for cell in self.answered.values())

    def as_data(self) -> dict[str, Any]:
        """A JSON-friendly copy (the committee report keeps one as issued)."""
        data = dataclasses.asdict(self)
        data["starts_on"], data["ends_on"] = self.starts_on.isoformat(), self.ends_on.isoformat()
        return data


def may_see_equality(user: User, unit: OrgUnit) -> bool:
    """Only the equality roles (roles.EQUALITY_ROLES) whose subtree holds the unit see its equality figures."""
    return scoping.covers_unit_equality(user, unit)


# The people of each population -------------------------------------------------------------------


def _in_unit(field: str, unit: OrgUnit) -> Q:
    """Records whose unit (`field`) is in the unit's subtree, by the units' ids so the field's index is used."""
    if len(unit.path) == OrgUnit.steplen:
        return Q()  # the whole organisation
    return Q(**{f"{field}__in": OrgUnit.objects.filter(path__startswith=unit.path).values("pk")})


def members(unit: OrgUnit) -> QuerySet[Person]:
    return Person.objects.filter(_in_unit("branch", unit), status=Person.Status.MEMBER)


def learners(unit: OrgUnit, starts_on: datetime.date, ends_on: datetime.date) -> QuerySet[Person]:
    """The "learners" measure's people (measures.py): attended a session of the unit's activities in the period."""
    attended = SignUp.objects.filter(
        measures.DEFINITIONS[Measure.LEARNERS].where(starts_on, ends_on), measures.SIGN_UPS.in_subtrees([unit.path])
    )
    return Person.objects.filter(pk__in=attended.values("person_id"))


def reps(unit: OrgUnit) -> QuerySet[Person]:
    """People holding a learning role now (notified to active), of the unit's branches."""
    current = Rep.objects.filter(_in_unit("person__branch", unit), stage__in=CURRENT_REP_STAGES)
    return Person.objects.filter(pk__in=current.values("person_id"))


def _responses(unit: OrgUnit, starts_on: datetime.date, ends_on: datetime.date) -> QuerySet[Response]:
    """The "survey responses" measure's responses (measures.py): completed in the period, where the respondent works."""
    return Response.objects.filter(
        measures.DEFINITIONS[Measure.SURVEY_RESPONSES].where(starts_on, ends_on),
        measures.RESPONSES.in_subtrees([unit.path]),
    )


def respondents(unit: OrgUnit, starts_on: datetime.date, ends_on: datetime.date) -> QuerySet[Person]:
    identified = _responses(unit, starts_on, ends_on).filter(survey__is_anonymous=False, person__isnull=False)
    return Person.objects.filter(pk__in=identified.values("person_id"))


def _group_counts(people: QuerySet[Person]) -> dict[str, int]:
    """One query: how many people, how many gave equality information, and how many gave each answer."""
    aggregates: dict[str, Any] = {"everyone": Count("pk"), "answered": Count("equality")}
    names: dict[str, str] = {}
    for field, _label, choices in CHARACTERISTICS:
        for value in [*choices.values, NOT_ANSWERED]:
            alias = f"c{len(names)}"
            names[alias] = f"{field}={value}"
            aggregates[alias] = Count("equality", filter=Q(**{f"equality__{field}": value}))
    row = people.order_by().aggregate(**aggregates)
    return {names.get(alias, alias): count or 0 for alias, count in row.items()}


# The table ----------------------------------------------------------------------------------------


def _text(shown: suppression.Shown, limit: int, *, withheld: bool = False) -> str:
    if shown.count is not None:
        return f"{shown.count:,}"
    if shown.small:
        return f"fewer than {limit}"
    return "withheld" if withheld else "hidden"


def _cells(counts: list[int], limit: int) -> tuple[list[Cell], bool]:
    shown = suppression.suppress_column(counts, limit)
    total_shown = shown.total.count
    cells = [
        Cell(
            count=cell.count,
            share=round(100 * cell.count / total_shown, 1) if cell.count is not None and total_shown else None,
            text=_text(cell, limit, withheld=shown.withheld),
            small=cell.small,
            withheld=shown.withheld,
        )
        for cell in shown.cells
    ]
    return cells, shown.withheld


def _note(population: str, cell: Cell, members_cell: Cell, total: Cell, limit: int) -> str | None:
    """In words, when a group's share of the population is well below its share of members."""
    if not members_cell.share:
        return None
    expected = UNDER_REPRESENTED_RATIO * members_cell.share
    words = POPULATION_WORDS[population]
    if cell.share is not None:
        if cell.share >= expected:
            return None
        share = f"{cell.share_text} of"
    elif cell.small and total.count and 100 * (limit - 1) / total.count < expected:
        # A small hidden count: even its largest possible share is well below, which says no more than the label.
        share = f"fewer than {limit} of {total.count:,}"
    else:
        return None
    return f"Under-represented among {words}: {share} {words}, against {members_cell.share_text} of members."


def _characteristic(
    field: str,
    label: str,
    choices: type[TextChoices],
    counts: dict[str, dict[str, int]],
    totals: dict[str, Cell],
    limit: int,
) -> Characteristic:
    """One characteristic's table: each population's column suppressed on its own, each group's notes."""
    groups = [*choices.choices, (NOT_ANSWERED, "Not answered")]
    columns: dict[str, list[Cell]] = {}
    withheld: list[str] = []
    for population in Population.values:
        columns[population], is_withheld = _cells(
            [counts[population][f"{field}={value}"] for value, _g in groups], limit
        )
        if is_withheld:
            withheld.append(population)
    rows = []
    for index, (value, group) in enumerate(groups):
        cells = tuple(columns[population][index] for population in Population.values)
        notes = [
            _note(population, cell, cells[0], totals[population], limit)
            for population, cell in zip(Population.values[1:], cells[1:], strict=True)
            if value not in NOT_A_GROUP
        ]
        rows.append(GroupRow(value=value, label=str(group), cells=cells, notes=tuple(note for note in notes if note)))
    return Characteristic(field=field, label=label, rows=tuple(rows), withheld=tuple(withheld))


def participation(
    unit: OrgUnit, *, starts_on: datetime.date, ends_on: datetime.date, threshold: int | None = None
) -> Participation:
    """Each monitored group's share of the unit's members against its share of learners, reps and respondents.

    `threshold`: the smallest count shown (the setting EQUALITY_SUPPRESSION_THRESHOLD by default). Five queries.
    """
    limit = suppression.effective_threshold(threshold if threshold is not None else configured_threshold())
    people: dict[str, QuerySet[Person]] = {
        Population.MEMBERS: members(unit),
        Population.LEARNERS: learners(unit, starts_on, ends_on),
        Population.REPS: reps(unit),
        Population.RESPONDENTS: respondents(unit, starts_on, ends_on),
    }
    counts = {population: _group_counts(queryset) for population, queryset in people.items()}
    anonymous = _responses(unit, starts_on, ends_on).filter(survey__is_anonymous=True).count()
    # How many gave equality information: each column's total, shown (or not) the same in every table.
    totals = {}
    for population in Population.values:
        shown = suppression.suppress_column([counts[population]["answered"]], limit).total
        totals[population] = Cell(count=shown.count, share=None, text=_text(shown, limit), small=shown.small)
    characteristics = tuple(
        _characteristic(field, label, choices, counts, totals, limit) for field, label, choices in CHARACTERISTICS
    )
    return Participation(
        unit_name=unit.name,
        starts_on=starts_on,
        ends_on=ends_on,
        threshold=limit,
        everyone={population: counts[population]["everyone"] for population in Population.values},
        answered=totals,
        anonymous_responses=anonymous,
        characteristics=characteristics,
        under_represented=tuple(
            f"{characteristic.label}, {row.label}: {note}"
            for characteristic in characteristics
            for row in characteristic.rows
            for note in row.notes
        ),
    )
