"""Each measure counted from small, hand-built records whose answer is known: the edges of the period, a person
counted once across two branches in the region's figure, and the unit each kind of record belongs to."""

from __future__ import annotations

import datetime

import pytest

from learningdesk.employers.models import LearningAgreement
from learningdesk.learning.models import LearningCentre, Outcome, SignUp
from learningdesk.org.models import OrgUnit, Person
from learningdesk.reports.measures import MEASURE_HELP, measure_values, monthly_values, months_of, workplace_values
from learningdesk.reports.models import Measure
from learningdesk.reps.models import Stage
from learningdesk.surveys.models import Response, Survey
from tests.factories import PersonFactory, unit
from tests.learning import make_activity, make_session, subject
from tests.reports import aware, learner_sign_up, rep_record

START, END = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
BEFORE, AFTER = datetime.date(2024, 12, 31), datetime.date(2026, 1, 1)


def values(world, measure: str, *, starts_on=START, ends_on=END) -> dict[str, int]:
    units = [world.national, world.region, world.derby, world.notts, world.other_region]
    found = measure_values(units, [measure], starts_on=starts_on, ends_on=ends_on)
    names = ("national", "region", "derby", "notts", "other_region")
    return {name: found[unit.pk][measure] for name, unit in zip(names, units, strict=True)}


def session_on(unit, day: datetime.date, hour: int = 12, minute: int = 0, **activity_fields):
    activity = make_activity(unit, **activity_fields)
    return make_session(activity, starts=aware(day, hour, minute))


def test_every_measure_says_what_it_counts():
    assert set(MEASURE_HELP) == set(Measure.values)
    assert all(text.endswith(".") and len(text) > 20 for text in MEASURE_HELP.values())


def test_learners_count_people_who_attended_in_the_period_once_each(world):
    maria, nia = world.derby_person, world.notts_person
    learner_sign_up(session_on(world.derby, START, 0, 0), maria)  # the period's first minute
    learner_sign_up(session_on(world.derby, datetime.date(2025, 6, 1)), maria)  # again: still one learner
    learner_sign_up(session_on(world.notts, END, 23, 30), maria)  # Maria learns in Nottingham too
    learner_sign_up(session_on(world.notts, END, 23, 59), nia)
    learner_sign_up(session_on(world.derby, BEFORE, 23, 59), world.depot_person)  # the day before
    learner_sign_up(session_on(world.derby, AFTER, 0, 0), world.depot_person)  # the day after
    no_show = PersonFactory(branch=world.derby)
    learner_sign_up(session_on(world.derby, datetime.date(2025, 3, 3)), no_show, status=SignUp.Status.NO_SHOW)

    assert values(world, Measure.LEARNERS) == {"national": 2, "region": 2, "derby": 1, "notts": 2, "other_region": 0}


def test_basic_skills_learners_are_those_on_functional_skills_or_esol(world):
    esol = subject("ESOL (English for speakers of other languages)")
    learner_sign_up(session_on(world.derby, datetime.date(2025, 2, 1), subject=esol), world.derby_person)
    learner_sign_up(
        session_on(world.derby, datetime.date(2025, 2, 1), subject=subject("CPD for your job")), world.depot_person
    )
    learner_sign_up(session_on(world.derby, datetime.date(2025, 2, 1), subject=None), world.notts_person)

    assert values(world, Measure.BASIC_SKILLS)["derby"] == 1
    assert values(world, Measure.LEARNERS)["derby"] == 3


def test_sign_ups_count_every_sign_up_made_in_the_period(world):
    session = session_on(world.derby, AFTER)  # held later: it is when people signed up that counts
    learner_sign_up(session, world.derby_person, status=SignUp.Status.CONFIRMED, created_at=aware(START, 0, 0))
    learner_sign_up(session, world.depot_person, status=SignUp.Status.CANCELLED, created_at=aware(END, 23, 59))
    learner_sign_up(session, world.notts_person, status=SignUp.Status.CONFIRMED, created_at=aware(BEFORE, 23, 59))

    assert values(world, Measure.SIGN_UPS)["derby"] == 2


