"""Recruiting new reps: the figures for a period (the funnel, sources and methods, motivations and barriers,
who stood down) and recruitment targets with their progress.

The selectors take a queryset of reps the caller has already scoped (`scoping.visible_reps(user)`, perhaps
narrowed to a unit or a kind), and each answers with one query, however many sources or targets there are.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dateutil.relativedelta import relativedelta
from django.db import models, transaction
from django.db.models import Count, DateField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.org import scoping
from learningdesk.reps.models import (
    Barrier,
    Method,
    Motivation,
    RecruitmentTarget,
    Rep,
    RepReason,
    Source,
    StageChange,
    StandDownReason,
)

# Periods -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A span of whole days, both ends included."""

    starts_on: datetime.date
    ends_on: datetime.date

    @classmethod
    def year_of(cls, today: datetime.date) -> Period:
        return cls(datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31))

    @classmethod
    def twelve_months_to(cls, today: datetime.date) -> Period:
        return cls(today - relativedelta(years=1) + datetime.timedelta(days=1), today)

    @classmethod
    def of_target(cls, target: RecruitmentTarget) -> Period:
        return cls(target.starts_on, target.ends_on)

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    @property
    def range(self) -> tuple[datetime.date, datetime.date]:
        return (self.starts_on, self.ends_on)

    def share_elapsed(self, today: datetime.date) -> float:
        """How much of the period has gone by the end of `today`: 0 before it starts, 1 from its last day."""
        if today < self.starts_on:
            return 0.0
        if today >= self.ends_on:
            return 1.0
        return ((today - self.starts_on).days + 1) / self.days


# The funnel --------------------------------------------------------------------------------------

# (key, label, the Rep date that counts): "prospects" are reps added in the period, whatever stage they
# were added at; the other steps count reps whose milestone fell in the period (DOMAIN.md's measures).
FUNNEL_STEPS: tuple[tuple[str, str, str], ...] = (
    ("prospects", "New prospects", "added_on"),
    ("agreed", "Agreed to stand", "agreed_on"),
    ("notified", "Notified to the employer", "notified_on"),
    ("trained", "Trained", "trained_on"),
    ("active", "Active", "active_on"),
)


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str
    count: int
    # This step as a percentage of the step before (None for the first step, or when that step is 0).
    rate: int | None


@dataclass(frozen=True)
class Summary:
    funnel: list[FunnelStep]
    motivation_notes: int  # prospects added in the period who gave their reasons in their own words
    barrier_notes: int

    @property
    def prospects(self) -> int:
        return self.funnel[0].count

    @property
    def is_empty(self) -> bool:
        return not any(step.count for step in self.funnel)


def with_added_on(reps: QuerySet[Rep]) -> QuerySet[Rep]:
    """`added_on`: the date the rep was put on the register, as the person adding them gave it.

    That is the first step of their history, not `created_at`: a branch entering its existing reps today
    has not recruited them today.
    """
    first_step = StageChange.objects.filter(rep=OuterRef("pk")).order_by("on", "id").values("on")[:1]
    return reps.annotate(added_on=Coalesce(Subquery(first_step), TruncDate("created_at"), output_field=DateField()))


def added_in(reps: QuerySet[Rep], period: Period) -> QuerySet[Rep]:
    """The reps (and prospects) put on the register in the period."""
    return with_added_on(reps).filter(Q(added_on__range=period.range))


def summary(*, reps: QuerySet[Rep], period: Period) -> Summary:
    """The funnel for the period and how many new prospects gave reasons in their own words: one query."""
    added = Q(added_on__range=period.range)
    counts = with_added_on(reps).aggregate(
        **{key: Count("pk", filter=Q(**{f"{field}__range": period.range})) for key, _label, field in FUNNEL_STEPS},
        motivation_notes=Count("pk", filter=added & ~Q(motivation_notes="")),
        barrier_notes=Count("pk", filter=added & ~Q(barrier_notes="")),
    )
    steps: list[FunnelStep] = []
    for key, label, _field in FUNNEL_STEPS:
        before = steps[-1].count if steps else 0
        rate = round(100 * counts[key] / before) if before else None
        steps.append(FunnelStep(key=key, label=label, count=counts[key], rate=rate))
    return Summary(funnel=steps, motivation_notes=counts["motivation_notes"], barrier_notes=counts["barrier_notes"])


