"""Targets: progress against them, red/amber/green, the roll-up from the units below, and saving them.

A target's actual value is never typed: it is the measure (reports/measures.py) over the target's period in the
unit's whole subtree. "Expected by today" is the target spread evenly over the period's days, so a target of 1,200
learners for the year expects 600 by the end of June.

Roll-up: a unit with no target of its own for a measure and period shows the sum of the targets of the units
below it for the same measure and period (the nearest ones that have one), marked as coming from them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import dateformat, timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record, save_and_audit
from learningdesk.org.models import OrgUnit, UnitKind
from learningdesk.reports.measures import MEASURE_HELP, measure_values, workplace_values
from learningdesk.reports.models import Measure, Target

STEPLEN = OrgUnit.steplen
MEASURE_ORDER = {measure: index for index, measure in enumerate(Measure.values)}
# Below this share of where it should be, a target is "well behind" (red) rather than "behind" (amber).
AMBER_SHARE = (4, 5)  # 80%

RAG_LABELS = {"green": "On track", "amber": "Behind", "red": "Well behind"}

# The Amicus-AEEU national figures (issue 11): a ready template a unit adapts.
AMICUS_TEMPLATE: tuple[tuple[str, int], ...] = (
    (Measure.LEARNERS, 20_000),
    (Measure.REPS_TRAINED, 1_000),
    (Measure.LEARNER_CHAMPIONS, 50),
    (Measure.BASIC_SKILLS, 1_000),
    (Measure.TUTORS, 20),
    (Measure.LEARNING_CENTRES, 12),
)


@dataclass
class Progress:
    """Where a target stands on a day: the actual so far, where it should be by then, and its status."""

    target: Target
    actual: int
    expected: int
    percent: int
    rag: str  # "green" | "amber" | "red"
    # Not set for this unit: the sum of the targets of the units below (`from_below` says which, "its branches").
    from_below: str = ""

    @property
    def is_met(self) -> bool:
        return self.actual >= self.target.value

    @property
    def rag_label(self) -> str:
        return "Met" if self.is_met else RAG_LABELS[self.rag]

    @property
    def tag_class(self) -> str:
        """The GOV.UK tag colour; the words are always shown with it."""
        if self.is_met:
            return "govuk-tag--blue"
        return {"green": "govuk-tag--green", "amber": "govuk-tag--yellow", "red": "govuk-tag--red"}[self.rag]

    @property
    def bar_value(self) -> int:
        return min(self.percent, 100)

    @property
    def measure_label(self) -> str:
        return Measure(self.target.measure).label

    @property
    def measure_help(self) -> str:
        return MEASURE_HELP[self.target.measure]

    @property
    def is_rolled_up(self) -> bool:
        return bool(self.from_below)

    @property
    def period_label(self) -> str:
        """ "2026" for a calendar year, else "1 April 2026 to 31 March 2027"."""
        starts_on, ends_on = self.target.starts_on, self.target.ends_on
        if starts_on == datetime.date(ends_on.year, 1, 1) and (ends_on.month, ends_on.day) == (12, 31):
            return str(ends_on.year)
        return f"{long_date(starts_on)} to {long_date(ends_on)}"


def long_date(day: datetime.date) -> str:
    """3 March 2027, as every page shows dates."""
    return dateformat.format(day, "j F Y")


def period_days(starts_on: datetime.date, ends_on: datetime.date) -> int:
    return (ends_on - starts_on).days + 1


def days_elapsed(starts_on: datetime.date, ends_on: datetime.date, on: datetime.date) -> int:
    """Whole days of the period up to and including `on` (0 before it starts, all of them after it ends)."""
    return max(0, min((on - starts_on).days + 1, period_days(starts_on, ends_on)))


def expected_by(value: int, starts_on: datetime.date, ends_on: datetime.date, on: datetime.date) -> int:
    """The target times the share of the period's days gone by `on`, rounded to the nearest whole number."""
    total = period_days(starts_on, ends_on)
    return (2 * value * days_elapsed(starts_on, ends_on, on) + total) // (2 * total)


