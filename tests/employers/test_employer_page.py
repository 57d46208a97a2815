"""The employer page: everything the union knows about one employer in the user's scope, and what needs doing next;
what each role sees of it; and a number of queries that does not grow with the records."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from learningdesk.employers.models import (
    AgreementElement,
    ContactNote,
    FundingBid,
    LearningAgreement,
    NegotiationCase,
    TimeOffRequest,
)
from learningdesk.reps.models import FacilityAllowance, FacilityTimeEntry, Stage
from tests.conftest import client_for
from tests.employers import (
    days_from_today,
    make_action,
    make_agreement,
    make_committee,
    make_contact,
    make_meeting,
    make_time_off,
)
from tests.employers.urls_committees import derby_finding
from tests.employers.urls_facility_returns import derby_return
from tests.factories import PersonFactory
from tests.reps import derby_rep, make_rep

pytestmark = pytest.mark.django_db


def page_url(world) -> str:
    return reverse("org:employer_detail", args=[world.council.pk])


def set_elements(agreement: LearningAgreement, *, missing: int, weak: int = 0) -> None:
    """All elements present but the first `missing` (missing) and the next `weak` (weak)."""
    for number, element in enumerate(agreement.elements.order_by("pk")):
        state = "missing" if number < missing else "weak" if number < missing + weak else "present"
        AgreementElement.objects.filter(pk=element.pk).update(state=state)


def council_in_full(world, *, many: int = 1) -> None:
    """Derby City Council with `many` of each kind of record the page shows."""
    for number in range(many):
        contact = make_contact(world.council, name=f"Tessa Trainer {number}")
        ContactNote.objects.create(contact=contact, on=days_from_today(-3), summary="Talked about the maths course")
        agreement = make_agreement(world, title=f"Learning agreement {number}", review_on=days_from_today(20))
        set_elements(agreement, missing=2, weak=1)
        committee = make_committee(world, agreement=agreement)
        meeting = make_meeting(committee, days=-240)
        make_meeting(committee, days=30)
        make_action(meeting, description=f"Book the IT suite {number}", due_on=days_from_today(-10))
        refused = make_time_off(world, decision=TimeOffRequest.Decision.REFUSED, decided_on=days_from_today(-5))
        NegotiationCase.objects.create(request=refused, opened_on=days_from_today(-5), owner=world.coordinator)
        TimeOffRequest.objects.create(  # waiting for the manager
            employer=world.council, person=world.depot_person, hours=Decimal("3"), learning="Spanish"
        )
        FundingBid.objects.create(
            unit=world.derby,
            employer=world.council,
            title=f"Council money {number}",
            source="employer",
            amount=Decimal("1200"),
            status="awarded",
            decided_on=days_from_today(-30),
        )
        make_rep(PersonFactory(branch=world.derby, workplace=world.depot), stage=Stage.ACTIVE)
    rep = derby_rep(world)
    FacilityAllowance.objects.get_or_create(rep=rep, employer=world.council, defaults={"hours": Decimal("2")})
    FacilityTimeEntry.objects.create(
        rep=rep, employer=world.council, on=days_from_today(-2), hours=Decimal("1.5"), purpose="advising"
    )
    derby_return(world)
    derby_finding(world)


def test_the_page_shows_everything_known_about_the_employer(world, coordinator_client):
    council_in_full(world)

    page = coordinator_client.get(page_url(world)).content.decode()

    assert "Tessa Trainer 0" in page and "Last spoke on" in page
    assert "Learning agreement 0" in page and "2 missing, 1 weak" in page and "Review within 30 days" in page
    assert "Joint learning committee" in page and "No meeting recorded" not in page
    assert "1 overdue" in page  # the committee's open action past its date
    assert "Time off for learners" in page and "Requests made from" in page
    assert "8.67 hours" in page  # 2 hours a week agreed, as hours a month
    assert "1 April 2025 to 31 March 2026" in page  # the branch's facility-time figures
    assert "What Derby" in page and "(PDF)" in page  # the findings shared
    assert "Council money 0" in page and "£1,200.00 awarded" in page
    assert f"{reverse('reps:register')}?employer={world.council.pk}&amp;stage=current" in page


def test_what_needs_doing_next_lists_reviews_drawers_actions_cases_and_decisions(world, coordinator_client):
    council_in_full(world)
    drawer = make_agreement(
        world, title="Old agreement", signed_on=days_from_today(-2000), review_on=days_from_today(-100)
    )
    set_elements(drawer, missing=0)
    negotiating = make_agreement(world, title="New agreement", status=LearningAgreement.Status.NEGOTIATING)
    set_elements(negotiating, missing=4)

    steps = [step.text for step in coordinator_client.get(page_url(world)).context["overview"].next_steps]

    assert "Learning agreement 0: review in 20 days" in steps
    assert "Old agreement: review overdue by 100 days" in steps
    assert "Old agreement may be sitting in a drawer: no committee meeting since" in " ".join(steps)
    assert "New agreement, in negotiation: 4 key elements still missing" in steps
    assert any(step.startswith("Committee action overdue since") and "Book the IT suite 0" in step for step in steps)
    assert "Take up the refused time off for Maria Alberts" in " ".join(steps)
    assert "1 time-off request waits for the manager's decision" in steps


def test_an_employer_with_nothing_recorded_says_what_to_do(world, coordinator_client):
    page = coordinator_client.get(page_url(world)).content.decode()
    assert "Nothing needs doing now" in page
    assert "No contacts yet" in page and reverse("employers:contact_add", args=[world.council.pk]) in page
    assert "No learning agreement with Derby City Council yet" in page
    assert "No joint learning committee recorded" in page
    assert "No requests for time off to learn" in page
    assert "No bids or grants with Derby City Council" in page


def test_the_page_takes_the_same_number_of_queries_with_many_records(world, django_assert_max_num_queries):
    client = client_for(world.coordinator)
    council_in_full(world, many=6)  # more of each than the page lists: each list counts the rest
    with django_assert_max_num_queries(32) as some:
        client.get(page_url(world))
    council_in_full(world, many=10)
    with django_assert_max_num_queries(len(some.captured_queries)):
        response = client.get(page_url(world))
    assert response.context["overview"].funding_bids.more == 11  # 16 bids, 5 listed


def test_a_branch_officer_sees_it_all_but_no_buttons_to_add(world):
    council_in_full(world)
    page = client_for(world.officer).get(page_url(world)).content.decode()
    assert "Learning agreement 0" in page and "Council money 0" in page
    for add in (
        reverse("employers:contact_add", args=[world.council.pk]),
        reverse("employers:agreement_add"),
        reverse("employers:funding_add"),
        reverse("employers:finding_share", args=[world.council.pk]),
        reverse("employers:return_add"),
    ):
        assert add not in page


def test_a_coordinator_gets_the_buttons_to_add(world, coordinator_client):
    page = coordinator_client.get(page_url(world)).content.decode()
    assert f"{reverse('employers:agreement_add')}?employer={world.council.pk}" in page
    assert reverse("employers:committee_add", args=[world.council.pk]) in page
    assert f"{reverse('employers:funding_add')}?employer={world.council.pk}" in page
    assert f"{reverse('employers:return_add')}?employer={world.council.pk}" in page  # a public-sector employer


def test_a_ulr_sees_no_funding_nor_facility_time_figures(world):
    council_in_full(world)
    page = client_for(world.ulr).get(page_url(world)).content.decode()
    assert "Learning agreement 0" in page
    assert "Council money" not in page and 'id="funding"' not in page
    assert "1 April 2025 to 31 March 2026" not in page
    assert reverse("employers:contact_add", args=[world.council.pk]) not in page


def test_records_of_other_branches_are_left_out(world, coordinator_client):
    """A Nottingham bid with the council, and a Nottingham member placed at a council workplace."""
    FundingBid.objects.create(
        unit=world.notts, employer=world.council, title="Nottingham money", source="employer", amount=Decimal("1")
    )
    PersonFactory(branch=world.notts, workplace=world.town_hall)
    response = coordinator_client.get(page_url(world))
    assert "Nottingham money" not in response.content.decode()
    people = response.context["overview"].people
    assert (people.people, people.members) == (2, 2)  # Maria and Dev only


def test_the_employer_page_offers_its_employer_on_a_new_bid(world, coordinator_client):
    response = coordinator_client.get(reverse("employers:funding_add"), {"employer": world.council.pk})
    assert response.context["form"]["employer"].value() == world.council.pk


def test_overdue_actions_of_many_committees_are_cut_to_a_few(world, coordinator_client):
    committee = make_committee(world)
    meeting = make_meeting(committee)
    for number in range(5):
        make_action(meeting, description=f"Late {number}", due_on=days_from_today(-number - 1))
    steps = coordinator_client.get(page_url(world)).context["overview"].next_steps
    assert len([s for s in steps if s.text.startswith("Committee action overdue")]) == 3
    assert "And 2 more overdue actions" in [s.text for s in steps]
