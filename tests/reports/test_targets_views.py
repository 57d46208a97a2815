"""The targets pages: who sees and sets which unit's targets, adding, changing and deleting them, the Amicus-AEEU
template, the drill-down from the nation to workplaces, and the exports."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.reports.models import Measure, Target
from tests.conftest import client_for
from tests.employers import contact_with_login
from tests.factories import unit
from tests.learning import make_activity, make_session
from tests.reports import aware, learner_sign_up
from tests.reports.urls_targets import derby_target

PAGES = ["reports:targets", "reports:target_drilldown", "reports:target_add", "reports:targets_template"]


def this_year() -> tuple[datetime.date, datetime.date]:
    year = timezone.localdate().year
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def target(unit_, value, measure=Measure.LEARNERS) -> Target:
    starts_on, ends_on = this_year()
    return Target.objects.create(unit=unit_, measure=measure, starts_on=starts_on, ends_on=ends_on, value=value)


def attend(unit_, person):
    session = make_session(make_activity(unit_), starts=aware(this_year()[0]))
    learner_sign_up(session, person)


def page(client, name="reports:targets", **query):
    return client.get(reverse(name), query)


# Who sees what -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(world, client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["reports:targets", "reports:target_drilldown"])
def test_another_branch_cannot_ask_for_derby(world, name):
    target(world.derby, 120)
    response = page(client_for(world.outsider), name, unit=world.derby.pk)
    assert response.status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_a_ulr_and_an_employer_contact_get_nothing(world, name):
    for user in (world.ulr, contact_with_login(world)):
        assert client_for(user).get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", ["reports:target_edit", "reports:target_delete"])
def test_only_editors_of_the_unit_change_its_targets(world, name):
    derby = derby_target(world)
    url = reverse(name, args=[derby.pk])
    for user in (world.outsider, world.officer, world.ulr):
        assert client_for(user).post(url, {"value": 1, "measure": Measure.LEARNERS}).status_code == 404
    derby.refresh_from_db()
    assert derby.value == 120


def test_an_officer_reads_but_cannot_add(world):
    target(world.derby, 120)
    client = client_for(world.officer)

    response = page(client)

    assert response.status_code == 200
    assert "Learners engaged" in response.content.decode()
    assert "Add a target" not in response.content.decode()
    assert client.get(reverse("reports:target_add")).status_code == 403
    assert client.get(reverse("reports:targets_template")).status_code == 403


# A unit's targets -----------------------------------------------------------------------------------------


def test_the_coordinator_sees_derbys_progress_this_year(world, coordinator_client):
    target(world.derby, 10_000)
    target(world.notts, 50)
    attend(world.derby, world.derby_person)

    response = page(coordinator_client)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Derby City" in html and "Nottingham" not in html
    assert "10,000" in html
    assert "Well behind" in html  # in words, not only colour
    assert 'value="0"' in html  # the progress bar: 1 of 10,000
    assert (
        "Add a target" in html
        and reverse("reports:target_edit", args=[Target.objects.get(unit=world.derby).pk]) in html
    )


def test_a_region_shows_its_branches_targets_added_up(world):
    target(world.derby, 10)
    target(world.notts, 30)

    html = page(client_for(world.regional)).content.decode()

    assert "East Midlands" in html
    assert ">40<" in html
    assert "added up from its branches" in html


def test_the_page_says_what_to_do_when_there_are_no_targets(world, coordinator_client):
    html = page(coordinator_client).content.decode()
    assert "has no targets for" in html
    assert reverse("reports:targets_template") in html
    officer_html = page(client_for(world.officer)).content.decode()
    assert "Targets are set by the learning co-ordinator" in officer_html


def test_another_period_is_chosen_with_dates(world, coordinator_client):
    Target.objects.create(
        unit=world.derby,
        measure=Measure.SIGN_UPS,
        starts_on=datetime.date(2024, 4, 1),
        ends_on=datetime.date(2025, 3, 31),
        value=77,
    )
    html = page(
        coordinator_client, unit=world.derby.pk, period="dates", starts_on="2024-04-01", ends_on="2025-03-31"
    ).content.decode()
    assert "1 April 2024 to 31 March 2025" in html and ">77<" in html


def test_dates_in_the_wrong_order_are_explained_next_to_the_field(world, coordinator_client):
    response = page(coordinator_client, period="dates", starts_on="2025-05-01", ends_on="2025-04-01")
    assert response.status_code == 200
    assert response.context["form"].errors == {"ends_on": ["The last day must be on or after the first day"]}


def test_the_list_page_has_a_fixed_number_of_queries(world, coordinator_client, django_assert_max_num_queries):
    for measure in (Measure.LEARNERS, Measure.SIGN_UPS, Measure.REPS_TRAINED, Measure.LEARNING_CENTRES):
        target(world.derby, 5, measure)
    with django_assert_max_num_queries(16):
        assert page(coordinator_client).status_code == 200


def test_the_targets_export_as_csv_and_the_export_is_logged(world, coordinator_client):
    target(world.derby, 120)
    attend(world.derby, world.derby_person)

    response = page(coordinator_client, format="csv")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:5] == ["Unit", "Measure", "From", "To", "Target"]
    assert rows[1][0:2] == ["Derby City", "Learners engaged"] and rows[1][6] == "1"
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert (event.target_type, event.changes["rows"], event.unit) == ("targets", 1, world.derby)


# Adding, changing, deleting -----------------------------------------------------------------------------


def form_data(world, **changes):
    starts_on, ends_on = this_year()
    data = {
        "unit": world.derby.pk,
        "measure": Measure.LEARNERS,
        "value": "150",
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "note": "",
    }
    return data | changes


def test_the_coordinator_adds_a_target(world, coordinator_client):
    response = coordinator_client.post(reverse("reports:target_add"), form_data(world))

    saved = Target.objects.get()
    assert (saved.unit, saved.value, saved.set_by) == (world.derby, 150, world.coordinator)
    assert response.status_code == 302 and response["Location"].startswith(reverse("reports:targets"))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATED, target_type="target").exists()


def test_the_add_form_starts_with_the_unit_and_period_of_the_page(world, coordinator_client):
    response = coordinator_client.get(reverse("reports:target_add"), {"unit": world.derby.pk, "period": "last_year"})
    form = response.context["form"]
    assert form.initial["unit"] == world.derby.pk
    assert form.initial["starts_on"] == datetime.date(timezone.localdate().year - 1, 1, 1)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"value": ""}, "value", "Enter the target as a whole number"),
        ({"value": "-3"}, "value", "greater than or equal to 0"),
        ({"measure": ""}, "measure", "Choose what to count"),
        ({"ends_on": "2000-01-01"}, "ends_on", "The last day must be on or after the first day"),
        ({"unit": "notts"}, "unit", "Choose a unit you look after"),
    ],
)
def test_bad_input_is_explained_next_to_the_field(world, coordinator_client, changes, field, message):
    if changes.get("unit") == "notts":
        changes["unit"] = world.notts.pk
    response = coordinator_client.post(reverse("reports:target_add"), form_data(world, **changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Target.objects.exists()


def test_a_duplicate_target_gets_a_clear_message(world, coordinator_client):
    target(world.derby, 100)
    response = coordinator_client.post(reverse("reports:target_add"), form_data(world))
    assert "Derby City already has a target for learners engaged" in response.context["form"].errors["measure"][0]
    assert Target.objects.get().value == 100


def test_the_coordinator_changes_a_target(world, coordinator_client):
    derby = derby_target(world)
    response = coordinator_client.post(reverse("reports:target_edit", args=[derby.pk]), form_data(world, value="135"))
    derby.refresh_from_db()
    assert response.status_code == 302 and derby.value == 135
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGED, target_type="target")
    assert event.changes == {"fields": ["value"]}


def test_deleting_asks_first_then_deletes(world, coordinator_client):
    derby = derby_target(world)
    url = reverse("reports:target_delete", args=[derby.pk])

    confirm = coordinator_client.get(url)
    assert "Delete the target for learners engaged?" in confirm.content.decode()
    assert Target.objects.exists()

    response = coordinator_client.post(url)
    assert response.status_code == 302 and not Target.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETED, target_type="target").exists()


# The Amicus-AEEU template --------------------------------------------------------------------------------


def template_data(world, **changes):
    starts_on, ends_on = this_year()
    data = {"unit": world.derby.pk, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()}
    for measure, value in (
        (Measure.LEARNERS, 20000),
        (Measure.REPS_TRAINED, 1000),
        (Measure.LEARNER_CHAMPIONS, 50),
        (Measure.BASIC_SKILLS, 1000),
        (Measure.TUTORS, 20),
        (Measure.LEARNING_CENTRES, 12),
    ):
        data[f"use_{measure}"] = "on"
        data[measure] = str(value)
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_template_is_filled_in_with_the_national_figures(world, coordinator_client):
    html = coordinator_client.get(reverse("reports:targets_template")).content.decode()
    for figure in ('value="20000"', 'value="1000"', 'value="50"', 'value="20"', 'value="12"'):
        assert figure in html
    assert "Trained" in html or "Reps trained" in html


def test_the_adapted_template_is_saved_for_the_unit_and_period(world, coordinator_client):
    data = template_data(world, **{Measure.LEARNERS: "400", f"use_{Measure.TUTORS}": None})

    response = coordinator_client.post(reverse("reports:targets_template"), data)

    assert response.status_code == 302
    saved = dict(Target.objects.filter(unit=world.derby).values_list("measure", "value"))
    assert saved == {
        Measure.LEARNERS: 400,
        Measure.REPS_TRAINED: 1000,
        Measure.LEARNER_CHAMPIONS: 50,
        Measure.BASIC_SKILLS: 1000,
        Measure.LEARNING_CENTRES: 12,
    }


def test_a_duplicate_in_the_template_saves_nothing(world, coordinator_client):
    target(world.derby, 3, Measure.LEARNING_CENTRES)

    response = coordinator_client.post(reverse("reports:targets_template"), template_data(world))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [Measure.LEARNING_CENTRES]
    assert "already has a target for learning centres" in errors[Measure.LEARNING_CENTRES][0]
    assert Target.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({Measure.TUTORS: ""}, Measure.TUTORS, "Enter the target for tutors, or untick it"),
        ({Measure.TUTORS: "many"}, Measure.TUTORS, "Enter the target for tutors as a whole number"),
        ({"ends_on": "2000-01-01"}, "ends_on", "The last day must be on or after the first day"),
    ],
)
def test_template_mistakes_are_explained_next_to_the_field(world, coordinator_client, changes, field, message):
    response = coordinator_client.post(reverse("reports:targets_template"), template_data(world, **changes))
    assert response.context["form"].errors[field] == [message]
    assert not Target.objects.exists()


def test_unticking_everything_saves_nothing(world, coordinator_client):
    data = template_data(world)
    data = {key: value for key, value in data.items() if not key.startswith("use_")}
    response = coordinator_client.post(reverse("reports:targets_template"), data)
    assert "Tick at least one target to save." in response.content.decode()
    assert not Target.objects.exists()


# The drill-down ------------------------------------------------------------------------------------------


def test_the_region_drills_down_to_its_branches(world):
    target(world.derby, 10)
    target(world.notts, 30)
    attend(world.derby, world.derby_person)

    response = page(client_for(world.regional), "reports:target_drilldown")

    html = response.content.decode()
    rows = {row.name: row for row in response.context["page_obj"].object_list}
    assert set(rows) == {"Derby City", "Nottingham Health"}
    assert rows["Derby City"].cells[0].actual == 1
    assert f"?unit={world.derby.pk}&amp;" in html  # a link down
    assert "Falling behind" in html


def test_the_nation_drills_down_to_regions_with_their_added_up_targets(world):
    target(world.derby, 10)
    target(world.notts, 30)

    response = page(client_for(world.admin), "reports:target_drilldown")

    rows = {row.name: row for row in response.context["page_obj"].object_list}
    east = rows["East Midlands"].cells[0].progress
    assert (east.target.value, east.from_below) == (40, "its branches")
    assert rows["North West"].cells[0].progress is None


def test_a_branch_drills_down_to_its_workplaces(world, coordinator_client):
    attend(world.derby, world.derby_person)  # works at the Council House

    response = page(coordinator_client, "reports:target_drilldown")

    rows = {row.name: row for row in response.context["page_obj"].object_list}
    assert set(rows) == {"Council House", "Stores Road Depot"}
    assert rows["Council House"].cells[0].actual == 1 and rows["Stores Road Depot"].cells[0].actual == 0
    assert "Queen" not in response.content.decode()


def test_the_drilldown_exports_its_table(world):
    target(world.derby, 10)
    response = page(client_for(world.regional), "reports:target_drilldown", format="csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["Name", "Learners engaged: target", "Learners engaged: actual", "Learners engaged: status"]
    assert sorted(row[0] for row in rows[1:]) == ["Derby City", "Nottingham Health"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED, unit=world.region).exists()


@pytest.mark.parametrize("branches", [0, 30])
def test_the_drilldown_pages_many_branches_in_a_fixed_number_of_queries(
    world, settings, branches, django_assert_max_num_queries
):
    settings.PAGE_SIZE = 10
    for n in range(branches):
        target(unit(f"Branch {n:02}", f"EM-B{n:02}", world.region), 5)
    target(world.region, 100)
    client = client_for(world.regional)

    with django_assert_max_num_queries(24):
        response = page(client, "reports:target_drilldown")

    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == min(branches + 2, 10)


def test_what_is_typed_next_to_an_unticked_measure_is_ignored(world, coordinator_client):
    data = template_data(world, **{f"use_{Measure.TUTORS}": None, Measure.TUTORS: "lots"})
    response = coordinator_client.post(reverse("reports:targets_template"), data)
    assert response.status_code == 302
    assert not Target.objects.filter(measure=Measure.TUTORS).exists()
    assert Target.objects.count() == 5


def test_a_target_added_up_from_below_offers_to_set_the_units_own(world):
    target(world.derby, 10)
    client = client_for(world.regional)

    html = page(client).content.decode()

    assert "Set East Midlands’s own" in html
    response = client.get(reverse("reports:target_add"), {"unit": world.region.pk, "measure": Measure.LEARNERS})
    assert response.context["form"].initial["measure"] == Measure.LEARNERS
    assert response.context["form"].initial["unit"] == world.region.pk


def test_the_forms_start_with_the_top_unit_the_user_looks_after(world):
    response = client_for(world.regional).get(reverse("reports:targets_template"))
    assert response.context["form"].initial["unit"] == world.region.pk
