"""Reads of the ULR network that the register's screens share. Every one starts from a scoped queryset."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from learningdesk.accounts.models import User
from learningdesk.org import scoping
from learningdesk.org.models import Employer, Person, Workplace
from learningdesk.org.selectors import people_matching
from learningdesk.reps.models import (
    CURRENT_REP_STAGES,
    DEADLINE_WARNINGS,
    STAGE_ORDER,
    DeadlineStatus,
    Rep,
    RepKind,
    Stage,
    stage_index,
)

PROSPECT_STAGES = (Stage.PROSPECT, Stage.APPROACHED, Stage.AGREED)

# The register's stage filter: groupings first, then each stage. "" (the default) hides those who stood down.
STAGE_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "current": ("Current reps (notified to active)", tuple(CURRENT_REP_STAGES)),
    "prospects": ("Prospects (not yet notified)", PROSPECT_STAGES),
    "all": ("Everyone, including those who stood down", tuple(STAGE_ORDER)),
}

DEADLINE_DUE_SOON = "due"
DEADLINE_OVERDUE = "overdue"
DEADLINE_FILTERS = (
    (DEADLINE_DUE_SOON, f"Training due within {max(DEADLINE_WARNINGS)} days"),
    (DEADLINE_OVERDUE, "Training overdue"),
)

STAGE_TAG_COLOURS = {
    Stage.PROSPECT: "govuk-tag--grey",
    Stage.APPROACHED: "govuk-tag--light-blue",
    Stage.AGREED: "govuk-tag--blue",
    Stage.NOTIFIED: "govuk-tag--purple",
    Stage.TRAINING_BOOKED: "govuk-tag--yellow",
    Stage.TRAINED: "govuk-tag--turquoise",
    Stage.ACTIVE: "govuk-tag--green",
    Stage.STOOD_DOWN: "govuk-tag--red",
}

DEADLINE_TAG_COLOURS = {
    DeadlineStatus.ON_TRACK: "govuk-tag--grey",
    DeadlineStatus.DAYS_60: "govuk-tag--yellow",
    DeadlineStatus.DAYS_30: "govuk-tag--orange",
    DeadlineStatus.DAYS_7: "govuk-tag--red",
    DeadlineStatus.OVERDUE: "govuk-tag--red",
}


def stage_tag_colour(stage: str) -> str:
    return STAGE_TAG_COLOURS.get(Stage(stage), "")


@dataclass(frozen=True)
class Deadline:
    """A rep's training deadline as shown: the date, days left and warning level (s.168A)."""

    due_by: datetime.date
    days_left: int
    status: DeadlineStatus

    @property
    def colour(self) -> str:
        return DEADLINE_TAG_COLOURS.get(self.status, "")

    @property
    def is_overdue(self) -> bool:
        return self.status == DeadlineStatus.OVERDUE

    @property
    def label(self) -> str:
        if self.days_left < 0:
            days = -self.days_left
            return f"Overdue by {days} day{'s' if days != 1 else ''}"
        if self.days_left == 0:
            return "Due today"
        return f"{self.days_left} day{'s' if self.days_left != 1 else ''} left"


def deadline_for(rep: Rep, today: datetime.date) -> Deadline | None:
    """The rep's training deadline, or None when they owe no training."""
    if not rep.owes_training or rep.training_due_by is None:
        return None
    return Deadline(
        due_by=rep.training_due_by,
        days_left=(rep.training_due_by - today).days,
        status=rep.deadline_status(today),
    )


@dataclass(frozen=True)
class RegisterRow:
    rep: Rep
    stage_colour: str
    deadline: Deadline | None


@dataclass(frozen=True)
class RepFilter:
    query: str = ""
    kind: RepKind | None = None
    stage: str = ""
    employer: Employer | None = None
    workplace: Workplace | None = None
    deadline: str = ""

    @property
    def is_filtered(self) -> bool:
        return bool(self.query or self.kind or self.stage or self.employer or self.workplace or self.deadline)


def _with_workplaces(reps: QuerySet[Rep]) -> QuerySet[Rep]:
    return reps.prefetch_related(
        Prefetch("workplaces", queryset=Workplace.objects.select_related("employer").order_by("name"))
    )