# Sources and methods -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRow:
    """Prospects added in the period who came from one source (or by one method), and how far they got."""

    code: str
    label: str
    prospects: int
    agreed: int
    trained: int
    active: int


NOT_RECORDED = "Not recorded"


def by_origin(*, reps: QuerySet[Rep], period: Period, field: Literal["source", "method"]) -> list[SourceRow]:
    """Prospects added in the period by who they are (`source`) or how they were found (`method`),
    with how many of them have agreed, trained and become active since: most prospects first."""
    labels: dict[str, str] = dict(Source.choices if field == "source" else Method.choices)
    rows = (
        added_in(reps, period)
        .order_by()
        .values(field)
        .annotate(
            prospects=Count("pk"),
            agreed=Count("pk", filter=Q(agreed_on__isnull=False)),
            trained=Count("pk", filter=Q(trained_on__isnull=False)),
            active=Count("pk", filter=Q(active_on__isnull=False)),
        )
    )
    result = [
        SourceRow(
            code=row[field],
            label=labels.get(row[field], row[field]) if row[field] else NOT_RECORDED,
            prospects=row["prospects"],
            agreed=row["agreed"],
            trained=row["trained"],
            active=row["active"],
        )
        for row in rows
    ]
    # "Not recorded" goes last among equals: it is the one row nobody can act on.
    return sorted(result, key=lambda row: (-row.prospects, not row.code, row.label))


# Motivations, barriers and standing down -------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    code: str
    label: str
    count: int


def _ranked(counts: Iterable[tuple[str, int]], labels: dict[str, str]) -> list[Tally]:
    rows = [Tally(code=code, label=labels.get(code, code), count=count) for code, count in counts]
    return sorted(rows, key=lambda row: (-row.count, row.label))


@dataclass(frozen=True)
class Reasons:
    motivations: list[Tally]
    barriers: list[Tally]


def reasons(*, reps: QuerySet[Rep], period: Period) -> Reasons:
    """How often each motivation and barrier was given by prospects added in the period, most common first."""
    rows = (
        RepReason.objects.filter(rep__in=added_in(reps, period).values("pk"))
        .values_list("kind", "code")
        .annotate(count=Count("pk"))
        .order_by()
    )
    motivations: list[tuple[str, int]] = []
    barriers: list[tuple[str, int]] = []
    for kind, code, count in rows:
        (motivations if kind == RepReason.Kind.MOTIVATION else barriers).append((code, count))
    return Reasons(
        motivations=_ranked(motivations, dict(Motivation.choices)),
        barriers=_ranked(barriers, dict(Barrier.choices)),
    )


def stood_down(*, reps: QuerySet[Rep], period: Period) -> list[Tally]:
    """Reps who stood down in the period, by reason, most common first."""
    rows = (
        reps.filter(stood_down_on__range=period.range)
        .order_by()
        .values_list("stood_down_reason")
        .annotate(count=Count("pk"))
    )
    labels = {"": NOT_RECORDED, **dict(StandDownReason.choices)}
    return _ranked(rows, labels)


# Targets -----------------------------------------------------------------------------------------


class TargetStatus(models.TextChoices):
    MET = "met", "Met"
    ON_TRACK = "on_track", "On track"
    BEHIND = "behind", "Behind"


def expected_by_now(*, target: int, share_elapsed: float) -> int:
    """The whole reps an even pace through the period would have reached by now."""
    return math.floor(target * share_elapsed)


def target_status(*, recruited: int, target: int, share_elapsed: float) -> TargetStatus:
    """Met once reached; otherwise on track while at least at an even pace (in whole reps)."""
    if recruited >= target:
        return TargetStatus.MET
    if recruited >= expected_by_now(target=target, share_elapsed=share_elapsed):
        return TargetStatus.ON_TRACK
    return TargetStatus.BEHIND


