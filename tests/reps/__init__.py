"""Helpers for the ULR network's tests: role kinds and reps at each stage, built through the services."""

from __future__ import annotations

import datetime

from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.org.models import Person, Workplace
from learningdesk.reps import services
from learningdesk.reps.models import Rep, RepKind, Stage
from tests.conftest import World
from tests.factories import PersonFactory

KIND_NAMES = {
    "ulr": ("ULR", "ULRs", True),
    "learner_rep": ("Learner rep", "Learner reps", False),
    "learner_champion": ("Learner champion", "Learner champions", False),
    "digital_champion": ("Digital champion", "Digital champions", False),
    "coordinator": ("Learning co-ordinator", "Learning co-ordinators", False),
    "tutor": ("Tutor or assessor", "Tutors and assessors", False),
}


def rep_kind(code: str = "ulr") -> RepKind:
    """The kind with this code (browser tests flush the database, taking the migration's kinds with it)."""
    name, plural, statutory = KIND_NAMES[code]
    kind, _ = RepKind.objects.get_or_create(
        code=code, defaults={"name": name, "name_plural": plural, "has_statutory_rights": statutory}
    )
    return kind


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def make_rep(
    person: Person,
    *,
    kind: str = "ulr",
    stage: str = Stage.PROSPECT,
    workplaces: list[Workplace] | None = None,
    on: datetime.date | None = None,
    by: User | None = None,
    **data,
) -> Rep:
    """A rep added through `rep_add`; for a ULR at "notified" or later, through `rep_notify` too."""
    on = on or days_ago(30)
    workplaces = workplaces if workplaces is not None else ([person.workplace] if person.workplace else [])
    statutory_steps = kind == "ulr" and stage in (Stage.NOTIFIED, Stage.TRAINING_BOOKED)
    rep = services.rep_add(
        acting_user=by,
        person=person,
        kind=rep_kind(kind),
        workplaces=workplaces,
        stage=Stage.AGREED if statutory_steps else stage,
        on=on,
        data=data,
    )
    if statutory_steps:
        employer = workplaces[0].employer
        services.rep_notify(
            acting_user=by, rep=rep, employer=employer, sent_on=on, contact={"contact_name": "Pat Manager"}
        )
        if stage == Stage.TRAINING_BOOKED:
            services.rep_move(acting_user=by, rep=rep, stage=stage, on=on)
        rep.refresh_from_db()
    return rep


def derby_rep(world: World) -> Rep:
    """Maria Alberts, an active ULR at Derby's Council House."""
    existing = Rep.objects.filter(person=world.derby_person).first()
    return existing or make_rep(world.derby_person, stage=Stage.ACTIVE, workplaces=[world.town_hall])


def rep_with_login(world: World) -> Rep:
    """The world's ULR login (Uma Rep) as a person with an active ULR record at the Council House."""
    if world.ulr.person_id:
        return Rep.objects.get(person_id=world.ulr.person_id, kind__code="ulr")
    person = PersonFactory(
        first_name="Uma", last_name="Rep", email="ulr@example.org", branch=world.derby, workplace=world.town_hall
    )
    world.ulr.person = person
    world.ulr.save(update_fields=["person"])
    return make_rep(person, stage=Stage.ACTIVE, workplaces=[world.town_hall])
