"""Learners' outcomes: completed, a qualification, a step on; only for people who attended."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.learning import outcomes
from learningdesk.learning.models import Outcome
from tests.conftest import client_for
from tests.factories import PersonFactory
from tests.learning import derby_activity, derby_session, derby_sign_up, sign_up
from tests.learning.urls_register import attended, derby_attended, derby_outcome

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def add_url(activity, person) -> str:
    return reverse("learning:outcome_add", args=[activity.pk]) + f"?person={person.pk}"


def qualification(**fields) -> dict:
    return {
        "kind": Outcome.Kind.QUALIFICATION,
        "achieved_on": TODAY().isoformat(),
        "qualification_name": "Functional Skills Mathematics",
        "qualification_level": "1",
        "awarding_body": "City & Guilds",
        "progression": "",
        "notes": "",
        **fields,
    }


# Services ---------------------------------------------------------------------------------------


def test_an_outcome_is_recorded_for_someone_who_attended(world):
    record = derby_attended(world)
    outcome = outcomes.outcome_add(
        acting_user=world.coordinator,
        activity=record.session.activity,
        person=record.person,
        data={"kind": Outcome.Kind.COMPLETED, "achieved_on": TODAY()},
    )
    assert (outcome.kind, outcome.recorded_by) == ("completed", world.coordinator)
    assert AuditEvent.objects.filter(target_type="outcome", target_id=outcome.pk, action="created").exists()


def test_someone_who_only_booked_cannot_have_an_outcome(world):
    record = derby_sign_up(world)  # confirmed, never ticked in the register
    with pytest.raises(ValidationError, match="did not attend"):
        outcomes.outcome_add(
            acting_user=world.coordinator,
            activity=record.session.activity,
            person=record.person,
            data={"kind": Outcome.Kind.COMPLETED, "achieved_on": TODAY()},
        )
    assert not Outcome.objects.exists()


def test_a_qualification_needs_its_name_level_body_and_date(world):
    record = derby_attended(world)
    with pytest.raises(ValidationError) as caught:
        outcomes.outcome_add(
            acting_user=world.coordinator,
            activity=record.session.activity,
            person=record.person,
            data={"kind": Outcome.Kind.QUALIFICATION, "achieved_on": None},
        )
    assert set(caught.value.message_dict) == {
        "qualification_name",
        "qualification_level",
        "awarding_body",
        "achieved_on",
    }


def test_a_progression_needs_its_kind_and_other_kinds_keep_no_qualification(world):
    record = derby_attended(world)
    activity = record.session.activity
    with pytest.raises(ValidationError) as caught:
        outcomes.outcome_add(
            acting_user=None,
            activity=activity,
            person=record.person,
            data={"kind": "progression", "achieved_on": TODAY()},
        )
    assert list(caught.value.message_dict) == ["progression"]
    outcome = outcomes.outcome_add(
        acting_user=None,
        activity=activity,
        person=record.person,
        data={"kind": "progression", "progression": "new_job", "achieved_on": TODAY(), "qualification_name": "Stray"},
    )
    assert (outcome.progression, outcome.qualification_name) == ("new_job", "")


def test_marking_everyone_completed_skips_those_who_did_not_come_and_those_already_done(world):
    record = derby_attended(world)
    session = record.session
    attended(sign_up(session, world.depot_person))
    sign_up(session, PersonFactory(first_name="Bo", last_name="Booked", branch=world.derby))
    outcomes.outcome_add(
        acting_user=None,
        activity=session.activity,
        person=world.derby_person,
        data={"kind": "completed", "achieved_on": TODAY()},
    )

    created = outcomes.mark_all_completed(acting_user=world.coordinator, activity=session.activity)

    assert [outcome.person for outcome in created] == [world.depot_person]
    assert Outcome.objects.filter(kind="completed").count() == 2


# Screens ----------------------------------------------------------------------------------------


def test_the_outcomes_page_lists_only_people_who_attended(world, coordinator_client):
    record = derby_attended(world)
    sign_up(record.session, world.depot_person)  # booked, not ticked
    derby_outcome(world)

    page = coordinator_client.get(reverse("learning:outcomes", args=[record.session.activity_id])).content.decode()

    assert "Maria Alberts" in page
    assert "Dev Patel" not in page
    assert "Completed" in page


def test_the_outcomes_page_needs_no_more_queries_for_more_learners(
    world, coordinator_client, django_assert_max_num_queries
):
    session = derby_session(world)
    for n in range(8):
        record = attended(sign_up(session, PersonFactory(first_name=f"L{n}", last_name="Learner", branch=world.derby)))
        Outcome.objects.create(person=record.person, activity=session.activity, kind="completed")
    with django_assert_max_num_queries(16):
        response = coordinator_client.get(reverse("learning:outcomes", args=[session.activity_id]))
    assert response.status_code == 200
    assert response.content.decode().count("L7 Learner") >= 1


def test_a_qualification_is_recorded_from_the_form(world, coordinator_client):
    record = derby_attended(world)
    activity = record.session.activity

    response = coordinator_client.post(add_url(activity, record.person), qualification())

    assert response.status_code == 302
    outcome = Outcome.objects.get()
    assert (outcome.qualification_name, outcome.qualification_level, outcome.awarding_body) == (
        "Functional Skills Mathematics",
        "1",
        "City & Guilds",
    )


def test_a_qualification_without_its_name_is_refused_next_to_the_field(world, coordinator_client):
    record = derby_attended(world)

    response = coordinator_client.post(
        add_url(record.session.activity, record.person), qualification(qualification_name="")
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_qualification_name-error"' in page
    assert "Enter the name of the qualification" in page
    assert not Outcome.objects.exists()


def test_a_future_date_is_refused(world, coordinator_client):
    record = derby_attended(world)
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    response = coordinator_client.post(
        add_url(record.session.activity, record.person), {"kind": "completed", "achieved_on": tomorrow}
    )
    assert "The date it was achieved must be today or in the past" in response.content.decode()
    assert not Outcome.objects.exists()


def test_no_outcome_form_for_someone_who_did_not_attend(world, coordinator_client):
    record = derby_sign_up(world)
    url = add_url(record.session.activity, record.person)
    assert coordinator_client.get(url).status_code == 404
    assert coordinator_client.post(url, {"kind": "completed", "achieved_on": TODAY().isoformat()}).status_code == 404
    assert not Outcome.objects.exists()


def test_the_bulk_action_marks_everyone_who_attended_completed(world, coordinator_client):
    record = derby_attended(world)
    response = coordinator_client.post(reverse("learning:outcomes_completed", args=[record.session.activity_id]))
    assert response.status_code == 302
    assert Outcome.objects.get().person == world.derby_person


def test_an_outcome_is_deleted_after_confirming(world, coordinator_client):
    outcome = derby_outcome(world)
    url = reverse("learning:outcome_delete", args=[outcome.pk])
    assert "Delete this outcome?" in coordinator_client.get(url).content.decode()
    assert coordinator_client.post(url).status_code == 302
    assert not Outcome.objects.exists()
    assert AuditEvent.objects.filter(target_type="outcome", action="deleted").exists()


def test_a_branch_officer_sees_outcomes_but_cannot_record_or_delete_them(world):
    outcome = derby_outcome(world)
    client = client_for(world.officer)
    activity = outcome.activity
    page = client.get(reverse("learning:outcomes", args=[activity.pk])).content.decode()
    assert "Maria Alberts" in page
    assert "Add an outcome" not in page
    assert client.post(add_url(activity, outcome.person), qualification()).status_code == 404
    assert client.post(reverse("learning:outcome_delete", args=[outcome.pk])).status_code == 404
    assert client.post(reverse("learning:outcomes_completed", args=[activity.pk])).status_code == 404
    assert Outcome.objects.count() == 1


def test_another_branch_cannot_see_or_record_outcomes(world, outsider_client):
    record = derby_attended(world)
    activity = derby_activity(world)
    assert outsider_client.get(reverse("learning:outcomes", args=[activity.pk])).status_code == 404
    assert outsider_client.post(add_url(activity, record.person), qualification()).status_code == 404
    assert not Outcome.objects.exists()
