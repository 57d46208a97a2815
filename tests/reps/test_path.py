"""A rep's path and the TULRCA s.168A training deadline: the rule at its edges, and the services that move reps."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from learningdesk.reps import services
from learningdesk.reps.models import (
    DeadlineStatus,
    Rep,
    Stage,
    StageChange,
    StandDownReason,
    deadline_status,
    training_deadline,
)
from tests.reps import days_ago, make_rep, rep_kind

D = datetime.date

# The deadline: six months on, the same day, or the month's last day when it is shorter -----------------


@pytest.mark.parametrize(
    ("notified_on", "due_by"),
    [
        (D(2027, 8, 31), D(2028, 2, 29)),  # into a leap February
        (D(2026, 8, 31), D(2027, 2, 28)),  # into an ordinary February
        (D(2028, 2, 29), D(2028, 8, 29)),  # from a leap day
        (D(2026, 11, 30), D(2027, 5, 30)),
        (D(2027, 5, 31), D(2027, 11, 30)),  # November has 30 days
        (D(2026, 12, 31), D(2027, 6, 30)),
        (D(2026, 3, 15), D(2026, 9, 15)),
        (D(2026, 7, 31), D(2027, 1, 31)),  # across the year end
    ],
)
def test_training_deadline_is_six_months_on_or_the_months_last_day(notified_on, due_by):
    assert training_deadline(notified_on) == due_by


def test_a_deadline_is_not_overdue_the_day_before():
    assert deadline_status(D(2028, 2, 29), D(2028, 2, 28)) == DeadlineStatus.DAYS_7


def test_a_deadline_is_not_overdue_on_the_day_itself():
    assert deadline_status(D(2028, 2, 29), D(2028, 2, 29)) == DeadlineStatus.DAYS_7


def test_a_deadline_is_overdue_the_day_after():
    assert deadline_status(D(2028, 2, 29), D(2028, 3, 1)) == DeadlineStatus.OVERDUE


@pytest.mark.parametrize(
    ("days_left", "status"),
    [
        (61, DeadlineStatus.ON_TRACK),
        (60, DeadlineStatus.DAYS_60),
        (31, DeadlineStatus.DAYS_60),
        (30, DeadlineStatus.DAYS_30),
        (8, DeadlineStatus.DAYS_30),
        (7, DeadlineStatus.DAYS_7),
        (1, DeadlineStatus.DAYS_7),
        (0, DeadlineStatus.DAYS_7),
        (-1, DeadlineStatus.OVERDUE),
    ],
)
def test_deadline_warnings_start_at_60_30_and_7_days(days_left, status):
    due_by = D(2027, 2, 28)
    assert deadline_status(due_by, due_by - datetime.timedelta(days=days_left)) == status


def test_no_deadline_has_no_warning():
    assert deadline_status(None, D(2027, 1, 1)) == DeadlineStatus.NONE


def test_60_days_before_a_leap_day_deadline_counts_the_leap_day():
    # 29 February 2028 is 60 days after 31 December 2027 (31 + 29).
    assert deadline_status(D(2028, 2, 29), D(2027, 12, 31)) == DeadlineStatus.DAYS_60
    assert deadline_status(D(2028, 2, 29), D(2027, 12, 30)) == DeadlineStatus.ON_TRACK


# Adding reps ------------------------------------------------------------------------------------------


def test_adding_a_rep_at_a_later_stage_fills_the_milestones_it_skipped(world):
    on = days_ago(100)
    rep = make_rep(world.derby_person, stage=Stage.ACTIVE, on=on, by=world.coordinator)
    assert (rep.approached_on, rep.agreed_on, rep.trained_on, rep.active_on) == (on, on, on, on)
    assert rep.stood_down_on is None


def test_adding_a_prospect_records_the_first_step_of_their_path(world):
    rep = make_rep(world.derby_person, by=world.coordinator)
    step = rep.stage_changes.get()
    assert (step.stage, step.recorded_by) == (Stage.PROSPECT, world.coordinator)
    assert rep.approached_on is None


def test_a_person_cannot_hold_the_same_role_twice(world):
    make_rep(world.derby_person)
    with pytest.raises(ValidationError) as error:
        make_rep(world.derby_person)
    assert "kind" in error.value.error_dict


def test_a_person_may_hold_two_different_roles(world):
    make_rep(world.derby_person)
    make_rep(world.derby_person, kind="learner_champion")
    assert Rep.objects.filter(person=world.derby_person).count() == 2


def test_a_ulr_cannot_be_added_as_notified_without_the_notice(world):
    with pytest.raises(ValidationError) as error:
        services.rep_add(acting_user=None, person=world.derby_person, kind=rep_kind("ulr"), stage=Stage.NOTIFIED)
    assert "stage" in error.value.error_dict


# Moving along the path --------------------------------------------------------------------------------


def test_moving_keeps_the_history_of_every_step(world):
    rep = make_rep(world.derby_person, on=days_ago(20))
    services.rep_move(
        acting_user=world.coordinator, rep=rep, stage=Stage.APPROACHED, on=days_ago(10), note="At a stall"
    )
    services.rep_move(acting_user=world.coordinator, rep=rep, stage=Stage.AGREED, on=days_ago(5))
    rep.refresh_from_db()
    steps = list(rep.stage_changes.values_list("stage", "on", "note"))
    assert steps == [
        (Stage.PROSPECT, days_ago(20), ""),
        (Stage.APPROACHED, days_ago(10), "At a stall"),
        (Stage.AGREED, days_ago(5), ""),
    ]
    assert (rep.approached_on, rep.agreed_on, rep.stage) == (days_ago(10), days_ago(5), Stage.AGREED)


def test_skipping_stages_gives_them_the_same_date(world):
    rep = make_rep(world.derby_person, kind="learner_champion", on=days_ago(20))
    services.rep_move(acting_user=None, rep=rep, stage=Stage.TRAINED, on=days_ago(3))
    rep.refresh_from_db()
    assert rep.approached_on == rep.agreed_on == rep.trained_on == days_ago(3)
    assert rep.active_on is None


def test_a_rep_cannot_move_backward(world):
    rep = make_rep(world.derby_person, stage=Stage.AGREED)
    with pytest.raises(ValidationError) as error:
        services.rep_move(acting_user=None, rep=rep, stage=Stage.APPROACHED, on=days_ago(1))
    assert "stage" in error.value.error_dict


def test_a_rep_cannot_move_to_the_stage_they_are_at(world):
    rep = make_rep(world.derby_person, stage=Stage.AGREED)
    with pytest.raises(ValidationError):
        services.rep_move(acting_user=None, rep=rep, stage=Stage.AGREED, on=days_ago(1))


def test_standing_down_needs_a_reason(world):
    rep = make_rep(world.derby_person, stage=Stage.ACTIVE)
    with pytest.raises(ValidationError) as error:
        services.rep_move(acting_user=None, rep=rep, stage=Stage.STOOD_DOWN, on=days_ago(1))
    assert "reason" in error.value.error_dict


def test_standing_down_records_the_date_and_reason_from_any_stage(world):
    rep = make_rep(world.derby_person, stage=Stage.APPROACHED)
    services.rep_move(acting_user=None, rep=rep, stage=Stage.STOOD_DOWN, on=days_ago(1), reason=StandDownReason.NO_TIME)
    rep.refresh_from_db()
    assert (rep.stage, rep.stood_down_on, rep.stood_down_reason) == (Stage.STOOD_DOWN, days_ago(1), "no_time")
    assert rep.agreed_on is None


def test_a_rep_who_stood_down_cannot_move_on(world):
    rep = make_rep(world.derby_person, stage=Stage.APPROACHED)
    services.rep_move(acting_user=None, rep=rep, stage=Stage.STOOD_DOWN, on=days_ago(1), reason="personal")
    with pytest.raises(ValidationError):
        services.rep_move(acting_user=None, rep=rep, stage=Stage.ACTIVE, on=days_ago(0))


def test_a_rep_who_stood_down_may_be_added_again(world):
    rep = make_rep(world.derby_person, stage=Stage.APPROACHED)
    services.rep_move(acting_user=None, rep=rep, stage=Stage.STOOD_DOWN, on=days_ago(1), reason="personal")
    again = make_rep(world.derby_person, on=days_ago(0))
    assert again.pk != rep.pk


def test_a_move_cannot_be_dated_in_the_future(world):
    rep = make_rep(world.derby_person)
    with pytest.raises(ValidationError) as error:
        services.rep_move(acting_user=None, rep=rep, stage=Stage.APPROACHED, on=days_ago(-1))
    assert "on" in error.value.error_dict


def test_a_move_cannot_be_dated_before_the_current_stage(world):
    rep = make_rep(world.derby_person, on=days_ago(5))
    with pytest.raises(ValidationError) as error:
        services.rep_move(acting_user=None, rep=rep, stage=Stage.APPROACHED, on=days_ago(6))
    assert "on" in error.value.error_dict


def test_a_ulr_reaches_notified_only_through_the_notice(world):
    rep = make_rep(world.derby_person, stage=Stage.AGREED)
    with pytest.raises(ValidationError) as error:
        services.rep_move(acting_user=None, rep=rep, stage=Stage.NOTIFIED, on=days_ago(1))
    assert "stage" in error.value.error_dict


def test_a_role_without_statutory_rights_may_be_moved_to_notified(world):
    rep = make_rep(world.derby_person, kind="learner_champion", stage=Stage.AGREED)
    services.rep_move(acting_user=None, rep=rep, stage=Stage.NOTIFIED, on=days_ago(1))
    rep.refresh_from_db()
    assert rep.stage == Stage.NOTIFIED
    assert rep.training_due_by is None


# The notice to the employer -------------------------------------------------------------------------


def _notify(world, rep, sent_on):
    return services.rep_notify(
        acting_user=world.coordinator,
        rep=rep,
        employer=world.council,
        sent_on=sent_on,
        contact={"contact_name": "Pat Manager"},
    )


def test_the_notice_starts_the_six_month_deadline(world):
    rep = make_rep(world.derby_person, stage=Stage.AGREED, on=days_ago(60))
    _notify(world, rep, days_ago(30))
    rep.refresh_from_db()
    assert rep.stage == Stage.NOTIFIED
    assert rep.notified_on == days_ago(30)
    assert rep.training_due_by == training_deadline(days_ago(30))
    assert rep.stage_changes.filter(stage=Stage.NOTIFIED).count() == 1


def test_the_deadline_runs_from_the_first_notice_not_a_later_one(world):
    rep = make_rep(world.derby_person, stage=Stage.AGREED, on=days_ago(60))
    _notify(world, rep, days_ago(40))
    _notify(world, rep, days_ago(10))
    rep.refresh_from_db()
    assert rep.notified_on == days_ago(40)
    assert rep.training_due_by == training_deadline(days_ago(40))
    assert rep.stage_changes.filter(stage=Stage.NOTIFIED).count() == 1


def test_an_earlier_notice_recorded_later_moves_the_deadline_back(world):
    rep = make_rep(world.derby_person, stage=Stage.AGREED, on=days_ago(60))
    _notify(world, rep, days_ago(10))
    _notify(world, rep, days_ago(40))
    rep.refresh_from_db()
    assert rep.training_due_by == training_deadline(days_ago(40))


def test_a_notice_cannot_be_dated_in_the_future(world):
    rep = make_rep(world.derby_person, stage=Stage.AGREED)
    with pytest.raises(ValidationError):
        _notify(world, rep, days_ago(-1))


def test_a_notified_ulr_past_six_months_is_overdue(world):
    rep = make_rep(world.derby_person, stage=Stage.AGREED, on=days_ago(400))
    _notify(world, rep, days_ago(200))
    rep.refresh_from_db()
    assert rep.owes_training
    assert rep.deadline_status() == DeadlineStatus.OVERDUE


# Training ---------------------------------------------------------------------------------------------


def test_booking_the_initial_course_moves_them_to_training_booked(world):
    rep = make_rep(world.derby_person, stage=Stage.NOTIFIED, on=days_ago(30))
    services.training_add(
        acting_user=None, rep=rep, data={"course": "ULR stage 1", "on": days_ago(-20), "is_initial": True}
    )
    rep.refresh_from_db()
    assert rep.stage == Stage.TRAINING_BOOKED
    assert rep.owes_training


def test_completing_the_initial_course_makes_them_trained_and_ends_the_deadline(world):
    rep = make_rep(world.derby_person, stage=Stage.NOTIFIED, on=days_ago(30))
    services.training_add(
        acting_user=None,
        rep=rep,
        data={"course": "ULR stage 1", "on": days_ago(2), "is_initial": True, "completed": True},
    )
    rep.refresh_from_db()
    assert (rep.stage, rep.trained_on) == (Stage.TRAINED, days_ago(2))
    assert not rep.owes_training
    assert rep.deadline_status() == DeadlineStatus.NONE


def test_completing_a_booked_course_later_makes_them_trained(world):
    rep = make_rep(world.derby_person, stage=Stage.NOTIFIED, on=days_ago(30))
    record = services.training_add(
        acting_user=None, rep=rep, data={"course": "ULR stage 1", "on": days_ago(2), "is_initial": True}
    )
    services.training_update(acting_user=None, record=record, data={"completed": True})
    rep.refresh_from_db()
    assert rep.stage == Stage.TRAINED
    assert not rep.owes_training


def test_another_course_does_not_change_their_stage(world):
    rep = make_rep(world.derby_person, stage=Stage.NOTIFIED, on=days_ago(30))
    services.training_add(
        acting_user=None, rep=rep, data={"course": "Mental health first aid", "on": days_ago(2), "completed": True}
    )
    rep.refresh_from_db()
    assert rep.stage == Stage.NOTIFIED
    assert rep.owes_training


def test_a_course_in_the_future_cannot_be_completed(world):
    rep = make_rep(world.derby_person, stage=Stage.NOTIFIED, on=days_ago(30))
    with pytest.raises(ValidationError) as error:
        services.training_add(
            acting_user=None, rep=rep, data={"course": "ULR stage 1", "on": days_ago(-3), "completed": True}
        )
    assert "completed" in error.value.error_dict


def test_every_step_of_a_full_path_is_kept(world):
    rep = make_rep(world.derby_person, on=days_ago(90))
    services.rep_move(acting_user=None, rep=rep, stage=Stage.AGREED, on=days_ago(80))
    _notify(world, rep, days_ago(70))
    services.training_add(
        acting_user=None,
        rep=rep,
        data={"course": "ULR stage 1", "on": days_ago(20), "is_initial": True, "completed": True},
    )
    services.rep_move(acting_user=None, rep=rep, stage=Stage.ACTIVE, on=days_ago(10))
    stages = list(StageChange.objects.filter(rep=rep).values_list("stage", flat=True))
    assert stages == [Stage.PROSPECT, Stage.AGREED, Stage.NOTIFIED, Stage.TRAINED, Stage.ACTIVE]
