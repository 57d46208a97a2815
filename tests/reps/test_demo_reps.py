"""The demo's ULR network (reps/demo.py), built with the small demo organisation."""

from __future__ import annotations

import dataclasses
import datetime
import random

import pytest
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.org import demo
from learningdesk.org.models import Person
from learningdesk.reps import demo as reps_demo
from learningdesk.reps.models import (
    MILESTONE_FIELDS,
    STAGE_ORDER,
    Action,
    EmployerNotification,
    FacilityAllowance,
    MeetingInvite,
    RecruitmentTarget,
    Rep,
    RepMeeting,
    RepReason,
    Stage,
    stage_index,
    training_deadline,
)
from tests.conftest import client_for

SMALL = dataclasses.replace(demo.SIZES["branch"], people=300)


@pytest.fixture
def small_demo(db):
    return demo.build_demo(size=SMALL)


def today() -> datetime.date:
    return timezone.localdate()


def test_each_demo_ulr_login_signs_in_as_a_person_with_a_trained_or_active_ulr_record(small_demo):
    for login in (*demo.DEMO_LOGINS, *demo.EXTRA_ULR_LOGINS):
        if not login.workplaces:
            continue
        user = User.objects.select_related("person__workplace").get(email=login.email)
        assert user.person is not None, login.email
        assert user.person.workplace.name == login.workplaces[0]
        rep = Rep.objects.get(person=user.person, kind__code="ulr")
        assert rep.stage in (Stage.TRAINED, Stage.ACTIVE)
        assert sorted(rep.workplaces.values_list("name", flat=True)) == sorted(login.workplaces)


