"""Recruitment through learning: who counts as joined (the measure's own rule), learners who became reps or
activists, join leads and what happened to them, and the page's lists, scope and export."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.test import override_settings
from django.urls import reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.learning.models import ActivityHelper, JoinLead
from learningdesk.org.models import OrgUnit, Person
from learningdesk.reports import measures
from learningdesk.reports.models import Measure
from learningdesk.reports.recruitment import recruitment
from learningdesk.reps.models import Rep, Stage
from tests.conftest import World, client_for
from tests.factories import PersonFactory
from tests.learning import make_activity, make_session
from tests.reports import aware, learner_sign_up, rep_record

YEAR = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
URL = reverse("reports:recruitment")
PERIOD = {"period": "dates", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}


def course(unit: OrgUnit, title: str = "Maths for work", on: datetime.date = datetime.date(2026, 3, 2)):
    activity = make_activity(unit, title=title)
    return make_session(activity, starts=aware(on), capacity=100)


def non_member(branch: OrgUnit, first: str = "Nadia", last: str = "Newcomer") -> Person:
    return PersonFactory(
        branch=branch, first_name=first, last_name=last, status=Person.Status.NON_MEMBER, membership_number=None
    )


def joins(someone: Person, on: datetime.date) -> None:
    someone.status = Person.Status.MEMBER
    someone.membership_number = f"J{someone.pk:06d}"
    someone.joined_on = on
    someone.save()


def came_and_joined(unit: OrgUnit, session, *, joined_on=datetime.date(2026, 6, 1), **names) -> Person:
    someone = non_member(unit, **names)
    learner_sign_up(session, someone, was_member=False)
    joins(someone, joined_on)
    return someone


def figures(world: World, unit: OrgUnit | None = None):
    return recruitment(unit or world.derby, starts_on=YEAR[0], ends_on=YEAR[1])


# Joined --------------------------------------------------------------------------------------------------


def test_non_members_who_came_to_learning_and_joined_in_the_period_count_by_activity(world):
    maths, english = course(world.derby), course(world.derby, "English for work")
    came_and_joined(world.derby, maths)
    came_and_joined(world.derby, maths, first="Omar")
    came_and_joined(world.derby, english, first="Ola")
    result = figures(world)
    assert result.joined == 3
    assert [(row.title, row.people) for row in result.by_activity] == [("Maths for work", 2), ("English for work", 1)]


def test_joined_agrees_with_the_measure(world):
    maths = course(world.derby)
    came_and_joined(world.derby, maths)
    came_and_joined(world.derby, maths, first="Omar", joined_on=datetime.date(2025, 12, 1))  # joined before
    still_out = non_member(world.derby, first="Nell")
    learner_sign_up(maths, still_out, was_member=False)
    already = PersonFactory(branch=world.derby)
    learner_sign_up(maths, already, was_member=True)
    result = figures(world)
    measure = measures.measure_values(
        [world.derby], [Measure.RECRUITED_THROUGH_LEARNING], starts_on=YEAR[0], ends_on=YEAR[1]
    )[world.derby.pk][Measure.RECRUITED_THROUGH_LEARNING]
    assert result.joined == measure == 1


def test_another_branchs_learning_does_not_count(world):
    came_and_joined(world.notts, course(world.notts, "Notts maths"))
    assert figures(world).joined == 0
    assert figures(world, world.region).joined == 1


# Reps and activists ------------------------------------------------------------------------------------


def _added_on(rep: Rep, day: datetime.date) -> Rep:
    Rep.objects.filter(pk=rep.pk).update(created_at=aware(day))
    return rep


def test_learners_who_became_reps_after_their_first_session_count(world):
    session = course(world.derby, on=datetime.date(2026, 2, 10))
    learner, early, late = (PersonFactory(branch=world.derby) for _ in range(3))
    for someone in (learner, early, late):
        learner_sign_up(session, someone)
    _added_on(rep_record(learner, stage=Stage.AGREED), datetime.date(2026, 4, 1))
    _added_on(rep_record(early, stage=Stage.AGREED), datetime.date(2026, 1, 5))  # a rep before they came
    _added_on(rep_record(late, stage=Stage.AGREED), datetime.date(2027, 1, 5))  # after the period
    nobody = PersonFactory(branch=world.derby)  # a rep who never came to learning
    _added_on(rep_record(nobody, stage=Stage.AGREED), datetime.date(2026, 4, 1))
    assert figures(world).became_reps == 1


def test_learners_who_helped_run_a_later_activity_count_as_activists(world):
    first = course(world.derby, on=datetime.date(2026, 2, 10))
    helper, helped_before = PersonFactory(branch=world.derby), PersonFactory(branch=world.derby)
    learner_sign_up(first, helper)
    learner_sign_up(first, helped_before)
    later = course(world.derby, "Book swap", on=datetime.date(2026, 5, 1))
    earlier = course(world.derby, "Stall", on=datetime.date(2026, 1, 20))
    ActivityHelper.objects.create(activity=later.activity, person=helper, task="Staffing the table")
    ActivityHelper.objects.create(activity=earlier.activity, person=helped_before)
    assert figures(world).became_activists == 1


# Join leads --------------------------------------------------------------------------------------------


def test_join_leads_are_counted_by_what_happened_with_how_many_are_members_now(world):
    def lead(status: str, *, member: bool = False) -> JoinLead:
        someone = PersonFactory(branch=world.derby) if member else non_member(world.derby)
        created = JoinLead.objects.create(person=someone, unit=world.derby, source="sign_up", status=status)
        JoinLead.objects.filter(pk=created.pk).update(created_at=aware(datetime.date(2026, 4, 1)))
        return created

    lead(JoinLead.Status.NEW)
    lead(JoinLead.Status.CONTACTED)
    lead(JoinLead.Status.JOINED, member=True)
    lead(JoinLead.Status.NOT_NOW)
    lead(JoinLead.Status.NOT_NOW, member=True)  # joined anyway, later
    result = figures(world)
    by_status = {row.status: (row.leads, row.now_members) for row in result.leads}
    assert by_status == {"new": (1, 0), "contacted": (1, 0), "joined": (1, 1), "not_now": (2, 1)}
    assert (result.leads_total, result.leads_joined) == (5, 2)


def test_the_figures_keep_as_plain_data_for_the_committee_report(world):
    came_and_joined(world.derby, course(world.derby))
    data = figures(world).as_data()
    assert data["joined"] == 1 and data["ends_on"] == "2026-12-31"
    assert data["by_activity"][0]["title"] == "Maths for work"


def test_the_figures_take_six_queries_however_many_people(world, django_assert_max_num_queries):
    maths = course(world.derby)
    for index in range(8):
        came_and_joined(world.derby, maths, first=f"Learner{index}")
    with django_assert_max_num_queries(6):
        figures(world)


# The page ----------------------------------------------------------------------------------------------


def test_the_coordinator_sees_the_figures_and_the_people_who_joined(world):
    came_and_joined(world.derby, course(world.derby), first="Nadia", last="Newcomer")
    response = client_for(world.coordinator).get(URL, PERIOD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Recruitment through learning" in page
    assert "Nadia Newcomer" in page
    assert reverse("org:person_detail", args=[Person.objects.get(first_name="Nadia").pk]) in page


def test_a_learner_from_another_branch_is_not_named(world):
    came_and_joined(world.notts, course(world.derby), first="Nia", last="Elsewhere")
    page = client_for(world.coordinator).get(URL, PERIOD).content.decode()
    assert "Elsewhere" not in page
    assert '<span class="ld-muted">Someone from another branch</span>' in page


@pytest.mark.parametrize("tab", ["reps", "activists", "leads"])
def test_each_list_opens(world, tab):
    session = course(world.derby, on=datetime.date(2026, 2, 10))
    learner = PersonFactory(branch=world.derby, first_name="Rita", last_name="Learner")
    learner_sign_up(session, learner)
    _added_on(rep_record(learner, stage=Stage.AGREED), datetime.date(2026, 4, 1))
    ActivityHelper.objects.create(
        activity=course(world.derby, "Book swap", datetime.date(2026, 5, 1)).activity, person=learner
    )
    lead = JoinLead.objects.create(person=learner, unit=world.derby, source="evaluation")
    JoinLead.objects.filter(pk=lead.pk).update(created_at=aware(datetime.date(2026, 4, 1)))
    response = client_for(world.coordinator).get(URL, {**PERIOD, "list": tab})
    assert response.status_code == 200
    assert "Rita Learner" in response.content.decode()


@override_settings(PAGE_SIZE=2)
def test_the_list_is_paginated(world):
    maths = course(world.derby)
    for name in ("Amy", "Bea", "Cal"):
        came_and_joined(world.derby, maths, first=name, last="Joiner")
    first = client_for(world.coordinator).get(URL, PERIOD).content.decode()
    second = client_for(world.coordinator).get(URL, {**PERIOD, "page": 2}).content.decode()
    assert first.count("Joiner") == 2
    assert second.count("Joiner") == 1


def test_the_page_takes_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    maths = course(world.derby)
    client = client_for(world.coordinator)
    client.get(URL, PERIOD)
    for index in range(10):
        came_and_joined(world.derby, maths, first=f"Learner{index}")
    with django_assert_max_num_queries(16):
        assert client.get(URL, PERIOD).status_code == 200


def test_the_list_exports_with_names_only_where_visible_and_is_logged(world):
    maths = course(world.derby)
    came_and_joined(world.derby, maths, first="Nadia", last="Newcomer")
    came_and_joined(world.notts, maths, first="Nia", last="Elsewhere")
    response = client_for(world.coordinator).get(URL, {**PERIOD, "format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    names = sorted(row["Name"] for row in csv.DictReader(io.StringIO(text)))
    assert names == ["Nadia Newcomer", "Someone from another branch"]
    assert AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED).unit_id == world.derby.pk


def test_officers_may_read_it(world):
    assert client_for(world.officer).get(URL).status_code == 200


@pytest.mark.parametrize("who", ["ulr"])
def test_a_ulr_gets_404(world, who):
    assert client_for(getattr(world, who)).get(URL).status_code == 404


def test_another_branch_cannot_ask_for_derby(world):
    came_and_joined(world.derby, course(world.derby), first="Nadia", last="Newcomer")
    client = client_for(world.outsider)
    assert client.get(URL, {"unit": world.derby.pk}).status_code == 404
    assert client.get(URL, {"unit": world.derby.pk, "format": "csv"}).status_code == 404
    page = client.get(URL, PERIOD).content.decode()
    assert "Newcomer" not in page and "Derby City" not in page


def test_a_region_sees_its_branches_together(world):
    came_and_joined(world.derby, course(world.derby), first="Nadia", last="Newcomer")
    came_and_joined(world.notts, course(world.notts, "Notts maths"), first="Nia", last="Nottsjoiner")
    page = client_for(world.regional).get(URL, {**PERIOD, "unit": world.region.pk}).content.decode()
    assert "Newcomer" in page and "Nottsjoiner" in page


def test_wrong_dates_get_a_message_by_the_field(world):
    response = client_for(world.coordinator).get(URL, {"period": "dates", "starts_on": "2026-02-30"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "From must be a real date" in page
    assert "Enter the last day of the period" in page
