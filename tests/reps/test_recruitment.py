"""Recruitment figures and targets: the selectors and services behind the recruitment page."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from learningdesk.accounts.models import AuditEvent
from learningdesk.reps import recruitment, services
from learningdesk.reps.models import Barrier, Method, Motivation, RecruitmentTarget, Rep, Source, Stage
from learningdesk.reps.recruitment import Period, TargetStatus
from tests.factories import PersonFactory
from tests.reps import days_ago, make_rep, rep_kind

LAST_100_DAYS = Period(days_ago(99), days_ago(0))


def derby_person(world, **kwargs):
    return PersonFactory(branch=world.derby, workplace=world.town_hall, **kwargs)


def move(rep: Rep, stage: str, days: int, **kwargs) -> Rep:
    return services.rep_move(acting_user=None, rep=rep, stage=stage, on=days_ago(days), **kwargs)


def champion(world, *, added: int, stage: str = Stage.PROSPECT, person=None, **data) -> Rep:
    """A learner champion (no statutory notification) added `added` days ago."""
    return make_rep(person or derby_person(world), kind="learner_champion", stage=stage, on=days_ago(added), **data)


def funnel(reps=None, period=LAST_100_DAYS) -> dict[str, tuple[int, int | None]]:
    summary = recruitment.summary(reps=reps if reps is not None else Rep.objects.all(), period=period)
    return {step.key: (step.count, step.rate) for step in summary.funnel}


# The funnel --------------------------------------------------------------------------------------


def test_funnel_counts_reps_whose_milestones_fall_in_the_period(world):
    earlier_prospect = champion(world, added=200)
    move(earlier_prospect, Stage.AGREED, 150)
    move(earlier_prospect, Stage.TRAINED, 50)  # notified is skipped: reached the same day
    new_prospect = champion(world, added=60)
    move(new_prospect, Stage.AGREED, 40)
    champion(world, added=30)
    champion(world, added=300, stage=Stage.ACTIVE)

    assert funnel() == {
        "prospects": (2, None),
        "agreed": (1, 50),
        "notified": (1, 100),
        "trained": (1, 100),
        "active": (0, 0),
    }


def test_funnel_counts_prospects_on_the_date_they_were_added_not_the_day_they_were_typed_in(world):
    champion(world, added=400, stage=Stage.ACTIVE)  # an existing rep, entered today
    assert funnel()["prospects"] == (0, None)
    assert funnel(period=Period(days_ago(400), days_ago(400)))["prospects"] == (1, None)


def test_funnel_counts_a_ulr_notified_in_the_period(world):
    make_rep(derby_person(world), stage=Stage.NOTIFIED, on=days_ago(10), workplaces=[world.town_hall])
    counts = funnel()
    assert counts["agreed"][0] == counts["notified"][0] == 1
    assert counts["trained"][0] == 0


def test_funnel_rate_is_left_blank_after_an_empty_step(world):
    champion(world, added=300, stage=Stage.TRAINED)
    move(Rep.objects.get(), Stage.ACTIVE, 5)
    counts = funnel()
    assert counts["trained"] == (0, None)
    assert counts["active"] == (1, None)


def test_funnel_of_an_empty_period_is_all_zero(world):
    summary = recruitment.summary(reps=Rep.objects.all(), period=LAST_100_DAYS)
    assert summary.is_empty
    assert [step.count for step in summary.funnel] == [0, 0, 0, 0, 0]


def test_summary_counts_prospects_who_gave_reasons_in_their_own_words(world):
    champion(world, added=10, motivation_notes="I love helping people", barrier_notes="My manager")
    champion(world, added=10, motivation_notes="Something to do")
    champion(world, added=200, motivation_notes="Outside the period")
    summary = recruitment.summary(reps=Rep.objects.all(), period=LAST_100_DAYS)
    assert (summary.motivation_notes, summary.barrier_notes) == (2, 1)


def test_funnel_counts_only_the_reps_it_is_given(world):
    champion(world, added=10)
    make_rep(world.notts_person, kind="learner_champion", on=days_ago(10))
    derby_only = Rep.objects.filter(person__branch=world.derby)
    assert funnel(derby_only)["prospects"] == (1, None)


# Sources and methods ---------------------------------------------------------------------------


def test_prospects_by_source_most_first_with_how_far_they_got(world):
    reached_trained = champion(world, added=50, source=Source.COURSE_ATTENDEE)
    move(reached_trained, Stage.TRAINED, 20)
    reached_agreed = champion(world, added=50, source=Source.COURSE_ATTENDEE)
    move(reached_agreed, Stage.AGREED, 20)
    champion(world, added=50, source=Source.COURSE_ATTENDEE)
    champion(world, added=50, source=Source.APPRENTICE)
    champion(world, added=50)
    champion(world, added=300, source=Source.APPRENTICE)  # before the period

    rows = recruitment.by_origin(reps=Rep.objects.all(), period=LAST_100_DAYS, field="source")

    assert [(row.label, row.prospects, row.agreed, row.trained, row.active) for row in rows] == [
        ("Attended a union course", 3, 2, 1, 0),
        ("An apprentice", 1, 0, 0, 0),
        ("Not recorded", 1, 0, 0, 0),
    ]


def test_prospects_by_method_use_the_handbooks_labels(world):
    champion(world, added=5, method=Method.STALL)
    champion(world, added=5, method=Method.STALL)
    champion(world, added=5, method=Method.ALL_MEMBER_EMAIL)
    rows = recruitment.by_origin(reps=Rep.objects.all(), period=LAST_100_DAYS, field="method")
    assert [(row.code, row.label, row.prospects) for row in rows] == [
        ("stall", "At a learning stall", 2),
        ("all_member_email", "An all-member email", 1),
    ]


# Motivations, barriers and standing down -------------------------------------------------------


def add_with_reasons(world, *, added: int, motivations=(), barriers=()) -> Rep:
    return services.rep_add(
        acting_user=None,
        person=derby_person(world),
        kind=rep_kind("learner_champion"),
        on=days_ago(added),
        motivations=motivations,
        barriers=barriers,
    )


def test_barriers_and_motivations_are_counted_most_common_first(world):
    add_with_reasons(world, added=5, motivations=[Motivation.HELPING_PEOPLE], barriers=[Barrier.NO_TIME])
    add_with_reasons(world, added=5, barriers=[Barrier.NO_TIME, Barrier.NO_MANAGER_SUPPORT])
    add_with_reasons(world, added=5, motivations=[Motivation.GIVE_BACK], barriers=[Barrier.NO_TIME])
    add_with_reasons(world, added=300, barriers=[Barrier.TOO_SCARY])  # before the period

    reasons = recruitment.reasons(reps=Rep.objects.all(), period=LAST_100_DAYS)

    assert [(row.label, row.count) for row in reasons.barriers] == [
        ("Doesn't have the time", 3),
        ("Won't get their manager's support", 1),
    ]
    assert [(row.code, row.count) for row in reasons.motivations] == [("helping_people", 1), ("give_back", 1)]


def test_stood_down_in_the_period_by_reason(world):
    for reason in ("no_time", "no_time", "left_employer"):
        move(champion(world, added=200), Stage.STOOD_DOWN, 10, reason=reason)
    move(champion(world, added=200), Stage.STOOD_DOWN, 150, reason="retired")  # before the period

    rows = recruitment.stood_down(reps=Rep.objects.all(), period=LAST_100_DAYS)

    assert [(row.label, row.count) for row in rows] == [("No time", 2), ("Left the employer or moved job", 1)]


# Targets ---------------------------------------------------------------------------------------

YEAR_2024 = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
MID_2024 = datetime.date(2024, 7, 2)  # the 184th of 366 days: half the year gone


def target(unit, how_many: int, kind: str | None = None, period=YEAR_2024) -> RecruitmentTarget:
    return RecruitmentTarget.objects.create(
        unit=unit, kind=rep_kind(kind) if kind else None, starts_on=period[0], ends_on=period[1], target=how_many
    )


def agreed_in_2024(world, count: int, *, kind: str = "learner_champion", branch=None, month: int = 3) -> None:
    for _ in range(count):
        make_rep(
            PersonFactory(branch=branch or world.derby),
            kind=kind,
            stage=Stage.AGREED,
            on=datetime.date(2024, month, 1),
            workplaces=[],
        )


def progress(targets, today=MID_2024):
    return recruitment.targets_progress(reps=Rep.objects.all(), targets=targets, today=today)


def test_target_counts_reps_who_agreed_in_its_period(world):
    eight = target(world.derby, 8)
    agreed_in_2024(world, 4)
    make_rep(PersonFactory(branch=world.derby), kind="tutor", stage=Stage.AGREED, on=datetime.date(2023, 12, 31))
    make_rep(PersonFactory(branch=world.derby), kind="coordinator", on=datetime.date(2024, 5, 1))  # a prospect

    [result] = progress([eight])

    assert (result.recruited, result.percent) == (4, 50)
    assert result.status == TargetStatus.ON_TRACK


def test_target_behind_when_short_of_an_even_pace(world):
    eight = target(world.derby, 8)
    agreed_in_2024(world, 3)
    [result] = progress([eight])
    assert result.status == TargetStatus.BEHIND
    assert result.expected == 4  # 8 * 184 / 366 = 4.02


def test_target_met_once_reached(world):
    two = target(world.derby, 2)
    agreed_in_2024(world, 3)
    [result] = progress([two])
    assert (result.status, result.percent) == (TargetStatus.MET, 150)


def test_target_of_one_kind_counts_only_that_kind(world):
    ulrs = target(world.derby, 2, kind="ulr")
    any_kind = target(world.derby, 2)
    agreed_in_2024(world, 1, kind="ulr")
    agreed_in_2024(world, 1, kind="digital_champion")
    assert [item.recruited for item in progress([ulrs, any_kind])] == [1, 2]


def test_target_counts_the_units_below_it_and_nothing_beside_it(world):
    regional = target(world.region, 5)
    derby = target(world.derby, 5)
    notts = target(world.notts, 5)
    agreed_in_2024(world, 2)
    agreed_in_2024(world, 1, branch=world.notts)
    agreed_in_2024(world, 1, branch=world.manchester)
    assert [item.recruited for item in progress([regional, derby, notts])] == [3, 2, 1]


def test_targets_progress_takes_one_query_however_many_targets(world, django_assert_num_queries):
    targets = [target(world.derby, n) for n in range(1, 6)]
    with django_assert_num_queries(1):
        progress(targets)


@pytest.mark.parametrize(
    ("recruited", "today", "status"),
    [
        (0, datetime.date(2023, 12, 31), TargetStatus.ON_TRACK),  # not started
        (0, datetime.date(2024, 1, 1), TargetStatus.ON_TRACK),
        (7, datetime.date(2024, 12, 30), TargetStatus.ON_TRACK),  # 7.98 expected: seven whole reps
        (7, datetime.date(2024, 12, 31), TargetStatus.BEHIND),  # the last day: all eight were due
        (7, datetime.date(2025, 3, 1), TargetStatus.BEHIND),  # ended short
        (8, datetime.date(2024, 2, 1), TargetStatus.MET),
    ],
)
def test_target_status_against_the_share_of_the_period_gone(recruited, today, status):
    share = Period(*YEAR_2024).share_elapsed(today)
    assert recruitment.target_status(recruited=recruited, target=8, share_elapsed=share) == status


def test_periods():
    today = datetime.date(2027, 3, 3)
    assert Period.year_of(today) == Period(datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    assert Period.twelve_months_to(today) == Period(datetime.date(2026, 3, 4), today)
    assert Period.twelve_months_to(datetime.date(2028, 2, 29)).starts_on == datetime.date(2027, 3, 1)


# Target services -------------------------------------------------------------------------------


def target_data(world, **changes):
    return {
        "unit": world.derby,
        "kind": rep_kind("ulr"),
        "starts_on": datetime.date(2027, 1, 1),
        "ends_on": datetime.date(2027, 12, 31),
        "target": 8,
        **changes,
    }


def test_target_create_saves_and_audits_for_the_unit(world):
    created = recruitment.target_create(acting_user=world.coordinator, data=target_data(world))
    event = AuditEvent.objects.get(target_type="recruitmenttarget", target_id=created.pk)
    assert str(created) == "8 new ULRs"
    assert created.created_by == world.coordinator
    assert (event.action, event.unit_id, event.actor) == (AuditEvent.Action.CREATED, world.derby.pk, world.coordinator)
    assert event.changes["target"] == 8


def test_target_create_refuses_an_end_before_the_start(world):
    data = target_data(world, ends_on=datetime.date(2026, 12, 31))
    with pytest.raises(ValidationError) as error:
        recruitment.target_create(acting_user=world.coordinator, data=data)
    assert "ends_on" in error.value.message_dict
    assert not RecruitmentTarget.objects.exists()


def test_target_update_audits_what_changed(world):
    created = recruitment.target_create(acting_user=world.coordinator, data=target_data(world))
    created.target = 10  # as a ModelForm would have done already
    recruitment.target_update(acting_user=world.coordinator, target=created, data=target_data(world, target=10))
    created.refresh_from_db()
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGED)
    assert created.target == 10
    assert event.changes["fields"] == ["target"]


def test_target_delete_removes_it_and_leaves_a_note(world):
    created = recruitment.target_create(acting_user=world.coordinator, data=target_data(world))
    recruitment.target_delete(acting_user=world.coordinator, target=created)
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELETED)
    assert not RecruitmentTarget.objects.exists()
    assert (event.unit_id, event.changes["name"]) == (world.derby.pk, "8 new ULRs")
