"""The recruitment page and the target screens, through the test client: figures, filters, permissions."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.reps.models import Barrier, Method, RecruitmentTarget, Rep, Source, Stage
from learningdesk.reps.recruitment import Period
from tests.conftest import client_for
from tests.factories import PersonFactory
from tests.reps import days_ago, make_rep, rep_kind

URL = reverse("reps:recruitment")


def today() -> datetime.date:
    return timezone.localdate()


def this_year() -> tuple[datetime.date, datetime.date]:
    period = Period.year_of(today())
    return period.starts_on, period.ends_on


def derby_prospect(world, *, on=None, **data) -> Rep:
    person = PersonFactory(branch=world.derby, workplace=world.town_hall)
    return make_rep(person, kind="learner_champion", on=on or today(), **data)


def derby_target(world, how_many: int = 8, unit=None) -> RecruitmentTarget:
    starts_on, ends_on = this_year()
    return RecruitmentTarget.objects.create(
        unit=unit or world.derby, starts_on=starts_on, ends_on=ends_on, target=how_many
    )


def funnel_counts(response) -> dict[str, int]:
    return {step.key: step.count for step in response.context["summary"].funnel}


# The page --------------------------------------------------------------------------------------


def test_coordinator_sees_this_years_funnel_as_a_chart_and_a_table(world):
    derby_prospect(world)
    derby_prospect(world, stage=Stage.AGREED)

    response = client_for(world.coordinator).get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert funnel_counts(response) == {"prospects": 2, "agreed": 1, "notified": 0, "trained": 0, "active": 0}
    assert response.context["filters"].period == Period(*this_year())
    assert "The funnel in figures" in page
    assert 'aria-labelledby="funnel-title"' in page
    assert '<title id="funnel-title">From prospect to active rep in the period</title>' in page


def test_every_chart_on_the_page_is_well_formed_svg(world):
    derby_prospect(world, source=Source.APPRENTICE, method=Method.STALL)
    derby_target(world)
    page = client_for(world.coordinator).get(URL).content.decode()
    svgs = page.split("<svg ")[1:]
    drawn = [part for part in svgs if 'role="img"' in part.split(">", 1)[0]]
    assert len(drawn) == 4  # the funnel, sources, methods and the target's progress (no barriers given)
    for part in drawn:
        ET.fromstring("<svg " + part.split("</svg>", 1)[0] + "</svg>")  # noqa: S314 - our own markup


def test_page_without_any_reps_says_what_to_do_next(world):
    response = client_for(world.coordinator).get(URL)
    page = response.content.decode()
    assert "Nobody reached any step in this period yet." in page
    assert "No prospects were added in this period." in page
    assert "No targets for this period." in page
    assert "Set a target" in page


def test_custom_dates_choose_the_period(world):
    derby_prospect(world, on=days_ago(400))
    derby_prospect(world, on=today())
    old = days_ago(400)
    response = client_for(world.coordinator).get(
        URL, {"period": "custom", "starts_on": old.isoformat(), "ends_on": old.isoformat()}
    )
    assert response.context["filters"].period == Period(old, old)
    assert funnel_counts(response)["prospects"] == 1


def test_last_12_months(world):
    derby_prospect(world, on=days_ago(364))
    derby_prospect(world, on=days_ago(366))
    response = client_for(world.coordinator).get(URL, {"period": "12m"})
    assert funnel_counts(response)["prospects"] == 1


def test_a_targets_period(world):
    target = RecruitmentTarget.objects.create(
        unit=world.derby, starts_on=days_ago(500), ends_on=days_ago(300), target=3
    )
    derby_prospect(world, on=days_ago(400), stage=Stage.AGREED)
    response = client_for(world.coordinator).get(URL, {"period": "target", "target": target.pk})
    assert response.context["filters"].period == Period(days_ago(500), days_ago(300))
    assert funnel_counts(response)["agreed"] == 1
    assert "1 of 3" in response.content.decode()


def test_wrong_dates_show_an_error_and_this_years_figures(world):
    response = client_for(world.coordinator).get(
        URL, {"period": "custom", "starts_on": "2026-05-01", "ends_on": "2026-04-01"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "The end date must be on or after the start date" in page
    assert "<title>Error: Recruiting reps" in page
    assert response.context["filters"].period == Period(*this_year())


def test_custom_period_needs_both_dates(world):
    response = client_for(world.coordinator).get(URL, {"period": "custom", "starts_on": "2026-05-01"})
    assert "Enter the date the figures go to" in response.content.decode()


def test_filter_by_unit_and_kind(world):
    derby_prospect(world)
    make_rep(PersonFactory(branch=world.derby), kind="ulr", on=today(), workplaces=[])
    make_rep(world.notts_person, kind="learner_champion", on=today())
    regional = client_for(world.regional)

    assert funnel_counts(regional.get(URL))["prospects"] == 3
    assert funnel_counts(regional.get(URL, {"unit": world.derby.pk}))["prospects"] == 2
    assert funnel_counts(regional.get(URL, {"unit": world.derby.pk, "kind": rep_kind("ulr").pk}))["prospects"] == 1


def test_sources_methods_and_barriers_are_shown_with_the_handbooks_words(world):
    derby_prospect(world, source=Source.NEW_MEMBER, method=Method.INFO_SESSION, barrier_notes="Shifts")
    rep = Rep.objects.get()
    rep.reasons.create(kind="barrier", code=Barrier.NO_MANAGER_SUPPORT)
    page = client_for(world.coordinator).get(URL).content.decode()
    assert "A new member" in page
    assert "A ULR information session" in page
    assert "Won&#x27;t get their manager&#x27;s support" in page
    assert "1 what holds them back" in page


def test_targets_show_progress_and_status(world):
    derby_target(world, how_many=2)
    derby_prospect(world, stage=Stage.AGREED)
    derby_prospect(world, stage=Stage.AGREED)
    page = client_for(world.coordinator).get(URL).content.decode()
    assert "2 of 2" in page
    assert ">Met</strong>" in page
    assert '<title id="target-' in page


def test_coordinator_may_change_their_targets_from_the_page(world):
    target = derby_target(world)
    page = client_for(world.coordinator).get(URL).content.decode()
    assert reverse("reps:target_edit", args=[target.pk]) in page
    assert reverse("reps:target_delete", args=[target.pk]) in page


def test_page_takes_the_same_number_of_queries_however_many_sources_and_targets(world):
    client = client_for(world.coordinator)
    derby_prospect(world, source=Source.APPRENTICE, method=Method.STALL)
    derby_target(world)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for source, method in zip(Source.values[2:7], Method.values[1:6], strict=True):
        derby_prospect(world, source=source, method=method, stage=Stage.AGREED)
        derby_target(world, how_many=3)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(response.context["sources"]) == 6
    assert len(response.context["target_rows"]) == 6
    assert len(many) == len(few) <= 20, [q["sql"][:90] for q in many.captured_queries]


# Permissions and scope -------------------------------------------------------------------------


def test_another_branch_sees_none_of_derbys_figures(world):
    derby_prospect(world, source=Source.APPRENTICE, stage=Stage.AGREED)
    derby_prospect(world, barrier_notes="Time")
    derby_target(world)

    response = client_for(world.outsider).get(URL)

    page = response.content.decode()
    assert funnel_counts(response) == {"prospects": 0, "agreed": 0, "notified": 0, "trained": 0, "active": 0}
    assert response.context["sources"] == []
    assert response.context["target_rows"] == []
    assert "Derby" not in page


def test_another_branch_cannot_pick_derby_as_the_unit(world):
    derby_prospect(world)
    response = client_for(world.outsider).get(URL, {"unit": world.derby.pk})
    assert "Select a valid choice" in response.content.decode()
    assert funnel_counts(response)["prospects"] == 0


def test_another_branch_cannot_use_derbys_target_as_the_period(world):
    target = RecruitmentTarget.objects.create(
        unit=world.derby, starts_on=days_ago(500), ends_on=days_ago(300), target=3
    )
    response = client_for(world.outsider).get(URL, {"period": "target", "target": target.pk})
    assert "Select a valid choice" in response.content.decode()
    assert response.context["filters"].period == Period(*this_year())
    assert response.context["target_rows"] == []


def test_regional_coordinator_may_change_a_branchs_target(world):
    target = derby_target(world)
    regional = client_for(world.regional)
    assert reverse("reps:target_edit", args=[target.pk]) in regional.get(URL).content.decode()
    assert regional.get(reverse("reps:target_edit", args=[target.pk])).status_code == 200


def test_officer_can_view_but_not_set_targets(world):
    target = derby_target(world)
    derby_prospect(world)
    officer = client_for(world.officer)

    response = officer.get(URL)

    assert funnel_counts(response)["prospects"] == 1
    assert reverse("reps:target_add") not in response.content.decode()
    assert reverse("reps:target_edit", args=[target.pk]) not in response.content.decode()
    assert officer.get(reverse("reps:target_add")).status_code == 404
    assert officer.post(reverse("reps:target_add"), {}).status_code == 404
    assert officer.get(reverse("reps:target_edit", args=[target.pk])).status_code == 404


def test_a_rep_without_a_branch_role_has_no_recruitment_page(world):
    assert client_for(world.ulr).get(URL).status_code == 404


@pytest.mark.parametrize("name", ["reps:target_edit", "reps:target_delete"])
def test_another_branch_cannot_change_or_delete_derbys_target(world, name):
    target = derby_target(world)
    outsider = client_for(world.outsider)
    url = reverse(name, args=[target.pk])
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"unit": world.notts.pk, "target": 1}).status_code == 404
    target.refresh_from_db()
    assert (target.unit, target.target) == (world.derby, 8)


@pytest.mark.parametrize("name", ["reps:recruitment", "reps:target_add"])
def test_anonymous_users_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Setting targets -------------------------------------------------------------------------------


def test_target_form_starts_with_this_year_and_the_coordinators_branch(world):
    form = client_for(world.coordinator).get(reverse("reps:target_add")).context["form"]
    starts_on, ends_on = this_year()
    assert form["starts_on"].value() == starts_on
    assert form["ends_on"].value() == ends_on
    assert form["unit"].value() == world.derby.pk


def test_coordinator_sets_a_target_and_sees_its_progress(world):
    starts_on, ends_on = this_year()
    response = client_for(world.coordinator).post(
        reverse("reps:target_add"),
        {
            "unit": world.derby.pk,
            "kind": rep_kind("ulr").pk,
            "target": "8",
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
        follow=True,
    )
    target = RecruitmentTarget.objects.get()
    page = response.content.decode()
    assert (target.unit, target.kind, target.target) == (world.derby, rep_kind("ulr"), 8)
    assert target.created_by == world.coordinator
    assert f"Target set: 8 new ULRs, Derby City, {starts_on.day} January" in page
    assert "0 of 8" in page
    assert AuditEvent.objects.filter(target_type="recruitmenttarget", unit=world.derby).exists()


def test_target_form_explains_mistakes(world):
    response = client_for(world.coordinator).post(
        reverse("reps:target_add"),
        {"unit": world.notts.pk, "target": "0", "starts_on": "2027-12-31", "ends_on": "2027-01-01"},
    )
    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors["unit"] == ["Select a valid choice. That choice is not one of the available choices."]
    assert form.errors["target"] == ["Enter a number of reps of 1 or more"]
    assert "There is a problem" in response.content.decode()
    assert not RecruitmentTarget.objects.exists()


def test_target_form_refuses_an_end_before_the_start(world):
    response = client_for(world.coordinator).post(
        reverse("reps:target_add"),
        {"unit": world.derby.pk, "target": "3", "starts_on": "2027-12-31", "ends_on": "2027-01-01"},
    )
    assert response.context["form"].errors["ends_on"] == ["The end date must be on or after the start date."]


def test_coordinator_changes_a_target(world):
    target = derby_target(world)
    starts_on, ends_on = this_year()
    response = client_for(world.coordinator).post(
        reverse("reps:target_edit", args=[target.pk]),
        {"unit": world.derby.pk, "target": "10", "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
    )
    target.refresh_from_db()
    assert response.status_code == 302
    assert target.target == 10
    assert AuditEvent.objects.get(action=AuditEvent.Action.CHANGED).changes["fields"] == ["target"]


def test_coordinator_deletes_a_target_after_confirming(world):
    target = derby_target(world)
    client = client_for(world.coordinator)
    url = reverse("reps:target_delete", args=[target.pk])

    confirm = client.get(url)
    assert "Delete the target?" in confirm.content.decode()
    assert RecruitmentTarget.objects.exists()

    response = client.post(url, follow=True)
    assert not RecruitmentTarget.objects.exists()
    assert "Target deleted: 8 new reps, Derby City" in response.content.decode()
