"""The demo's targets and budget (reports/demo.py), built with the small demo organisation."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.utils import timezone

from learningdesk.org import demo
from learningdesk.reports import demo as reports_demo
from learningdesk.reports.models import Budget, Measure, Target

SMALL = dataclasses.replace(demo.SIZES["branch"], people=300)


@pytest.fixture
def small_demo(db):
    return demo.build_demo(size=SMALL)


def test_the_demo_branches_have_this_years_targets(small_demo):
    year = timezone.localdate().year
    derby = Target.objects.filter(unit__code="EM-DERBY")
    assert derby.count() == len(reports_demo.BRANCH_TARGETS["EM-DERBY"])
    assert {(t.starts_on.year, t.ends_on.year) for t in derby} == {(year, year)}
    assert derby.get(measure=Measure.LEARNERS).value == 150
    # A branch-sized demo is too small for the Amicus national figures: the national office sets none.
    assert not Target.objects.filter(unit__code="NAT").exists()


def test_the_demo_branch_has_a_budget_with_spending_beside_its_activities(small_demo):
    budget = Budget.objects.get(unit__code="EM-DERBY")
    assert budget.from_branch == Decimal("2500.00")
    assert budget.spends.count() == len(reports_demo.OTHER_SPENDING)
    assert all(spend.spent_on <= timezone.localdate() for spend in budget.spends.all())


def test_building_the_reports_demo_twice_adds_nothing(small_demo):
    before = Target.objects.count()
    assert reports_demo.build_demo_reports() == 0
    assert Target.objects.count() == before
