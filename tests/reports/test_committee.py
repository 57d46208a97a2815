"""Gathering a committee report: the snapshot's figures match the measures, each section counts the unit's own
subtree over the period, the lists are short and name nobody but reps thanked, and the steering group's report
compares the units below."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from learningdesk.employers.models import LearningAgreement, NegotiationCase, TimeOffRequest
from learningdesk.learning.models import Activity
from learningdesk.reports import committee, committee_sections
from learningdesk.reports.measures import measure_values
from learningdesk.reports.models import CommitteeReport, Measure, Target
from learningdesk.reps.models import Recognition, Stage, SupportContact
from learningdesk.surveys.models import PrivacySettings, Survey
from tests.employers import make_agreement, make_committee, make_meeting, make_time_off
from tests.factories import PersonFactory
from tests.learning import make_activity, make_session
from tests.reports import aware, learner_sign_up, rep_record
from tests.surveys import answer, make_survey

pytestmark = pytest.mark.django_db

START, END = datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)
TODAY = datetime.date(2026, 10, 12)


def gather(world, unit=None, *, kind=CommitteeReport.Kind.COMMITTEE, author=None, **changes):
    return committee.gather(
        unit=unit or world.derby,
        kind=kind,
        starts_on=changes.pop("starts_on", START),
        ends_on=changes.pop("ends_on", END),
        author=author or world.coordinator,
        today=changes.pop("today", TODAY),
        **changes,
    )


def held_on(unit, day: datetime.date, *, title: str = "Maths for work", **fields):
    activity = make_activity(unit, title=title, **fields)
    return make_session(activity, starts=aware(day), capacity=20)


def learners(session, count: int, branch) -> list:
    people = [PersonFactory(branch=branch) for _ in range(count)]
    for person in people:
        learner_sign_up(session, person)
    return people


def headline(snapshot: dict, measure: str) -> int:
    return next(row["value"] for row in snapshot["headlines"] if row["measure"] == measure)


# Periods -------------------------------------------------------------------------------------------


def test_the_default_period_is_the_last_quarter_then_since_the_last_report(world):
    assert committee.default_period(world.derby, today=datetime.date(2026, 11, 26)) == (
        datetime.date(2026, 7, 1),
        datetime.date(2026, 9, 30),
    )
    assert committee.last_quarter(datetime.date(2026, 1, 5)) == (
        datetime.date(2025, 10, 1),
        datetime.date(2025, 12, 31),
    )
    CommitteeReport.objects.create(unit=world.derby, title="Summer", starts_on=START, ends_on=END)

    assert committee.default_period(world.derby, today=datetime.date(2026, 11, 26)) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 11, 26),
    )
    # Nottingham has no report yet: its own last quarter.
    assert committee.default_period(world.notts, today=datetime.date(2026, 11, 26))[0] == START


def test_periods_are_named_as_people_say_them():
    assert committee.period_label(START, END) == "July to September 2026"
    assert committee.period_label(datetime.date(2026, 9, 1), datetime.date(2026, 9, 30)) == "September 2026"
    assert committee.period_label(datetime.date(2025, 10, 1), datetime.date(2026, 3, 31)) == (
        "October 2025 to March 2026"
    )
    assert (
        committee.period_label(datetime.date(2026, 7, 3), datetime.date(2026, 11, 26)) == "3 July to 26 November 2026"
    )


# The figures ---------------------------------------------------------------------------------------


def test_headline_figures_are_the_measures_of_the_units_subtree(world):
    learners(held_on(world.derby, datetime.date(2026, 8, 4)), 3, world.derby)
    learners(held_on(world.notts, datetime.date(2026, 8, 4)), 5, world.notts)
    learners(held_on(world.derby, datetime.date(2026, 6, 30)), 4, world.derby)  # the day before the period

    snapshot = gather(world)

    expected = measure_values([world.derby], list(Measure.values), starts_on=START, ends_on=END)[world.derby.pk]
    assert {row["measure"]: row["value"] for row in snapshot["headlines"]} == expected
    assert headline(snapshot, Measure.LEARNERS) == 3
    assert headline(gather(world, world.region), Measure.LEARNERS) == 8
    assert all(row["help"] for row in snapshot["headlines"])


def test_the_snapshot_is_plain_json(world):
    learners(held_on(world.derby, datetime.date(2026, 8, 4)), 2, world.derby)
    snapshot = gather(world, world.region, kind=CommitteeReport.Kind.STEERING, author=world.admin)
    assert json.loads(json.dumps(snapshot)) == snapshot


def test_targets_show_progress_on_the_last_day_of_the_period(world):
    Target.objects.create(
        unit=world.derby,
        measure=Measure.LEARNERS,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        value=100,
    )
    learners(held_on(world.derby, datetime.date(2026, 3, 4)), 6, world.derby)

    targets = gather(world)["targets"]

    assert targets["on"] == "2026-09-30"
    [row] = targets["rows"]
    assert (row["measure"], row["target"], row["actual"], row["expected"]) == (Measure.LEARNERS, 100, 6, 75)
    assert (row["rag"], row["rag_label"]) == ("red", "Well behind")


def test_trends_run_month_by_month_over_the_twelve_months_to_the_period_end(world):
    learners(held_on(world.derby, datetime.date(2026, 8, 4)), 2, world.derby)
    trends = gather(world)["trends"]
    assert trends["months"][0] == "2025-10-01" and trends["months"][-1] == "2026-09-01"
    series = {row["measure"]: row["values"] for row in trends["series"]}
    assert series[Measure.LEARNERS][trends["months"].index("2026-08-01")] == 2
    assert len(series[Measure.SIGN_UPS]) == 12


def test_activities_held_list_the_best_attended_and_coming_up_the_soonest(world):
    learners(held_on(world.derby, datetime.date(2026, 8, 4), title="Spanish for beginners"), 2, world.derby)
    maths = held_on(world.derby, datetime.date(2026, 7, 7), title="Maths for work")
    make_session(maths.activity, starts=aware(datetime.date(2026, 7, 14)))
    learners(maths, 5, world.derby)
    held_on(world.notts, datetime.date(2026, 8, 4), title="Nottingham book club")
    cancelled = held_on(world.derby, datetime.date(2026, 8, 5), title="Cancelled walk")
    cancelled.is_cancelled = True
    cancelled.save()
    later = held_on(world.derby, datetime.date(2026, 12, 1), title="Digital skills drop-in")
    held_on(world.derby, datetime.date(2026, 11, 1), title="Lunch and learn")
    held_on(world.derby, datetime.date(2027, 3, 1), title="Too far ahead")
    held_on(world.derby, datetime.date(2026, 11, 20), title="Draft course", status=Activity.Status.DRAFT)

    snapshot = gather(world)

    held = snapshot["held"]
    assert [(row["title"], row["sessions"], row["learners"]) for row in held["rows"]] == [
        ("Maths for work", 2, 5),
        ("Spanish for beginners", 1, 2),
    ]
    assert (held["count"], held["sessions"]) == (2, 3)
    coming = snapshot["coming_up"]
    assert (coming["starts_on"], coming["ends_on"]) == ("2026-10-13", "2027-01-12")
    assert [row["title"] for row in coming["rows"]] == ["Lunch and learn", "Digital skills drop-in"]
    assert coming["rows"][1]["places_left"] == later.capacity


def test_long_lists_are_cut_short_and_counted(world, monkeypatch):
    monkeypatch.setattr(committee, "ACTIVITIES_LISTED", 2)
    for number in range(4):
        held_on(world.derby, datetime.date(2026, 8, number + 1), title=f"Stall {number}")
    held = gather(world)["held"]
    assert (len(held["rows"]), held["count"]) == (2, 4)
    section = next(s for s in committee_sections.sections(gather(world)) if s.key == "held")
    assert section.notes == ["And 2 more activities, not listed here."]


def test_gathering_takes_the_same_queries_however_many_activities(world, django_assert_max_num_queries):
    learners(held_on(world.derby, datetime.date(2026, 8, 4)), 2, world.derby)
    with django_assert_max_num_queries(60) as few:
        gather(world)
    for number in range(15):
        learners(held_on(world.derby, datetime.date(2026, 8, 5), title=f"Course {number}"), 2, world.derby)
    with django_assert_max_num_queries(len(few.captured_queries)):
        gather(world)


# Reps and employers ----------------------------------------------------------------------------------


def test_reps_thanked_are_named_with_how_often_and_their_recognition(world):
    maria = rep_record(world.derby_person, stage=Stage.ACTIVE, agreed_on=datetime.date(2026, 7, 2))
    dev = rep_record(world.depot_person, stage=Stage.TRAINED, trained_on=datetime.date(2026, 8, 2))
    nia = rep_record(world.notts_person)
    for day in (3, 10):
        SupportContact.objects.create(rep=maria, on=datetime.date(2026, 8, day), appreciation=True)
    SupportContact.objects.create(rep=maria, on=datetime.date(2026, 8, 11), communicate=True)  # not thanks
    SupportContact.objects.create(rep=dev, on=datetime.date(2026, 6, 30), appreciation=True)  # before the period
    Recognition.objects.create(rep=dev, on=datetime.date(2026, 9, 1), kind=Recognition.Kind.NOMINATED)
    SupportContact.objects.create(rep=nia, on=datetime.date(2026, 8, 3), appreciation=True)  # Nottingham's

    snapshot = gather(world)

    thanked = snapshot["thanked"]
    assert thanked["count"] == 2
    assert [(row["name"], row["thanked"], row["recognised"]) for row in thanked["rows"]] == [
        ("Maria Alberts", 2, []),
        ("Dev Patel", 0, ["Nominated for an award"]),
    ]
    assert (headline(snapshot, Measure.REPS_RECRUITED), headline(snapshot, Measure.REPS_TRAINED)) == (1, 1)
    assert "Okafor" not in json.dumps(snapshot)


def test_employer_work_counts_agreements_meetings_time_off_and_cases(world):
    make_agreement(
        world, signed_on=datetime.date(2026, 8, 1), review_on=datetime.date(2026, 12, 1), title="Council agreement"
    )
    make_agreement(
        world, signed_on=datetime.date(2025, 1, 1), review_on=datetime.date(2026, 9, 1), title="Old agreement"
    )
    committee_ = make_committee(world)
    make_meeting(committee_, days=(datetime.date(2026, 9, 9) - timezone.localdate()).days)
    make_meeting(committee_, days=(datetime.date(2026, 10, 9) - timezone.localdate()).days)  # after the period
    make_time_off(world, requested_on=datetime.date(2026, 7, 8), decision=TimeOffRequest.Decision.APPROVED)
    refused = make_time_off(world, requested_on=datetime.date(2026, 7, 9), decision=TimeOffRequest.Decision.REFUSED)
    NegotiationCase.objects.create(
        request=refused,
        opened_on=datetime.date(2026, 7, 10),
        status=NegotiationCase.Status.CLOSED,
        outcome=NegotiationCase.Outcome.WON,
        closed_on=datetime.date(2026, 9, 1),
    )

    work = gather(world)["employers"]

    assert work["signed"]["count"] == 1
    assert work["signed"]["rows"] == [
        {"employer": "Derby City Council", "title": "Council agreement", "signed_on": "2026-08-01"}
    ]
    assert [(row["title"], row["overdue"]) for row in work["reviews"]["rows"]] == [
        ("Old agreement", True),
        ("Council agreement", False),
    ]
    assert work["meetings"]["count"] == 1
    assert (work["time_off"]["requested"], work["time_off"]["approved"], work["time_off"]["refused"]) == (2, 1, 1)
    assert Decimal(work["time_off"]["hours_asked"]) == Decimal("12")
    assert (work["cases"]["opened"], work["cases"]["closed"], work["cases"]["open_now"]) == (1, 1, 0)
    assert work["cases"]["outcomes"] == [{"label": "Time off given", "count": 1}]
    assert gather(world, world.notts, author=world.outsider)["employers"]["signed"]["count"] == 0


def test_agreements_of_another_branch_are_not_counted(world):
    agreement = make_agreement(world, signed_on=datetime.date(2026, 8, 1))
    agreement.units.set([world.notts])
    assert gather(world)["employers"]["signed"]["count"] == 0
    assert LearningAgreement.objects.count() == 1


# Surveys ---------------------------------------------------------------------------------------------


def closed_on(survey: Survey, day: datetime.date) -> Survey:
    """Answered while open, then closed on `day`."""
    survey.status, survey.closes_on = Survey.Status.CLOSED, day
    survey.save()
    return survey


def test_surveys_closed_in_the_period_show_the_answer_most_gave_once_enough_answered(world):
    PrivacySettings.objects.create(unit=world.national, threshold=3)
    enough = make_survey(world.derby, title="Learning survey")
    for _ in range(4):
        answer(enough)
    answer(enough, topic="English")
    closed_on(enough, datetime.date(2026, 9, 1))
    too_few = make_survey(world.derby, title="Digital skills check")
    answer(too_few)
    closed_on(too_few, datetime.date(2026, 8, 1))
    make_survey(world.derby, title="Still open", closes_on=datetime.date(2026, 12, 1))
    closed_on(make_survey(world.notts, title="Nottingham survey"), datetime.date(2026, 9, 1))

    surveys = gather(world)["surveys"]

    assert [row["title"] for row in surveys["rows"]] == ["Learning survey", "Digital skills check"]
    first, second = surveys["rows"]
    assert (first["enough"], first["responses"]) == (True, 5)
    assert first["questions"][0] == {
        "question": "Which would you most like to learn?",
        "answer": "Maths",
        "people": 4,
        "percent": 80,
    }
    assert (second["enough"], second["responses"], second["questions"]) == (False, None, [])
    assert "fewer than 3 people answered" in committee_sections.survey_line(second).lower()


def test_a_headline_under_the_threshold_is_not_picked_out(world):
    PrivacySettings.objects.create(unit=world.national, threshold=3)
    survey = make_survey(world.derby)
    for topic in ("Maths", "Maths", "English", "English", "Digital skills", "Digital skills"):
        answer(survey, topic=topic)
    closed_on(survey, datetime.date(2026, 9, 1))
    [row] = gather(world)["surveys"]["rows"]
    assert row["questions"][0]["answer"] is None  # every answer under 3: none may be picked out


# Equality, recruitment, budget ---------------------------------------------------------------------------


def test_equality_is_in_only_when_the_author_may_see_equality_data(world):
    for_coordinator = gather(world)["equality"]
    assert for_coordinator["included"] is False
    assert "equality officer" in for_coordinator["note"]

    for_admin = gather(world, author=world.admin)["equality"]
    assert for_admin["included"] is True
    assert {row["label"] for row in for_admin["participation"]["characteristics"]} >= {"Age", "Gender"}


def test_the_budget_and_the_request_are_in_the_report(world):
    from learningdesk.reports.models import Budget

    Budget.objects.create(unit=world.derby, starts_on=datetime.date(2026, 1, 1), from_branch=Decimal("2500.00"))
    snapshot = gather(world, budget_request="£400 for a maths tutor in the spring.")
    assert snapshot["budget"]["from_branch"] == "2500.00"
    assert snapshot["budget_request"] == "£400 for a maths tutor in the spring."
    budget = next(s for s in committee_sections.sections(snapshot) if s.key == "budget")
    assert ["From the branch", "£2,500.00"] in budget.tables[0].rows


# A steering group's progress report ------------------------------------------------------------------


def test_a_progress_report_compares_the_units_below_those_behind_first(world):
    learners(held_on(world.derby, datetime.date(2026, 8, 4)), 3, world.derby)
    learners(held_on(world.notts, datetime.date(2026, 8, 4)), 1, world.notts)
    year = {"starts_on": datetime.date(2026, 1, 1), "ends_on": datetime.date(2026, 12, 31)}
    Target.objects.create(unit=world.derby, measure=Measure.LEARNERS, value=4, **year)
    Target.objects.create(unit=world.notts, measure=Measure.LEARNERS, value=100, **year)

    snapshot = gather(world, world.region, kind=CommitteeReport.Kind.STEERING, author=world.regional)

    rows = snapshot["compared"]["rows"]
    assert [row["name"] for row in rows] == ["Nottingham Health", "Derby City"]
    assert [row["values"][Measure.LEARNERS] for row in rows] == [1, 3]
    assert (rows[0]["red"], rows[0]["worst"]) == (1, "red")
    assert rows[1]["on_track"] == 1
    charts = committee_sections.snapshot_charts(snapshot)
    section = next(s for s in committee_sections.sections(snapshot, charts=charts) if s.key == "compared")
    assert section.bullets == ["Nottingham Health: learners engaged well behind"]
    assert "<svg" in str(section.chart)


def test_a_committee_report_compares_nothing(world):
    assert "compared" not in gather(world)
