"""Roll-up, whatever the records: a unit's figure counts distinct people or records in its subtree, so it is never
more than the sum of its children's (nobody is counted twice) and never less than its largest child's."""

from __future__ import annotations

import datetime

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learningdesk.employers.models import LearningAgreement
from learningdesk.learning.models import LearningCentre
from learningdesk.reports.measures import measure_values
from learningdesk.reports.models import Measure
from learningdesk.surveys.models import Response, Survey
from tests.factories import PersonFactory
from tests.learning import make_activity, make_session
from tests.reports import aware, learner_sign_up, rep_record

DAY = datetime.date(2025, 6, 1)
BRANCHES = 3  # Derby, Nottingham (East Midlands) and Manchester (North West)
PEOPLE = 4

records = st.lists(
    st.one_of(
        st.tuples(st.just("learner"), st.integers(0, BRANCHES - 1), st.integers(0, PEOPLE - 1)),
        st.tuples(st.just("rep"), st.integers(0, PEOPLE - 1), st.sampled_from(["ulr", "tutor", "learner_champion"])),
        st.tuples(st.just("centre"), st.integers(0, BRANCHES - 1)),
        st.tuples(st.just("response"), st.integers(0, BRANCHES - 1)),
        st.tuples(st.just("agreement"), st.sets(st.integers(0, BRANCHES - 1), min_size=1)),
    ),
    max_size=12,
)
people_branches = st.lists(st.integers(0, BRANCHES - 1), min_size=PEOPLE, max_size=PEOPLE)


def _make(world, made: list[tuple], homes: list[int]) -> None:
    branches = [world.derby, world.notts, world.manchester]
    people = [PersonFactory(branch=branches[home]) for home in homes]
    sessions = [make_session(make_activity(branch), starts=aware(DAY)) for branch in branches]
    survey = Survey.objects.create(unit=world.national, title="Learning needs")
    held: set[tuple[int, int]] = set()
    reps: set[tuple[int, str]] = set()
    for record in made:
        match record:
            case ("learner", branch, person) if (branch, person) not in held:
                held.add((branch, person))
                learner_sign_up(sessions[branch], people[person])
            case ("rep", person, kind) if (person, kind) not in reps:
                reps.add((person, kind))
                rep_record(people[person], kind=kind, agreed_on=DAY, trained_on=DAY, active_on=DAY)
            case ("centre", branch):
                LearningCentre.objects.create(unit=branches[branch], name="Learning room")
            case ("response", branch):
                Response.objects.create(survey=survey, unit=branches[branch], is_complete=True, submitted_on=DAY)
            case ("agreement", covered):
                agreement = LearningAgreement.objects.create(employer=world.council, status="signed", signed_on=DAY)
                agreement.units.set([branches[index] for index in covered])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(made=records, homes=people_branches)
def test_a_parent_is_between_its_largest_child_and_the_sum_of_its_children(world, made, homes):
    with transaction.atomic():
        _make(world, made, homes)
        families = {
            world.national: [world.region, world.other_region],
            world.region: [world.derby, world.notts],
            world.other_region: [world.manchester],
        }
        units = [*families, world.derby, world.notts, world.manchester]
        found = measure_values(units, Measure.values, starts_on=DAY, ends_on=DAY)
        transaction.set_rollback(True)

    for parent, children in families.items():
        for measure in Measure.values:
            figures = [found[child.pk][measure] for child in children]
            assert max(figures) <= found[parent.pk][measure] <= sum(figures), (parent, measure)