def test_completions_and_qualifications_are_outcomes_in_the_period(world):
    activity = make_activity(world.derby)
    for day, kind in (
        (START, Outcome.Kind.COMPLETED),
        (END, Outcome.Kind.COMPLETED),
        (BEFORE, Outcome.Kind.COMPLETED),
        (datetime.date(2025, 5, 5), Outcome.Kind.QUALIFICATION),
        (AFTER, Outcome.Kind.QUALIFICATION),
        (datetime.date(2025, 5, 5), Outcome.Kind.PROGRESSION),
    ):
        Outcome.objects.create(person=world.derby_person, activity=activity, kind=kind, achieved_on=day)

    assert values(world, Measure.COMPLETIONS)["region"] == 2
    assert values(world, Measure.QUALIFICATIONS)["region"] == 1


def test_reps_recruited_and_trained_are_people_reaching_the_stage_in_the_period(world):
    maria, dev, nia = world.derby_person, world.depot_person, world.notts_person
    # Maria agreed to be a ULR and a learner champion on the first day: one person recruited.
    rep_record(maria, kind="ulr", agreed_on=START, trained_on=END, active_on=END)
    rep_record(maria, kind="learner_champion", agreed_on=START, trained_on=BEFORE, active_on=BEFORE)
    rep_record(dev, kind="ulr", stage=Stage.AGREED, agreed_on=BEFORE)
    rep_record(nia, kind="ulr", stage=Stage.TRAINED, agreed_on=END, trained_on=AFTER)

    assert values(world, Measure.REPS_RECRUITED) == {
        "national": 2, "region": 2, "derby": 1, "notts": 1, "other_region": 0
    }  # fmt: skip
    assert values(world, Measure.REPS_TRAINED)["region"] == 1


def test_active_reps_champions_and_tutors_are_counted_on_the_last_day(world):
    rep_record(world.derby_person, kind="ulr", active_on=END)
    rep_record(
        world.derby_person, kind="learner_champion", active_on=BEFORE, stood_down_on=AFTER, stage=Stage.STOOD_DOWN
    )
    rep_record(world.depot_person, kind="tutor", active_on=BEFORE, stood_down_on=END, stage=Stage.STOOD_DOWN)
    rep_record(world.notts_person, kind="tutor", active_on=AFTER)
    rep_record(PersonFactory(branch=world.notts), kind="tutor", active_on=START)

    assert values(world, Measure.ACTIVE_REPS) == {"national": 2, "region": 2, "derby": 1, "notts": 1, "other_region": 0}
    assert values(world, Measure.LEARNER_CHAMPIONS)["derby"] == 1  # stood down only after the period
    assert values(world, Measure.TUTORS) == {"national": 1, "region": 1, "derby": 0, "notts": 1, "other_region": 0}


def test_learning_centres_are_those_open_on_the_last_day(world):
    LearningCentre.objects.create(unit=world.derby, name="Council House centre", opened_on=END)
    LearningCentre.objects.create(unit=world.derby, name="Library corner")  # no dates: open
    LearningCentre.objects.create(unit=world.derby, name="Old depot room", closed_on=END)
    LearningCentre.objects.create(unit=world.derby, name="New hub", opened_on=AFTER)
    LearningCentre.objects.create(unit=world.notts, name="Hospital centre", closed_on=AFTER)

    assert values(world, Measure.LEARNING_CENTRES) == {
        "national": 3, "region": 3, "derby": 2, "notts": 1, "other_region": 0
    }  # fmt: skip


def test_survey_responses_count_where_the_respondent_works(world):
    national_survey = Survey.objects.create(unit=world.national, title="Learning needs 2025")
    derby_survey = Survey.objects.create(unit=world.derby, title="Depot skills audit")
    for survey, respondent_unit, day, complete in (
        (national_survey, world.derby, START, True),
        (national_survey, world.notts, END, True),
        (national_survey, world.notts, END, False),  # saved, not finished
        (national_survey, world.notts, AFTER, True),
        (derby_survey, world.derby, datetime.date(2025, 4, 4), True),  # did not say: recorded at the survey's unit
    ):
        Response.objects.create(
            survey=survey, unit=respondent_unit, is_complete=complete, submitted_on=day if complete else None
        )

    assert values(world, Measure.SURVEY_RESPONSES) == {
        "national": 3, "region": 3, "derby": 2, "notts": 1, "other_region": 0
    }  # fmt: skip


