"""Targets: where a figure should be by today, red/amber/green at their boundaries, and the roll-up from the units
below, against actual figures that always count the subtree's distinct people."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from learningdesk.accounts.models import AuditEvent
from learningdesk.reports.models import Measure, Target
from learningdesk.reports.targets import (
    Progress,
    expected_by,
    progress_for,
    progress_of,
    rag_for,
    target_delete,
    target_save,
    targets_add_many,
    unit_rows,
)
from tests.learning import make_activity, make_session
from tests.reports import aware, learner_sign_up

START, END = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
MIDYEAR = datetime.date(2025, 6, 30)


def target(unit, value, measure=Measure.LEARNERS, starts_on=START, ends_on=END) -> Target:
    return Target.objects.create(unit=unit, measure=measure, starts_on=starts_on, ends_on=ends_on, value=value)


def attend(unit, person, day=datetime.date(2025, 3, 3)):
    learner_sign_up(make_session(make_activity(unit), starts=aware(day)), person)


# Expected by today and the status -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (datetime.date(2024, 12, 31), 0),  # before the period
        (START, 3),  # one day of 365: 3.3
        (MIDYEAR, 595),  # 181 days of 365: 595.07
        (datetime.date(2025, 7, 2), 602),  # 183 days of 365: 601.6
        (END, 1200),
        (datetime.date(2026, 3, 1), 1200),  # after it: the whole target
    ],
)
def test_expected_by_spreads_the_target_over_the_days(on, expected):
    assert expected_by(1200, START, END, on) == expected


def test_expected_by_rounds_to_the_nearest_whole_number():
    # 10 over 4 days: 2.5 after one day rounds up to 3, 5 after two, 7.5 after three rounds up to 8.
    days = [datetime.date(2025, 1, day) for day in (1, 2, 3, 4)]
    assert [expected_by(10, days[0], days[-1], day) for day in days] == [3, 5, 8, 10]


@pytest.mark.parametrize(
    ("actual", "expected", "rag"),
    [
        (100, 100, "green"),  # exactly where it should be
        (101, 100, "green"),
        (99, 100, "amber"),
        (80, 100, "amber"),  # exactly 80% of where it should be
        (79, 100, "red"),
        (0, 0, "green"),  # nothing expected yet (the period has not started)
        (4, 5, "amber"),  # 80%
        (3, 5, "red"),  # 60%
        (0, 1, "red"),
    ],
)
def test_rag_at_its_boundaries(actual, expected, rag):
    assert rag_for(actual, expected) == rag


@given(actual=st.integers(0, 10**6), expected=st.integers(0, 10**6))
def test_rag_is_green_at_or_above_expected_and_red_below_80_per_cent(actual, expected):
    rag = rag_for(actual, expected)
    assert (rag == "green") == (actual >= expected)
    assert (rag == "red") == (actual < expected * 0.8)


@given(
    value=st.integers(0, 10**6),
    length=st.integers(0, 800),
    first=st.integers(-50, 900),
    later=st.integers(0, 900),
)
def test_expected_never_falls_as_days_pass_and_stays_within_the_target(value, length, first, later):
    ends_on = START + datetime.timedelta(days=length)
    on = START + datetime.timedelta(days=first)
    before, after = (
        expected_by(value, START, ends_on, on),
        expected_by(value, START, ends_on, on + datetime.timedelta(later)),
    )
    assert 0 <= before <= after <= value


@given(actual=st.integers(0, 5000), value=st.integers(0, 5000), day=st.integers(0, 400))
def test_status_words_follow_the_figures(actual, value, day):
    progress = progress_of(
        Target(measure=Measure.LEARNERS, starts_on=START, ends_on=END, value=value),
        actual,
        on=START + datetime.timedelta(day),
    )
    assert progress.rag_label == (
        "Met" if actual >= value else {"green": "On track", "amber": "Behind", "red": "Well behind"}[progress.rag]
    )
    assert 0 <= progress.bar_value <= 100
    if value:
        assert progress.percent == actual * 100 // value


def test_a_target_of_nothing_is_met():
    progress = progress_of(Target(measure=Measure.TUTORS, starts_on=START, ends_on=END, value=0), 0, on=MIDYEAR)
    assert (progress.percent, progress.rag_label) == (100, "Met")


# Progress and the roll-up -------------------------------------------------------------------------------


def test_progress_counts_the_actual_from_the_records(world):
    target(world.derby, 10)
    attend(world.derby, world.derby_person)
    attend(world.derby, world.depot_person)

    [progress] = progress_for(world.derby, on=MIDYEAR)

    assert isinstance(progress, Progress)
    assert (progress.actual, progress.expected, progress.percent) == (2, 5, 20)
    assert progress.rag == "red" and progress.rag_label == "Well behind"
    assert not progress.is_rolled_up


def test_only_targets_whose_period_contains_the_day(world):
    target(world.derby, 10)
    target(world.derby, 20, starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31))
    target(world.derby, 5, measure=Measure.SIGN_UPS, starts_on=datetime.date(2025, 1, 1), ends_on=MIDYEAR)

    assert [(p.target.measure, p.target.value) for p in progress_for(world.derby, on=MIDYEAR)] == [
        (Measure.LEARNERS, 10),
        (Measure.SIGN_UPS, 5),
    ]
    assert [p.target.value for p in progress_for(world.derby, on=datetime.date(2025, 7, 1))] == [10]


def test_a_region_without_its_own_target_adds_up_its_branches(world):
    target(world.derby, 10)
    target(world.notts, 30)
    attend(world.derby, world.derby_person)
    attend(world.notts, world.derby_person)  # Maria learns in both branches: one learner of the region
    attend(world.notts, world.notts_person)

    [region] = progress_for(world.region, on=MIDYEAR)

    assert region.target.value == 40
    assert region.target.pk is None
    assert region.from_below == "its branches"
    assert region.actual == 2
    assert [p.actual for p in progress_for(world.notts, on=MIDYEAR)] == [2]


def test_a_units_own_target_wins_over_the_sum_below(world):
    target(world.derby, 10)
    target(world.notts, 30)
    target(world.region, 35)  # the region asks for less than its branches' plans
    target(world.manchester, 7)

    [region] = progress_for(world.region, on=MIDYEAR)
    [national] = progress_for(world.national, on=MIDYEAR)

    assert (region.target.value, region.is_rolled_up) == (35, False)
    # The nation adds up the nearest targets: the East Midlands' own 35 (not 40) and Manchester's 7.
    assert (national.target.value, national.from_below) == (42, "its regions")


def test_the_roll_up_keeps_each_measure_and_period_apart(world):
    target(world.derby, 10)
    target(world.notts, 4, measure=Measure.REPS_TRAINED)
    target(world.notts, 8, starts_on=datetime.date(2025, 4, 1), ends_on=datetime.date(2026, 3, 31))

    found = {(p.target.measure, p.target.starts_on): p.target.value for p in progress_for(world.region, on=MIDYEAR)}

    assert found == {
        (Measure.LEARNERS, START): 10,
        (Measure.LEARNERS, datetime.date(2025, 4, 1)): 8,
        (Measure.REPS_TRAINED, START): 4,
    }


def test_unit_rows_use_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    target(world.derby, 10)
    target(world.notts, 30, measure=Measure.SIGN_UPS)
    attend(world.notts, world.notts_person)
    keys = [(Measure.LEARNERS, START, END), (Measure.SIGN_UPS, START, END)]

    with django_assert_max_num_queries(4):  # targets, unit kinds, then one query for each measure
        rows = unit_rows([world.derby, world.notts, world.manchester], keys, on=MIDYEAR)

    derby, notts, manchester = rows
    assert derby.cells[0].progress.target.value == 10 and derby.cells[1].progress is None
    assert notts.cells[0].actual == 1 and notts.cells[1].progress.actual == 1
    assert manchester.worst == "" and derby.worst == "red"


# Saving --------------------------------------------------------------------------------------------------


def test_a_second_target_for_the_same_unit_measure_and_period_is_refused(world):
    target(world.derby, 10)
    duplicate = Target(unit=world.derby, measure=Measure.LEARNERS, starts_on=START, ends_on=END, value=12)

    with pytest.raises(ValidationError) as error:
        target_save(duplicate, acting_user=world.coordinator, fields=["value"])

    assert "Derby City already has a target for learners engaged from 1 January 2025 to 31 December 2025" in str(
        error.value
    )
    assert Target.objects.count() == 1


def test_saving_and_deleting_are_audited(world):
    saved = target_save(
        Target(unit=world.derby, measure=Measure.TUTORS, starts_on=START, ends_on=END, value=2),
        acting_user=world.coordinator,
        fields=["measure", "value"],
    )
    target_delete(saved, acting_user=world.coordinator)

    events = AuditEvent.objects.filter(target_type="target", unit=world.derby).order_by("at", "pk")
    assert [event.action for event in events] == [AuditEvent.Action.CREATED, AuditEvent.Action.DELETED]
    assert events[0].actor == world.coordinator
    assert saved.set_by == world.coordinator


def test_the_template_saves_all_or_nothing(world):
    target(world.derby, 10, measure=Measure.TUTORS)

    with pytest.raises(ValidationError) as error:
        targets_add_many(
            acting_user=world.coordinator,
            unit=world.derby,
            starts_on=START,
            ends_on=END,
            values={Measure.LEARNERS: 200, Measure.TUTORS: 2},
        )

    assert set(error.value.error_dict) == {Measure.TUTORS}
    assert Target.objects.count() == 1