def rag_for(actual: int, expected: int) -> str:
    """Green at or above where it should be, amber from 80% of that, red below."""
    if actual >= expected:
        return "green"
    if actual * AMBER_SHARE[1] >= expected * AMBER_SHARE[0]:
        return "amber"
    return "red"


def progress_of(target: Target, actual: int, *, on: datetime.date, from_below: str = "") -> Progress:
    expected = expected_by(target.value, target.starts_on, target.ends_on, on)
    percent = actual * 100 // target.value if target.value else 100
    return Progress(
        target=target,
        actual=actual,
        expected=expected,
        percent=percent,
        rag=rag_for(actual, expected),
        from_below=from_below,
    )


# Which targets a unit has, its own or added up from below -------------------------------------------------

Key = tuple[str, datetime.date, datetime.date]  # measure, first day, last day


def _subtrees_q(units: Iterable[OrgUnit]) -> Q:
    q = Q(pk__in=[])
    for path in {unit.path for unit in units}:
        q |= Q(unit__path__startswith=path)
    return q


def _period_q(*, on: datetime.date | None, within: tuple[datetime.date, datetime.date] | None) -> Q:
    """Targets whose period contains `on`, or overlaps `within`."""
    if within is not None:
        return Q(starts_on__lte=within[1], ends_on__gte=within[0])
    return Q(starts_on__lte=on, ends_on__gte=on)


def effective_targets(
    units: Sequence[OrgUnit],
    *,
    on: datetime.date | None = None,
    within: tuple[datetime.date, datetime.date] | None = None,
) -> dict[int, list[tuple[Target, str]]]:
    """Each unit's targets (by pk): its own, and for each measure and period it has none of, the sum of the targets
    of the nearest units below with one, as an unsaved Target and the words for where it comes from ("its
    branches"). One query for every target in the units' subtrees."""
    targets = list(
        Target.objects.filter(_subtrees_q(units), _period_q(on=on, within=within)).select_related("unit", "unit__kind")
    )
    own: dict[tuple[str, Key], Target] = {}
    for target in targets:
        own[(target.unit.path, (target.measure, target.starts_on, target.ends_on))] = target
    wanted_paths = {unit.path for unit in units}
    # Each target is added to each unit above it, up to (not into) the first with its own target for the same key.
    rolled: dict[str, dict[Key, int]] = defaultdict(lambda: defaultdict(int))
    for (path, key), target in own.items():
        for end in range(len(path) - STEPLEN, 0, -STEPLEN):
            above = path[:end]
            if (above, key) in own:
                break
            if above in wanted_paths:
                rolled[above][key] += target.value
    own_by_path: dict[str, list[Target]] = defaultdict(list)
    for (path, _key), target in own.items():
        own_by_path[path].append(target)
    kinds = _kind_names() if rolled else {}
    found: dict[int, list[tuple[Target, str]]] = {}
    for unit in units:
        below = f"its {kinds.get(unit.depth + 1, 'units below').lower()}"
        mine = [(target, "") for target in own_by_path[unit.path]]
        mine += [
            (Target(unit=unit, measure=key[0], starts_on=key[1], ends_on=key[2], value=value), below)
            for key, value in rolled[unit.path].items()
        ]
        mine.sort(key=lambda pair: (MEASURE_ORDER[pair[0].measure], pair[0].starts_on, pair[0].ends_on))
        found[unit.pk] = mine
    return found


def _kind_names() -> dict[int, str]:
    return dict(UnitKind.objects.values_list("depth", "name_plural"))


