"""Compare units: a region's branches (or the nation's regions) side by side, those falling behind first."""

from __future__ import annotations

import csv
import datetime
import io

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.org.models import OrgUnit
from learningdesk.reports.models import Measure, Target
from tests.conftest import World, client_for
from tests.employers import contact_with_login
from tests.factories import PersonFactory, unit
from tests.learning import make_activity, make_session
from tests.reports import aware, learner_sign_up

URL = reverse("reports:compare")


def today() -> datetime.date:
    return timezone.localdate()


def learners(branch: OrgUnit, count: int) -> None:
    session = make_session(make_activity(branch, title=f"Maths at {branch.name}"), starts=aware(today(), 0, 30))
    for _ in range(count):
        learner_sign_up(session, PersonFactory(branch=branch))


def yearly_target(branch: OrgUnit, measure: str, value: int) -> Target:
    year = today().year
    return Target.objects.create(
        unit=branch,
        measure=measure,
        starts_on=datetime.date(year, 1, 1),
        ends_on=datetime.date(year, 12, 31),
        value=value,
    )


def compare(world: World, user=None, **params):
    return client_for(user or world.regional).get(URL, params)


def names(response) -> list[str]:
    return [row.unit.name for row in response.context["rows"]]


# Who may compare what ---------------------------------------------------------------------------------------


def test_the_regional_coordinator_compares_their_regions_branches_by_default(world):
    response = compare(world)
    assert response.status_code == 200
    assert response.context["unit"] == world.region
    assert sorted(names(response)) == ["Derby City", "Nottingham Health"]
    assert "Compare the branches in East Midlands" in response.content.decode()


def test_the_nation_compares_its_regions(world):
    learners(world.derby, 2)
    learners(world.manchester, 3)
    response = compare(world, world.admin)
    rows = {row.unit.name: row for row in response.context["rows"]}
    assert set(rows) == {"East Midlands", "North West"}
    assert rows["East Midlands"].values[Measure.LEARNERS] == 2
    assert rows["North West"].values[Measure.LEARNERS] == 3
    # A region links to the comparison of its own branches.
    assert f"{URL}?unit={world.region.pk}" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    response = client.get(URL, {"unit": world.region.pk})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_another_regions_units_answer_404(world):
    outsider_region = unit("Wales", "WA", world.national)
    assert compare(world, unit=outsider_region.pk).status_code == 404
    assert compare(world, unit=world.other_region.pk).status_code == 404


def test_a_branch_coordinator_cannot_compare_the_region_above_them(world):
    assert compare(world, world.coordinator, unit=world.region.pk).status_code == 404
    assert compare(world, world.outsider, unit=world.derby.pk).status_code == 404


def test_a_branch_has_nothing_below_it_to_compare_and_says_so(world):
    response = compare(world, world.coordinator)
    assert response.status_code == 200
    assert response.context["unit"] == world.derby
    assert "There are no units below Derby City to compare" in response.content.decode()


def test_a_ulr_and_an_employer_contact_get_404(world):
    assert compare(world, world.ulr).status_code == 404
    assert compare(world, contact_with_login(world), unit=world.derby.pk).status_code == 404


def test_a_unit_that_is_not_a_number_answers_404(world):
    assert compare(world, unit="derby").status_code == 404


def test_a_branch_officer_may_compare_read_only(world):
    officer_region = client_for(world.officer).get(URL, {"unit": world.derby.pk})
    assert officer_region.status_code == 200


# Falling behind ---------------------------------------------------------------------------------------------


def test_units_behind_on_targets_are_picked_out_first(world):
    learners(world.derby, 1)
    learners(world.notts, 5)
    yearly_target(world.derby, Measure.LEARNERS, 1_000)  # far behind by any day after the first few
    yearly_target(world.notts, Measure.LEARNERS, 1)  # met
    response = compare(world)
    assert names(response) == ["Derby City", "Nottingham Health"]
    behind = response.context["falling_behind"]
    assert [row.unit for row in behind] == [world.derby]
    page = response.content.decode()
    assert "Falling behind" in page
    assert "Learners engaged: 1 so far" in page
    rows = {row.unit.name: row for row in response.context["rows"]}
    assert rows["Nottingham Health"].status_label == "Met"
    assert rows["Derby City"].behind[0].target.measure == Measure.LEARNERS