def test_recruited_through_learning_are_non_members_who_joined_in_the_period(world):
    session = session_on(world.derby, datetime.date(2024, 11, 1))

    def learner(joined_on, *, status=Person.Status.MEMBER, signed_up=datetime.date(2024, 10, 20)):
        person = PersonFactory(branch=world.derby, status=status, joined_on=joined_on)
        learner_sign_up(session, person, was_member=False, created_at=aware(signed_up))
        return person

    learner(datetime.date(2025, 3, 1))  # signed up in 2024 as a non-member, joined in 2025: counted
    learner(END)  # joined on the last day: counted
    learner(AFTER)  # joined after the period
    learner(BEFORE)  # joined before the period: counted in 2024
    learner(None, status=Person.Status.NON_MEMBER)  # still not a member
    learner(None, signed_up=datetime.date(2025, 2, 2))  # no joining date: the sign-up falls in the period
    learner(None)  # no joining date, and the sign-up was in 2024
    already = PersonFactory(branch=world.derby, joined_on=datetime.date(2025, 2, 2))
    learner_sign_up(session, already, was_member=True)

    assert values(world, Measure.RECRUITED_THROUGH_LEARNING)["derby"] == 3
    last_year = values(world, Measure.RECRUITED_THROUGH_LEARNING, starts_on=datetime.date(2024, 1, 1), ends_on=BEFORE)
    assert last_year["derby"] == 2


def test_an_agreement_covering_two_branches_counts_once_for_the_region(world):
    both = LearningAgreement.objects.create(employer=world.council, status="signed", signed_on=END)
    both.units.set([world.derby, world.notts])
    old = LearningAgreement.objects.create(employer=world.council, status="signed", signed_on=BEFORE)
    old.units.set([world.derby])
    LearningAgreement.objects.create(employer=world.council, status="draft")

    assert values(world, Measure.AGREEMENTS_SIGNED) == {
        "national": 1, "region": 1, "derby": 1, "notts": 1, "other_region": 0
    }  # fmt: skip


def test_months_of_a_period_are_cut_to_it():
    assert months_of(datetime.date(2025, 1, 15), datetime.date(2025, 3, 10)) == [
        (datetime.date(2025, 1, 15), datetime.date(2025, 1, 31)),
        (datetime.date(2025, 2, 1), datetime.date(2025, 2, 28)),
        (datetime.date(2025, 3, 1), datetime.date(2025, 3, 10)),
    ]
    assert months_of(datetime.date(2024, 12, 31), datetime.date(2025, 1, 1)) == [
        (datetime.date(2024, 12, 31), datetime.date(2024, 12, 31)),
        (datetime.date(2025, 1, 1), datetime.date(2025, 1, 1)),
    ]


def test_monthly_values_give_every_month_with_zeros(world, django_assert_max_num_queries):
    learner_sign_up(session_on(world.derby, datetime.date(2025, 3, 31), 23, 0), world.derby_person)
    learner_sign_up(session_on(world.derby, datetime.date(2025, 5, 1), 0, 30), world.derby_person)
    learner_sign_up(session_on(world.derby, datetime.date(2025, 5, 9)), world.depot_person)
    rep_record(world.derby_person, active_on=datetime.date(2025, 2, 10), stood_down_on=datetime.date(2025, 4, 1))

    with django_assert_max_num_queries(2):
        series = monthly_values(
            world.derby,
            [Measure.LEARNERS, Measure.ACTIVE_REPS],
            starts_on=datetime.date(2025, 1, 1),
            ends_on=datetime.date(2025, 6, 30),
        )

    months = [datetime.date(2025, month, 1) for month in range(1, 7)]
    assert series[Measure.LEARNERS] == list(zip(months, [0, 0, 1, 0, 2, 0], strict=True))
    # Active on the last day of February and March; stood down on 1 April.
    assert series[Measure.ACTIVE_REPS] == list(zip(months, [0, 1, 1, 0, 0, 0], strict=True))
    assert list(series) == [Measure.LEARNERS, Measure.ACTIVE_REPS]