@dataclass(frozen=True)
class TargetProgress:
    target: RecruitmentTarget
    recruited: int
    expected: int  # how many whole reps an even pace through the period would have reached by today
    status: TargetStatus

    @property
    def percent(self) -> int:
        return round(100 * self.recruited / self.target.target) if self.target.target else 0


def _target_q(target: RecruitmentTarget) -> Q:
    # DOMAIN.md: reps recruited = learning roles reaching "agreed" in the period, in the unit's subtree.
    q = Q(person__branch__path__startswith=target.unit.path, agreed_on__range=(target.starts_on, target.ends_on))
    if target.kind_id:
        q &= Q(kind_id=target.kind_id)
    return q


def targets_progress(
    *, reps: QuerySet[Rep], targets: Sequence[RecruitmentTarget], today: datetime.date
) -> list[TargetProgress]:
    """Each target's reps recruited so far and whether that is on track: one query for all of them.

    `reps` is the user's scope (`scoping.visible_reps`): a target's unit lies inside it, so its subtree does.
    """
    if not targets:
        return []
    counts = reps.order_by().aggregate(**{f"target_{t.pk}": Count("pk", filter=_target_q(t)) for t in targets})
    progress = []
    for target in targets:
        recruited = counts[f"target_{target.pk}"]
        share = Period.of_target(target).share_elapsed(today)
        progress.append(
            TargetProgress(
                target=target,
                recruited=recruited,
                expected=expected_by_now(target=target.target, share_elapsed=share),
                status=target_status(recruited=recruited, target=target.target, share_elapsed=share),
            )
        )
    return progress


def overlapping_targets(targets: QuerySet[RecruitmentTarget], period: Period) -> QuerySet[RecruitmentTarget]:
    return targets.filter(starts_on__lte=period.ends_on, ends_on__gte=period.starts_on)


def may_change_target(user: User, target: RecruitmentTarget) -> bool:
    """Whether `scoping.get_recruitment_target_for_user` would give the user this target (without a query)."""
    return any(target.unit.path.startswith(path) for path in scoping.get_scope(user).edit)


TARGET_FIELDS = ("unit", "kind", "starts_on", "ends_on", "target")


def _target_changes(target: RecruitmentTarget) -> dict[str, Any]:
    return {
        "unit": target.unit_id,
        "kind": target.kind.code if target.kind else "any",
        "starts_on": target.starts_on.isoformat(),
        "ends_on": target.ends_on.isoformat(),
        "target": target.target,
    }


@transaction.atomic
def target_create(*, acting_user: User, data: dict[str, Any]) -> RecruitmentTarget:
    """Set a unit's recruitment target for a period ("8 new ULRs this year")."""
    target = RecruitmentTarget(created_by=acting_user, **{name: data[name] for name in TARGET_FIELDS})
    target.full_clean()
    target.save()
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CREATED,
        target=target,
        unit_id=target.unit_id,
        changes=_target_changes(target),
    )
    return target


@transaction.atomic
def target_update(*, acting_user: User, target: RecruitmentTarget, data: dict[str, Any]) -> RecruitmentTarget:
    # Compare with what is stored: a ModelForm has already copied its data onto `target`.
    stored = RecruitmentTarget.objects.select_for_update().get(pk=target.pk)
    changed = sorted(name for name in TARGET_FIELDS if getattr(stored, name) != data[name])
    for name in TARGET_FIELDS:
        setattr(stored, name, data[name])
    stored.full_clean()
    stored.save()
    if changed:
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CHANGED,
            target=stored,
            unit_id=stored.unit_id,
            changes={"fields": changed, **_target_changes(stored)},
        )
    return stored


@transaction.atomic
def target_delete(*, acting_user: User, target: RecruitmentTarget) -> None:
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.DELETED,
        target=target,
        unit_id=target.unit_id,
        changes={"name": str(target), **_target_changes(target)},
    )
    target.delete()
