"""The demo's work with employers (employers/demo.py), built with the small demo organisation."""

from __future__ import annotations

import dataclasses

import pytest
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.employers import demo as employers_demo
from learningdesk.employers import facility_figures, reviews
from learningdesk.employers.home import attention
from learningdesk.employers.models import (
    CommitteeAction,
    FacilityTimeReturn,
    FundingBid,
    LearningAgreement,
    NegotiationCase,
    TimeOffRequest,
)
from learningdesk.org import demo
from learningdesk.org.models import Employer
from learningdesk.reps.models import FacilityAllowance, FacilityTimeEntry
from tests.conftest import client_for

SMALL = dataclasses.replace(demo.SIZES["branch"], people=300)


@pytest.fixture
def small_demo(db):
    return demo.build_demo(size=SMALL)


def coordinator() -> User:
    return User.objects.get(email="coordinator@example.org")


def council() -> Employer:
    return Employer.objects.get(name="Derby City Council")


def test_derby_has_a_live_agreement_one_in_negotiation_and_one_in_the_drawer(small_demo):
    today = timezone.localdate()
    live = LearningAgreement.objects.get(employer__name="Derby City Council")
    assert live.status == "signed" and (live.review_on - today).days == 60
    assert sorted(live.elements.exclude(state="present").values_list("state", flat=True)) == ["missing", "weak"]
    negotiating = LearningAgreement.objects.get(employer__name="Sinfin Precision Engineering Ltd")
    assert negotiating.status == "negotiating" and negotiating.elements.filter(state="missing").count() >= 4
    [drawer] = [item for item in reviews.in_the_drawer(coordinator(), today=today) if item.review_overdue]
    assert drawer.agreement.employer.name == "Derby Homes"
    assert drawer.no_meeting and (today - drawer.last_meeting).days >= 240


def test_the_council_agreement_sets_its_reps_facility_time(small_demo):
    agreement = LearningAgreement.objects.get(employer__name="Derby City Council")
    allowances = FacilityAllowance.objects.filter(employer=council())
    assert allowances.exists()
    assert not allowances.filter(agreement=None).exists()
    assert set(allowances.values_list("agreement", flat=True)) == {agreement.pk}


def test_the_council_committee_has_meetings_and_actions_some_shared_one_overdue(small_demo):
    actions = CommitteeAction.objects.filter(meeting__committee__employer=council())
    assert actions.filter(shared_at__isnull=False).count() == 3
    overdue = [action for action in actions if action.is_overdue()]
    assert [action.description for action in overdue] == ["Agree cover so depot staff can attend the maths course"]
    meetings = council().learning_committees.get().meetings.all()
    assert meetings.filter(held_on__gt=timezone.localdate()).count() == 1


def test_time_off_requests_cover_every_decision_and_both_kinds_of_case(small_demo):
    requests = TimeOffRequest.objects.filter(employer=council())
    assert set(requests.values_list("decision", flat=True)) == set(TimeOffRequest.Decision.values)
    cases = NegotiationCase.objects.filter(request__employer=council())
    assert sorted(cases.values_list("status", "outcome")) == [("closed", "won"), ("open", "")]
    won = cases.get(status="closed").request
    assert won.hours_approved == won.hours


def test_the_council_has_its_facility_time_figures_with_officials_and_pay_inputs(small_demo):
    """For the last complete year, or the year in progress when the demo's reps are all newer (they are)."""
    facility_return = FacilityTimeReturn.objects.get(employer=council())
    year = facility_return.year
    assert facility_return.total_pay_bill and facility_return.officials.exists()
    assert not facility_return.officials.filter(hourly_cost=None).exists()
    entries = facility_figures.counted_entries(council(), year)
    assert entries.filter(purpose=FacilityTimeEntry.Purpose.UNION_ACTIVITIES).exists()
    result = facility_figures.figures(facility_return)
    assert result.officials and result.activities_hours > 0 and result.cost_percent is not None


def test_two_funding_bids_one_awarded_one_waiting(small_demo):
    bids = FundingBid.objects.filter(unit__code="EM-DERBY")
    assert sorted(bids.values_list("status", flat=True)) == ["awarded", "submitted"]
    assert bids.get(status="awarded").activities.exists()


def test_the_other_employers_have_agreements_in_outline(small_demo):
    others = LearningAgreement.objects.exclude(units__code="EM-DERBY")
    assert others.exists()
    for agreement in others:
        assert agreement.elements.count() == 10
        assert agreement.units.get() == agreement.employer.unit


def test_the_training_manager_signs_in_and_sees_only_what_is_shared(small_demo):
    tessa = User.objects.get(email=employers_demo.CONTACT_LOGIN[0])
    assert tessa.check_password(demo.DEMO_PASSWORD)
    client = client_for(tessa)
    assert client.get(reverse("home"))["Location"] == reverse("shared:home")
    page = client.get(reverse("shared:home")).content.decode()
    assert "Agree cover so depot staff can attend the maths course" in page
    assert "Write up the learning survey findings" not in page  # not shared


def test_the_logins_table_names_the_employer_contact(small_demo):
    assert employers_demo.CONTACT_LOGIN_LINE in demo.logins_table()


def test_the_demo_fills_the_employer_page_home_and_costs(small_demo):
    user = coordinator()
    client = client_for(user)
    page = client.get(reverse("org:employer_detail", args=[council().pk])).content.decode()
    assert "Derby City Council learning agreement" in page and "Tessa Trainer" in page
    texts = [item["text"] for item in attention(user, today=timezone.localdate())]
    assert "The learning agreement with Derby City Council: review in 60 days" in texts
    assert client.get(reverse("employers:funding_list")).status_code == 200
    assert client.get(reverse("employers:costs")).context["totals"].learners > 0


def test_building_it_again_adds_nothing(small_demo):
    before = LearningAgreement.objects.count()
    summary = employers_demo.build_demo_employers(seed=demo.DEFAULT_SEED)
    assert summary.agreements == 0
    assert LearningAgreement.objects.count() == before