def test_with_no_unit_behind_the_page_says_so(world):
    response = compare(world)
    assert response.context["falling_behind"] == []
    assert "No branch is behind on its targets today" in response.content.decode()


def test_a_units_status_is_its_worst_targets(world):
    learners(world.derby, 5)
    yearly_target(world.derby, Measure.LEARNERS, 1)  # met
    yearly_target(world.derby, Measure.SIGN_UPS, 100_000)  # well behind
    row = next(row for row in compare(world).context["rows"] if row.unit == world.derby)
    assert (row.status, row.status_label, row.tag_class) == ("red", "Well behind", "govuk-tag--red")


# Figures, sorting, pages ------------------------------------------------------------------------------------


def test_members_are_counted_in_each_branchs_subtree(world):
    response = compare(world)
    rows = {row.unit.name: row.members for row in response.context["rows"]}
    assert rows == {"Derby City": 2, "Nottingham Health": 1}


def test_the_table_sorts_by_a_column_largest_first_then_smallest(world):
    learners(world.derby, 1)
    learners(world.notts, 4)
    assert names(compare(world, sort="-learners")) == ["Nottingham Health", "Derby City"]
    assert names(compare(world, sort="learners")) == ["Derby City", "Nottingham Health"]
    assert names(compare(world, sort="-name")) == ["Nottingham Health", "Derby City"]
    headers = {header["label"]: header for header in compare(world, sort="-learners").context["headers"]}
    assert headers["Learners engaged"]["sort"] == "learners"  # the link turns the order round
    assert headers["Learners engaged"]["aria_sort"] == "descending"
    assert headers["Members"]["sort"] == "-members"


def test_an_unknown_sort_falls_back_to_the_ones_behind_first(world):
    assert compare(world, sort="password").context["sort"] == "status"


def test_the_bar_chart_follows_the_sorted_column_with_its_figures_in_a_table(world):
    learners(world.notts, 4)
    page = compare(world, sort="-learners").content.decode()
    assert 'role="img"' in page
    assert "Learners engaged in East Midlands, by branch" in page
    assert "Show the figures as a table" in page
    members_page = compare(world, sort="-members").content.decode()
    assert "Members in East Midlands, by branch" in members_page


def test_many_branches_are_paginated_in_a_fixed_number_of_queries(world, django_assert_max_num_queries, settings):
    settings.PAGE_SIZE = 5
    learners(world.derby, 1)
    yearly_target(world.derby, Measure.LEARNERS, 10)
    client = client_for(world.regional)
    client.get(URL)  # the session and the unit kinds, once
    cache.clear()  # counted again, not the comparison kept from a moment ago
    with django_assert_max_num_queries(40) as few:
        client.get(URL)
    for number in range(12):
        branch = unit(f"Branch {number:02d}", f"EM-B{number:02d}", world.region)
        learners(branch, 1)
        yearly_target(branch, Measure.LEARNERS, 10)
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"page": 2, "sort": "name"})
    assert len(response.context["rows"]) == 5
    assert names(response)[0] == "Branch 05"
    assert response.context["page_obj"].paginator.count == 14


def test_the_table_exports_as_csv_with_an_audit_event(world):
    learners(world.derby, 2)
    response = compare(world, format="csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Branch", "Members", f"Learners engaged since 01/01/{today().year}"]
    derby = next(row for row in rows if row[0] == "Derby City")
    assert derby[1:3] == ["4", "2"]  # Maria and Dev, and the two learners
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.changes["rows"] == 2


def test_a_regions_comparison_is_kept_a_minute_or_two_so_sorting_it_is_quick(world, django_assert_max_num_queries):
    client = client_for(world.regional)
    first = client.get(URL)
    with django_assert_max_num_queries(8):
        again = client.get(URL, {"sort": "-members"})
    assert again.context["comparison"].counted_at == first.context["comparison"].counted_at
    assert "Counted at" in again.content.decode()


def test_the_page_links_back_up_to_the_region_from_a_branch(world):
    response = compare(world, unit=world.derby.pk)
    assert (f"Compare units in {world.region.name}", f"{URL}?unit={world.region.pk}") in response.context["crumbs"]
