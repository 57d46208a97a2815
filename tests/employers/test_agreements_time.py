"""An agreement's facility-time clause feeding each rep's agreed time (and so the ULR register's facility-time
comparison): what applying it would do, doing it, leaving time agreed by hand alone, and applying it automatically
when the agreement is signed or its hours change."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.employers import agreements
from learningdesk.employers.models import LearningAgreement
from learningdesk.reps import facility
from learningdesk.reps.models import FacilityAllowance, Stage
from tests.conftest import client_for
from tests.employers import days_from_today, make_agreement
from tests.factories import EmployerFactory, PersonFactory, WorkplaceFactory
from tests.reps import derby_rep, make_rep

pytestmark = pytest.mark.django_db

Status = LearningAgreement.Status
Outcome = agreements.Outcome


def depot_coordinator(world):
    """Dev Patel, the branch's learning co-ordinator, working at the depot."""
    return make_rep(world.depot_person, kind="coordinator", stage=Stage.ACTIVE, workplaces=[world.depot])


def by_hand(rep, employer, hours: str = "1"):
    return facility.allowance_set(acting_user=None, rep=rep, employer=employer, hours=Decimal(hours), per="month")


def test_the_plan_gives_ulrs_and_the_coordinator_their_own_time(world):
    agreement = make_agreement(world, ulr_hours=Decimal("3"), coordinator_hours=Decimal("7.5"), coordinator_per="week")
    maria, dev = derby_rep(world), depot_coordinator(world)
    plan = {change.rep: change for change in agreements.facility_time_plan(agreement)}
    assert (plan[maria].hours, plan[maria].per, plan[maria].outcome) == (Decimal("3"), "week", Outcome.NEW)
    assert (plan[dev].hours, plan[dev].outcome) == (Decimal("7.5"), Outcome.NEW)


def test_a_learner_champion_gets_no_time_from_the_ulr_clause(world):
    """The clause is about statutory learning reps (TULRCA s.168A); champions have no right to time off."""
    agreement = make_agreement(world, ulr_hours=Decimal("3"))
    champion = make_rep(world.depot_person, kind="learner_champion", stage=Stage.ACTIVE, workplaces=[world.depot])
    plan = {change.rep: change for change in agreements.facility_time_plan(agreement)}
    assert plan[champion].outcome == Outcome.NO_TIME
    agreements.facility_time_apply(acting_user=None, agreement=agreement)
    assert not FacilityAllowance.objects.filter(rep=champion).exists()


def test_reps_outside_the_units_covered_or_not_current_are_left_out(world):
    agreement = make_agreement(world, ulr_hours=Decimal("3"))
    notts_rep = make_rep(world.notts_person, stage=Stage.ACTIVE, workplaces=[world.hospital])
    prospect = make_rep(PersonFactory(branch=world.derby, workplace=world.depot), stage=Stage.PROSPECT)
    college = EmployerFactory(name="Derby College", unit=world.derby)
    elsewhere = make_rep(
        PersonFactory(branch=world.derby, workplace=WorkplaceFactory(employer=college, branch=world.derby)),
        stage=Stage.ACTIVE,
    )
    maria = derby_rep(world)
    reps = [change.rep for change in agreements.facility_time_plan(agreement)]
    assert reps == [maria]
    assert notts_rep not in reps and prospect not in reps and elsewhere not in reps


def test_applying_sets_the_time_and_leaves_time_agreed_by_hand(world):
    agreement = make_agreement(world, ulr_hours=Decimal("3"))
    maria = derby_rep(world)
    dev = make_rep(world.depot_person, stage=Stage.ACTIVE, workplaces=[world.depot])
    by_hand(dev, world.council, "10")
    applied = agreements.facility_time_apply(acting_user=world.coordinator, agreement=agreement)
    assert [change.rep for change in applied.changed] == [maria]
    assert [change.rep for change in applied.separate] == [dev]
    allowance = FacilityAllowance.objects.get(rep=maria)
    assert (allowance.hours, allowance.per, allowance.agreement, allowance.agreed_on) == (
        Decimal("3"),
        "week",
        agreement,
        agreement.signed_on,
    )
    assert FacilityAllowance.objects.get(rep=dev).hours == Decimal("10")
    assert FacilityAllowance.objects.get(rep=dev).agreement is None
    assert AuditEvent.objects.filter(target_type="facilityallowance", actor=world.coordinator).count() == 1
    assert applied.summary() == (
        "Facility time set from the agreement for 1 rep; 1 rep with time agreed separately left as it is."
    )


def test_applying_twice_changes_nothing_the_second_time(world):
    agreement = make_agreement(world, ulr_hours=Decimal("3"))
    derby_rep(world)
    agreements.facility_time_apply(acting_user=world.coordinator, agreement=agreement)
    events = AuditEvent.objects.count()
    applied = agreements.facility_time_apply(acting_user=world.coordinator, agreement=agreement)
    assert applied.changed == []
    assert AuditEvent.objects.count() == events