def test_each_month_is_the_measure_over_that_month(world, django_assert_max_num_queries):
    """monthly_values groups by month, measure_values filters by period: the same definition either way, also
    for a session just after midnight on the first of a summer month (23:30 the day before in UTC)."""
    maria, dev = world.derby_person, world.depot_person
    learner_sign_up(session_on(world.derby, datetime.date(2025, 7, 1), 0, 30), maria, created_at=aware(START, 0, 5))
    learner_sign_up(session_on(world.derby, datetime.date(2025, 6, 30), 23, 30), dev, was_member=False)
    learner_sign_up(session_on(world.derby, datetime.date(2025, 8, 31), 23, 59), maria)
    Outcome.objects.create(person=maria, activity=make_activity(world.derby), kind="completed", achieved_on=END)
    rep_record(dev, agreed_on=datetime.date(2025, 3, 1), trained_on=datetime.date(2025, 4, 30), active_on=START)
    dev.joined_on = datetime.date(2025, 7, 1)
    dev.save()
    periods = months_of(START, END)

    with django_assert_max_num_queries(len(Measure.values)):
        series = monthly_values(world.derby, Measure.values, starts_on=START, ends_on=END)

    for measure in Measure.values:
        expected = [
            measure_values([world.derby], [measure], starts_on=first, ends_on=last)[world.derby.pk][measure]
            for first, last in periods
        ]
        assert [value for _month, value in series[measure]] == expected, measure
    assert [value for _month, value in series[Measure.LEARNERS]][5:8] == [1, 1, 1]


def test_workplace_values_count_each_workplace_of_the_branch(world):
    learner_sign_up(
        session_on(world.derby, datetime.date(2025, 2, 2)), world.derby_person
    )  # works at the Council House
    learner_sign_up(session_on(world.derby, datetime.date(2025, 2, 2)), world.depot_person)
    learner_sign_up(session_on(world.derby, datetime.date(2025, 2, 3)), world.depot_person)
    learner_sign_up(session_on(world.notts, datetime.date(2025, 2, 2)), world.depot_person)  # Nottingham's course
    rep = rep_record(world.derby_person, active_on=START)
    rep.workplaces.add(world.depot)  # covers both workplaces
    LearningCentre.objects.create(unit=world.derby, name="Depot learning room", workplace=world.depot)

    found = workplace_values(
        world.derby,
        [Measure.LEARNERS, Measure.ACTIVE_REPS, Measure.LEARNING_CENTRES, Measure.AGREEMENTS_SIGNED],
        starts_on=START,
        ends_on=END,
    )

    assert found == {
        world.town_hall.pk: {Measure.LEARNERS: 1, Measure.ACTIVE_REPS: 1, Measure.LEARNING_CENTRES: 0},
        world.depot.pk: {Measure.LEARNERS: 1, Measure.ACTIVE_REPS: 1, Measure.LEARNING_CENTRES: 1},
    }


@pytest.mark.parametrize("branches", [2, 12])
def test_the_number_of_queries_does_not_grow_with_the_units(world, branches, django_assert_max_num_queries):
    for n in range(branches):
        unit(f"Branch {n}", f"EM-B{n}", world.region)
    units = list(OrgUnit.objects.filter(depth=3))  # read again: new branches sorted by name move the others' paths
    learner_sign_up(session_on(world.derby, datetime.date(2025, 2, 2)), world.derby_person)

    # One query for each measure, however many units.
    with django_assert_max_num_queries(len(Measure.values)):
        found = measure_values(units, Measure.values, starts_on=START, ends_on=END)

    assert found[world.derby.pk][Measure.LEARNERS] == 1
    assert len(found) == len(units)