def actuals_for(units: Sequence[OrgUnit], keys: Iterable[Key]) -> dict[tuple[int, Key], int]:
    """The actual value of each (measure, period) for each unit: one measure_values call per distinct period."""
    measures_by_period: dict[tuple[datetime.date, datetime.date], set[str]] = defaultdict(set)
    for measure, starts_on, ends_on in keys:
        measures_by_period[(starts_on, ends_on)].add(measure)
    actuals: dict[tuple[int, Key], int] = {}
    for (starts_on, ends_on), measures in measures_by_period.items():
        ordered = sorted(measures, key=MEASURE_ORDER.__getitem__)
        values = measure_values(units, ordered, starts_on=starts_on, ends_on=ends_on)
        for pk, by_measure in values.items():
            for measure, value in by_measure.items():
                actuals[(pk, (measure, starts_on, ends_on))] = value
    return actuals


def progress_for_units(
    units: Sequence[OrgUnit],
    *,
    on: datetime.date,
    within: tuple[datetime.date, datetime.date] | None = None,
) -> dict[int, list[Progress]]:
    """Each unit's progress (by pk) on `on`, for its targets whose period contains `on` (or overlaps `within`)."""
    targets = effective_targets(units, on=None if within else on, within=within)
    keys = {(t.measure, t.starts_on, t.ends_on) for found in targets.values() for t, _below in found}
    actuals = actuals_for([u for u in units if targets[u.pk]], keys) if keys else {}
    return {
        unit.pk: [
            progress_of(
                target,
                actuals.get((unit.pk, (target.measure, target.starts_on, target.ends_on)), 0),
                on=on,
                from_below=below,
            )
            for target, below in targets[unit.pk]
        ]
        for unit in units
    }


def progress_for(unit: OrgUnit, *, on: datetime.date) -> list[Progress]:
    """The unit's targets whose period contains `on`, its own and those added up from below, with progress."""
    return progress_for_units([unit], on=on)[unit.pk]


# Saving targets -------------------------------------------------------------------------------------------


def duplicate_message(unit: OrgUnit, measure: str, starts_on: datetime.date, ends_on: datetime.date) -> str:
    return (
        f"{unit.name} already has a target for {Measure(measure).label.lower()} from {long_date(starts_on)} to "
        f"{long_date(ends_on)}. Change that target instead, or choose other dates."
    )


def _exists(target: Target) -> bool:
    return (
        Target.objects.filter(
            unit=target.unit, measure=target.measure, starts_on=target.starts_on, ends_on=target.ends_on
        )
        .exclude(pk=target.pk)
        .exists()
    )


@transaction.atomic
def target_save(target: Target, *, acting_user: User, fields: list[str]) -> Target:
    """Add or change a target, audited; a second target for the same unit, measure and period is refused."""
    if _exists(target):
        raise ValidationError(
            {"measure": duplicate_message(target.unit, target.measure, target.starts_on, target.ends_on)}
        )
    target.updated_at = timezone.now()
    if target.pk is None:
        target.set_by = acting_user
    try:
        with transaction.atomic():
            save_and_audit(actor=acting_user, record=target, unit_id=target.unit_id, fields=fields)
    except IntegrityError as error:  # two people adding the same target at once
        raise ValidationError(
            {"measure": duplicate_message(target.unit, target.measure, target.starts_on, target.ends_on)}
        ) from error
    return target


@transaction.atomic
def target_delete(target: Target, *, acting_user: User) -> None:
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.DELETED,
        target=target,
        unit_id=target.unit_id,
        changes={"measure": target.measure, "starts_on": str(target.starts_on), "ends_on": str(target.ends_on)},
    )
    target.delete()