def test_a_draft_agreement_cannot_be_applied(world):
    agreement = make_agreement(world, status=Status.NEGOTIATING, ulr_hours=Decimal("3"))
    derby_rep(world)
    response = client_for(world.coordinator).post(reverse("employers:agreement_apply_time", args=[agreement.pk]))
    assert response.status_code == 302
    assert not FacilityAllowance.objects.exists()
    page = client_for(world.coordinator).get(reverse("employers:agreement_apply_time", args=[agreement.pk]))
    assert "Only a signed agreement" in page.content.decode()
    assert "Apply the facility time</button>" not in page.content.decode()


def test_signing_an_agreement_applies_its_time_in_the_same_save(world):
    maria = derby_rep(world)
    agreement = make_agreement(world, status=Status.NEGOTIATING, ulr_hours=Decimal("2"))
    assert not FacilityAllowance.objects.exists()
    saved = agreements.agreement_save(
        acting_user=world.coordinator,
        agreement=agreement,
        data={"status": Status.SIGNED, "signed_on": days_from_today(-1), "review_on": days_from_today(364)},
    )
    assert saved.applied is not None and [c.rep for c in saved.applied.changed] == [maria]
    assert FacilityAllowance.objects.get(rep=maria).hours == Decimal("2")


def test_changing_the_hours_of_a_signed_agreement_changes_the_reps_time(world):
    maria = derby_rep(world)
    agreement = make_agreement(world, ulr_hours=Decimal("2"))
    agreements.facility_time_apply(acting_user=world.coordinator, agreement=agreement)
    agreements.agreement_save(
        acting_user=world.coordinator, agreement=agreement, data={"ulr_hours": Decimal("4"), "ulr_per": "month"}
    )
    allowance = FacilityAllowance.objects.get(rep=maria)
    assert (allowance.hours, allowance.per) == (Decimal("4"), "month")


def test_a_change_by_hand_makes_the_time_agreed_separately(world):
    maria = derby_rep(world)
    agreement = make_agreement(world, ulr_hours=Decimal("2"))
    agreements.facility_time_apply(acting_user=world.coordinator, agreement=agreement)
    by_hand(maria, world.council, "5")
    agreements.agreement_save(acting_user=world.coordinator, agreement=agreement, data={"ulr_hours": Decimal("3")})
    allowance = FacilityAllowance.objects.get(rep=maria)
    assert (allowance.hours, allowance.agreement) == (Decimal("5"), None)


def test_the_apply_page_shows_what_would_happen_then_does_it(world):
    agreement = make_agreement(world, ulr_hours=Decimal("3"))
    maria = derby_rep(world)
    dev = make_rep(world.depot_person, stage=Stage.ACTIVE, workplaces=[world.depot])
    by_hand(dev, world.council, "10")
    client = client_for(world.coordinator)
    url = reverse("employers:agreement_apply_time", args=[agreement.pk])
    page = client.get(url).content.decode()
    assert "Maria Alberts" in page and "Agreed separately" in page and "Apply the facility time</button>" in page
    assert not FacilityAllowance.objects.filter(rep=maria).exists()
    response = client.post(url)
    assert response["Location"] == reverse("employers:agreement_detail", args=[agreement.pk]) + "#facility-time"
    assert FacilityAllowance.objects.get(rep=maria).agreement == agreement
    detail = client.get(response["Location"]).content.decode()
    assert "Reps whose agreed facility time" in detail and "Maria Alberts" in detail


def test_an_officer_sees_the_plan_without_the_button(world):
    agreement = make_agreement(world, ulr_hours=Decimal("3"))
    derby_rep(world)
    page = client_for(world.officer).get(reverse("employers:agreement_apply_time", args=[agreement.pk]))
    assert page.status_code == 200
    assert "Maria Alberts" in page.content.decode()
    assert "Apply the facility time</button>" not in page.content.decode()


def test_the_registers_facility_page_shows_the_agreed_time_after_applying(world):
    agreement = make_agreement(world, ulr_hours=Decimal("3"))
    derby_rep(world)
    client = client_for(world.coordinator)
    client.post(reverse("employers:agreement_apply_time", args=[agreement.pk]))
    response = client.get(reverse("reps:facility"))
    [(rep, usage)] = response.context["rows"]
    assert rep.person.last_name == "Alberts"
    assert usage.agreed_per_month == Decimal("13.00")  # 3 hours a week, 52 weeks over 12 months
    [(employer, employer_usage)] = response.context["employers"]
    assert (employer, employer_usage.agreed_per_month) == (world.council, Decimal("13.00"))
    page = response.content.decode()
    assert "None agreed" not in page


def test_the_reps_page_says_the_time_comes_from_the_agreement(world):
    agreement = make_agreement(world, ulr_hours=Decimal("3"), title="Council learning agreement")
    maria = derby_rep(world)
    agreements.facility_time_apply(acting_user=world.coordinator, agreement=agreement)
    page = client_for(world.coordinator).get(reverse("reps:detail", args=[maria.pk])).content.decode()
    assert "From the learning agreement" in page
    assert reverse("employers:agreement_detail", args=[agreement.pk]) in page
    form = client_for(world.coordinator).get(
        reverse("reps:allowance_add", args=[maria.pk]), {"employer": world.council.pk}
    )
    assert "becomes time agreed separately" in form.content.decode()
