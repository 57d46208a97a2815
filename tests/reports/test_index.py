"""The Reports page lists the reports each role may use, and nobody without a unit reaches it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for


def titles(response) -> str:
    return response.content.decode()


def test_a_branch_coordinator_sees_the_branch_reports_but_not_equality_or_comparing(world):
    response = client_for(world.coordinator).get(reverse("reports:index"))
    assert response.status_code == 200
    page = titles(response)
    for title in ("Committee reports", "Targets", "Budget", "Recruitment through learning", "News item"):
        assert title in page
    assert "Compare units" not in page  # a branch has nothing below it to compare
    assert "Equality of participation" not in page


def test_the_regional_coordinator_may_compare_units(world):
    page = titles(client_for(world.regional).get(reverse("reports:index")))
    assert "Compare units" in page


def test_the_equality_officer_finds_the_equality_report(world):
    page = titles(client_for(world.equality).get(reverse("reports:index")))
    assert "Equality of participation" in page


@pytest.mark.parametrize("who", ["ulr"])
def test_a_rep_without_a_unit_gets_not_found(world, who):
    assert client_for(getattr(world, who)).get(reverse("reports:index")).status_code == 404


def test_the_menu_offers_reports_to_co_ordinators_only(world):
    assert 'href="/reports/"' in titles(client_for(world.coordinator).get("/"))
    assert 'href="/reports/"' not in titles(client_for(world.ulr).get("/"))
