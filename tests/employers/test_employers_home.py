"""The work with employers on the home page: agreement reviews due, agreements in a drawer, overdue committee
actions and open time-off cases, for co-ordinators and officers only, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from learningdesk.employers.home import attention
from learningdesk.employers.models import NegotiationCase, TimeOffRequest
from learningdesk.org.models import Employer
from tests.conftest import client_for
from tests.employers import days_from_today, make_action, make_agreement, make_committee, make_meeting, make_time_off
from tests.factories import EmployerFactory, WorkplaceFactory
from tests.reps import derby_rep

pytestmark = pytest.mark.django_db


def texts(user) -> list[str]:
    return [item["text"] for item in attention(user, today=timezone.localdate())]


def test_reviews_due_in_90_and_30_days_and_overdue_are_listed(world):
    make_agreement(world, title="In 60 days", review_on=days_from_today(60))
    make_agreement(world, title="In 20 days", review_on=days_from_today(20))
    make_agreement(world, title="Past", signed_on=days_from_today(-900), review_on=days_from_today(-3))
    make_agreement(world, title="Far off", review_on=days_from_today(200))
    assert texts(world.coordinator)[:3] == [
        "The learning agreement with Derby City Council: review overdue by 3 days",
        "The learning agreement with Derby City Council: review in 20 days",
        "The learning agreement with Derby City Council: review in 60 days",
    ]


def test_an_agreement_in_the_drawer_is_listed_with_its_signs(world):
    derby_rep(world)  # a rep at the Council House: not a sign
    agreement = make_agreement(world, review_on=days_from_today(300))
    make_meeting(make_committee(world, agreement=agreement), days=-240)
    [item] = attention(world.coordinator, today=timezone.localdate())
    assert item["text"].startswith(
        "The learning agreement with Derby City Council may be sitting in a drawer: no committee meeting since"
    )
    assert item["url"] == reverse("employers:agreement_detail", args=[agreement.pk])


def test_a_live_agreement_with_a_recent_meeting_and_reps_needs_nothing(world):
    derby_rep(world)
    agreement = make_agreement(world, review_on=days_from_today(300))
    make_meeting(make_committee(world, agreement=agreement), days=-30)
    assert texts(world.coordinator) == []


def test_overdue_committee_actions_are_counted_per_employer(world):
    derby_rep(world)
    meeting = make_meeting(make_committee(world, agreement=make_agreement(world)), days=-20)
    make_action(meeting, due_on=days_from_today(-5))
    make_action(meeting, description="Send the survey results", due_on=days_from_today(-1))
    make_action(meeting, description="Not yet due", due_on=days_from_today(5))
    items = attention(world.coordinator, today=timezone.localdate())
    assert {"url": reverse("org:employer_detail", args=[world.council.pk]) + "#next-steps",
            "text": "2 overdue committee actions with Derby City Council"} in items  # fmt: skip


def test_open_time_off_cases_are_counted(world):
    refused = make_time_off(world, decision=TimeOffRequest.Decision.REFUSED)
    NegotiationCase.objects.create(request=refused)
    closed = make_time_off(world, decision=TimeOffRequest.Decision.REFUSED)
    NegotiationCase.objects.create(request=closed, status="closed", outcome="won")
    assert "1 open time-off case to take up with the employer" in texts(world.coordinator)


def test_the_home_page_shows_the_items(world):
    make_agreement(world, review_on=days_from_today(10))
    page = client_for(world.coordinator).get(reverse("home")).content.decode()
    assert "The learning agreement with Derby City Council: review in 10 days" in page


def test_a_branch_officer_sees_them_a_ulr_and_another_branch_do_not(world):
    make_agreement(world, review_on=days_from_today(10))
    assert "The learning agreement with Derby City Council: review in 10 days" in texts(world.officer)
    assert texts(world.ulr) == []
    assert texts(world.outsider) == []


def test_a_regional_coordinator_sees_the_reviews_of_the_region(world):
    make_agreement(world, review_on=days_from_today(10))
    assert "The learning agreement with Derby City Council: review in 10 days" in texts(world.regional)


def test_a_long_list_is_cut_short_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for number in range(8):
        employer = EmployerFactory(name=f"Employer {number}", unit=world.derby, sector=Employer.Sector.RETAIL)
        WorkplaceFactory(employer=employer, branch=world.derby)
        world.council = employer  # make_agreement and make_committee use the world's employer
        agreement = make_agreement(world, signed_on=days_from_today(-900), review_on=days_from_today(-number - 1))
        make_action(make_meeting(make_committee(world, agreement=agreement)), due_on=days_from_today(-2))
        NegotiationCase.objects.create(request=make_time_off(world, decision=TimeOffRequest.Decision.REFUSED))
    with django_assert_max_num_queries(8):
        items = attention(world.coordinator, today=timezone.localdate())
    found = [item["text"] for item in items]
    assert len([text for text in found if "review overdue" in text]) == 3
    assert "More learning agreements to review in the next 90 days" in found
    assert "Overdue committee actions with more employers" in found
    assert "8 open time-off cases to take up with the employer" in found