@transaction.atomic
def targets_add_many(
    *,
    acting_user: User,
    unit: OrgUnit,
    starts_on: datetime.date,
    ends_on: datetime.date,
    values: dict[str, int],
) -> list[Target]:
    """Save several targets for one unit and period at once (the template): all of them, or none.

    A measure that already has a target for the unit and period is refused with a message for that measure.
    """
    taken = set(
        Target.objects.filter(unit=unit, starts_on=starts_on, ends_on=ends_on, measure__in=list(values)).values_list(
            "measure", flat=True
        )
    )
    if taken:
        raise ValidationError(
            {measure: duplicate_message(unit, measure, starts_on, ends_on) for measure in values if measure in taken}
        )
    saved = []
    now = timezone.now()
    try:
        with transaction.atomic():
            for measure, value in values.items():
                target = Target(
                    unit=unit,
                    measure=measure,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    value=value,
                    note="From the Amicus-AEEU template",
                    set_by=acting_user,
                    created_at=now,
                    updated_at=now,
                )
                save_and_audit(
                    actor=acting_user,
                    record=target,
                    unit_id=unit.pk,
                    fields=["measure", "starts_on", "ends_on", "value"],
                )
                saved.append(target)
    except IntegrityError as error:
        raise ValidationError(
            "Someone saved targets for this unit and period at the same moment. Nothing was saved: check and try again."
        ) from error
    return saved


# The drill-down: a unit's children (or a branch's workplaces) side by side ---------------------------------------


@dataclass
class Cell:
    """One measure of one row: the actual value, and the progress when there is a target (own or added up)."""

    key: Key
    actual: int | None  # None: the measure has no value here (agreements at a workplace)
    progress: Progress | None = None

    @property
    def label(self) -> str:
        return Measure(self.key[0]).label


@dataclass
class Row:
    name: str
    cells: list[Cell]
    unit: OrgUnit | None = None
    workplace_pk: int | None = None

    @property
    def worst(self) -> str:
        """The row's worst status ("red", "amber", "green"), or "" with no targets: to pick out who is behind."""
        rags = {cell.progress.rag for cell in self.cells if cell.progress is not None and not cell.progress.is_met}
        for rag in ("red", "amber"):
            if rag in rags:
                return rag
        return "green" if any(cell.progress for cell in self.cells) else ""


def unit_rows(units: Sequence[OrgUnit], keys: Sequence[Key], *, on: datetime.date) -> list[Row]:
    """Each unit with, for each (measure, period), its actual and its progress against its own or added-up target.

    A fixed number of queries for any number of units: their targets in one, their figures per period.
    """
    if not units or not keys:
        return [Row(name=unit.name, unit=unit, cells=[]) for unit in units]
    within = (min(key[1] for key in keys), max(key[2] for key in keys))
    targets = effective_targets(units, within=within)
    actuals = actuals_for(units, keys)
    rows = []
    for unit in units:
        found = {(t.measure, t.starts_on, t.ends_on): (t, below) for t, below in targets[unit.pk]}
        cells = []
        for key in keys:
            actual = actuals.get((unit.pk, key), 0)
            progress = None
            if key in found:
                target, below = found[key]
                progress = progress_of(target, actual, on=on, from_below=below)
            cells.append(Cell(key=key, actual=actual, progress=progress))
        rows.append(Row(name=unit.name, unit=unit, cells=cells))
    return rows


def workplace_rows(branch: OrgUnit, workplaces: Sequence[Any], keys: Sequence[Key]) -> list[Row]:
    """The branch's workplaces with their actual value of each (measure, period): workplaces have no targets."""
    by_period: dict[tuple[datetime.date, datetime.date], list[str]] = defaultdict(list)
    for measure, starts_on, ends_on in keys:
        by_period[(starts_on, ends_on)].append(measure)
    values: dict[tuple[int, Key], int] = {}
    for (starts_on, ends_on), measures in by_period.items():
        found = workplace_values(branch, measures, starts_on=starts_on, ends_on=ends_on)
        for pk, by_measure in found.items():
            for measure, value in by_measure.items():
                values[(pk, (measure, starts_on, ends_on))] = value
    return [
        Row(
            name=workplace.name,
            workplace_pk=workplace.pk,
            cells=[Cell(key=key, actual=values.get((workplace.pk, key))) for key in keys],
        )
        for workplace in workplaces
    ]