def rep_register(*, user: User, filters: RepFilter, today: datetime.date) -> QuerySet[Rep]:
    """The register: reps and prospects in the user's scope, filtered, in name order (paginated by the caller).

    A ULR who is not a co-ordinator gets only their own roles (scoping.visible_reps).
    """
    reps = scoping.visible_reps(user)
    if filters.stage in STAGE_GROUPS:
        if filters.stage != "all":
            reps = reps.filter(stage__in=STAGE_GROUPS[filters.stage][1])
    elif filters.stage:
        reps = reps.filter(stage=filters.stage)
    else:
        reps = reps.exclude(stage=Stage.STOOD_DOWN)
    if filters.kind is not None:
        reps = reps.filter(kind=filters.kind)
    if filters.workplace is not None:
        reps = reps.filter(pk__in=Rep.workplaces.through.objects.filter(workplace=filters.workplace).values("rep_id"))
    elif filters.employer is not None:
        reps = reps.filter(
            pk__in=Rep.workplaces.through.objects.filter(workplace__employer=filters.employer).values("rep_id")
        )
    if filters.deadline:
        owing = reps.filter(training_due_by__isnull=False, trained_on__isnull=True).exclude(stage=Stage.STOOD_DOWN)
        if filters.deadline == DEADLINE_OVERDUE:
            reps = owing.filter(training_due_by__lt=today)
        else:
            soon = today + datetime.timedelta(days=max(DEADLINE_WARNINGS))
            reps = owing.filter(training_due_by__gte=today, training_due_by__lte=soon)
    if filters.query:
        reps = reps.filter(person__in=people_matching(Person.objects.all(), filters.query).values("pk"))
    return _with_workplaces(reps).order_by("person__last_name_key", "person__first_name_key", "kind__order", "id")


def register_rows(reps: Iterable[Rep], today: datetime.date) -> list[RegisterRow]:
    return [
        RegisterRow(rep=rep, stage_colour=stage_tag_colour(rep.stage), deadline=deadline_for(rep, today))
        for rep in reps
    ]


def people_for_reps(user: User) -> QuerySet[Person]:
    """People the user may add to the register: those in the units where they may change reps."""
    return scoping.visible_people(user).filter(branch__in=scoping.editable_units(user).values("pk"))


def people_search(*, user: User, query: str) -> QuerySet[Person]:
    """People to choose from when adding a rep: matches of the people search, in name order."""
    people = people_matching(people_for_reps(user), query)
    return people.select_related("branch", "workplace").order_by("last_name_key", "first_name_key", "id")


def workplaces_for_rep(user: User, person: Person, current: Iterable[Workplace] = ()) -> QuerySet[Workplace]:
    """Workplaces a rep may be put at: the person's branch's (and their own), plus where they already are."""
    q = Q(branch_id=person.branch_id)
    if person.workplace_id:
        q |= Q(pk=person.workplace_id)
    current_ids = [workplace.pk for workplace in current]
    if current_ids:
        q |= Q(pk__in=current_ids)
    return scoping.workplaces_for_people(user).filter(q).order_by("name")


def next_stages(rep: Rep) -> list[str]:
    """The stages a rep may be moved to by hand: any later stage, and "stood down".

    A ULR (statutory kind) reaches "notified" only by recording the notice to the employer (it starts the
    six-month deadline), and "training booked" before that only by booking their training.
    """
    if rep.stage == Stage.STOOD_DOWN:
        return []
    later = [stage for stage in STAGE_ORDER if stage_index(rep.stage) < stage_index(stage) < len(STAGE_ORDER) - 1]
    if rep.kind.has_statutory_rights:
        later = [stage for stage in later if stage != Stage.NOTIFIED]
        if rep.notified_on is None:
            later = [stage for stage in later if stage != Stage.TRAINING_BOOKED]
    return [*later, Stage.STOOD_DOWN]


def rep_page(*, rep: Rep) -> dict[str, object]:
    """What the rep's page shows besides the parts' sections: the path, training and reasons."""
    reasons = list(rep.reasons.all())
    return {
        "path": list(rep.stage_changes.select_related("recorded_by")),
        "training": list(rep.training.select_related("recorded_by")),
        "motivations": [str(reason) for reason in reasons if reason.kind == reason.Kind.MOTIVATION],
        "barriers": [str(reason) for reason in reasons if reason.kind == reason.Kind.BARRIER],
    }