def test_the_demo_has_reps_and_prospects_at_every_stage_with_where_they_came_from(small_demo):
    assert Rep.objects.count() == len(reps_demo.DEMO_REPS) + 8  # and the eight ULR logins
    assert set(Rep.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert not Rep.objects.filter(source="").exists() and not Rep.objects.filter(method="").exists()
    prospects = Rep.objects.filter(stage__in=(Stage.PROSPECT, Stage.APPROACHED, Stage.AGREED))
    for rep in prospects:
        assert rep.barrier_notes and rep.reasons.filter(kind=RepReason.Kind.BARRIER).exists(), rep
    motivated = RepReason.objects.filter(kind=RepReason.Kind.MOTIVATION).values("rep").distinct()
    assert motivated.count() == Rep.objects.count()


def test_demo_history_is_what_the_services_would_have_recorded(small_demo):
    for rep in Rep.objects.select_related("kind").prefetch_related("stage_changes", "notifications"):
        steps = [(change.stage, change.on) for change in rep.stage_changes.all()]
        assert steps[-1] == (rep.stage, rep.stage_on), rep
        passed = [stage for stage, _on in steps if stage != Stage.STOOD_DOWN]
        assert passed == sorted(passed, key=stage_index), rep
        assert [on for _stage, on in steps] == sorted(on for _stage, on in steps)
        reached = [getattr(rep, MILESTONE_FIELDS[Stage(s)]) for s in STAGE_ORDER[1:] if Stage(s) in MILESTONE_FIELDS]
        dates = [day for day in reached if day is not None]
        assert dates == sorted(dates), rep
        assert rep.stage_on <= today()
        if rep.kind.has_statutory_rights and rep.notified_on:
            assert rep.training_due_by == training_deadline(rep.notified_on)
            (notice,) = rep.notifications.all()
            assert notice.sent_on == rep.notified_on
            assert notice.letter["rep_name"] == rep.person.full_name
        else:
            assert rep.training_due_by is None


def test_trained_reps_have_their_course_and_booked_reps_a_course_ahead(small_demo):
    for rep in Rep.objects.filter(trained_on__isnull=False):
        assert rep.training.filter(is_initial=True, completed=True, on=rep.trained_on).exists()
    for rep in Rep.objects.filter(stage=Stage.TRAINING_BOOKED):
        assert rep.training.filter(is_initial=True, completed=False, on__gt=today()).exists()


def test_training_deadlines_one_due_in_20_days_one_in_50_and_one_overdue(small_demo):
    owing = Rep.objects.filter(training_due_by__isnull=False, trained_on__isnull=True).exclude(stage=Stage.STOOD_DOWN)
    days_left = sorted(rep.days_to_deadline() for rep in owing)
    assert -12 in days_left and 20 in days_left and 50 in days_left


def test_champions_a_digital_champion_and_a_tutor(small_demo):
    working = Rep.objects.filter(stage__in=(Stage.TRAINED, Stage.ACTIVE))
    assert working.filter(kind__code="learner_champion").count() >= 3
    assert working.filter(kind__code="digital_champion").count() == 1
    assert working.filter(kind__code="tutor").count() == 1


def test_some_reps_have_had_no_contact_for_60_days_and_some_actions_are_overdue(small_demo):
    last_contact = Rep.objects.filter(stage=Stage.ACTIVE).annotate(last=Max("support_contacts__on"))
    left_alone = [rep for rep in last_contact if rep.last and (today() - rep.last).days >= 60]
    assert len(left_alone) >= 2
    assert Action.objects.filter(done_on__isnull=True, due_on__lt=today()).count() >= 3
    assert Action.objects.filter(done_on__isnull=False).exists()


def test_a_past_ulr_meeting_with_attendance_and_one_coming_up(small_demo):
    past, upcoming = RepMeeting.objects.order_by("starts_at")
    assert past.starts_at < timezone.now() < upcoming.starts_at
    attendance = set(past.invites.values_list("attendance", flat=True))
    assert MeetingInvite.Attendance.ATTENDED in attendance
    assert set(upcoming.invites.values_list("attendance", flat=True)) == {MeetingInvite.Attendance.INVITED}
    assert past.actions.count() == 2


def test_facility_time_over_three_months_and_one_rep_with_an_allowance_but_no_time(small_demo):
    allowances = FacilityAllowance.objects.select_related("rep")
    assert allowances.count() >= 8
    unused = [allowance.rep for allowance in allowances if not allowance.rep.time_entries.exists()]
    assert len(unused) == 1
    earliest = min(entry.on for allowance in allowances for entry in allowance.rep.time_entries.all())
    assert (today() - earliest).days > 60


def test_each_demo_branch_aims_for_8_new_ulrs_this_year(small_demo):
    targets = RecruitmentTarget.objects.select_related("kind", "unit")
    assert sorted(target.unit.code for target in targets) == sorted(reps_demo.DEMO_BRANCHES)
    assert {(target.target, target.kind.code, target.starts_on.year) for target in targets} == {
        (8, "ulr", today().year)
    }


def test_the_demo_map_shows_workplaces_with_reps_and_gaps(small_demo):
    response = client_for(User.objects.get(email="coordinator@example.org")).get(reverse("reps:mapping"))
    summary = response.context["summary"]
    assert 0 < summary.without_rep < summary.workplaces


def test_reps_spread_over_any_organisation_at_workplaces_where_the_people_work(small_demo):
    before = Rep.objects.count()
    made = reps_demo.spread_reps(count=40, rng=random.Random(1), today=today(), log=lambda message: None)
    assert made == 40 == Rep.objects.count() - before
    spread = Rep.objects.order_by("-pk")[:40]
    for rep in spread:
        assert rep.workplaces.get() == rep.person.workplace
        assert rep.person.status == Person.Status.MEMBER
        assert rep.stage_changes.order_by("-on", "-pk").first().stage == rep.stage
    assert EmployerNotification.objects.filter(rep__in=spread).exists()


def test_a_national_sized_demo_spreads_a_thousand_reps(db):
    assert reps_demo.reps_for(1_000_000) >= 1_000
    assert reps_demo.reps_for(3_000) == 0
