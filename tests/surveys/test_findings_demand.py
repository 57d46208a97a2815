"""Demand from a survey's findings: what people asked to learn, and an activity that invites those who asked
(identified respondents who agreed to hear about learning, and only them)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.learning.models import Activity
from learningdesk.org.models import Consent, Person
from learningdesk.surveys import findings
from learningdesk.surveys.models import PrivacySettings, Survey
from tests.conftest import client_for
from tests.factories import PersonFactory
from tests.learning import activity_type, in_days, make_activity, make_session, subject
from tests.surveys import answer, derby_survey, invite, make_survey


def wants(*names: str) -> list[str]:
    return [f"subject:{subject(name).pk}" for name in names]


def agrees(person: Person, *, withdrawn: bool = False) -> Person:
    Consent.objects.create(
        person=person,
        kind=Consent.Kind.LEARNING_NEWS,
        given=True,
        method=Consent.Method.ONLINE,
        withdrawn_at=person.created_at if withdrawn else None,
    )
    return person


def respond(survey: Survey, person: Person, *subjects: str) -> None:
    answer(survey, person, invitation=invite(survey, person), q8=wants(*subjects))


@pytest.fixture
def skills_audit(world) -> Survey:
    """Derby's identified survey (threshold 3). Maths: Maria (agrees to learning news), Dev (has not agreed),
    Wendy (withdrew), Nobby (agrees, no email address). Digital skills only: Dan (agrees)."""
    PrivacySettings.objects.create(unit=world.national, threshold=3)
    survey = make_survey(world.derby, title="Skills audit", anonymous=False)
    respond(survey, agrees(world.derby_person), "Functional skills maths", "Digital skills")
    respond(survey, world.depot_person, "Functional skills maths")
    wendy = agrees(PersonFactory(first_name="Wendy", branch=world.derby, workplace=world.depot), withdrawn=True)
    respond(survey, wendy, "Functional skills maths")
    nobby = agrees(PersonFactory(first_name="Nobby", email="", branch=world.derby, workplace=world.depot))
    respond(survey, nobby, "Functional skills maths")
    dan = agrees(PersonFactory(first_name="Dan", branch=world.derby, workplace=world.town_hall))
    respond(survey, dan, "Digital skills")
    return survey


def maths_url(survey: Survey) -> str:
    return reverse("surveys:demand_activity", args=[survey.pk, subject("Functional skills maths").pk])


def test_demand_counts_who_asked_most_asked_first_per_unit_and_workplace(world, skills_audit, coordinator_client):
    demand = findings.survey_demand(world.coordinator, skills_audit)
    assert [(w.label, w.people, w.hidden) for w in demand.subjects] == [
        ("Functional skills maths", 4, False),
        ("Digital skills", 2, True),
    ]
    assert [(w.place, w.label, w.people) for w in demand.by_workplace] == [
        ("Stores Road Depot", "Functional skills maths", 3),
        ("Council House", "Digital skills", 2),
        ("Council House", "Functional skills maths", 1),
    ]
    assert [(w.place, w.label, w.hidden) for w in demand.by_unit][:1] == [
        ("Derby City", "Functional skills maths", False)
    ]
    page = coordinator_client.get(reverse("surveys:demand", args=[skills_audit.pk])).content.decode()
    assert "fewer than 3" in page
    assert maths_url(skills_audit) in page
    for name in ("Alberts", "Patel", "Wendy", "Dan"):
        assert name not in page  # nobody who answered is named


def test_no_breakdown_by_place_until_the_survey_has_the_threshold_of_responses(world, coordinator_client):
    survey = derby_survey(world)
    answer(survey, world.derby_person, q8=wants("Languages"))
    demand = findings.survey_demand(world.coordinator, survey)
    assert [(w.label, w.hidden) for w in demand.subjects] == [("Languages", True)]
    assert demand.by_unit == demand.by_workplace == []


def test_a_draft_activity_is_made_in_the_subject_people_asked_for(world, skills_audit, coordinator_client):
    url = maths_url(skills_audit)
    page = coordinator_client.get(url).content.decode()
    assert "1 of them agreed to hear about learning" in page
    response = coordinator_client.post(
        url,
        {
            "title": "Maths for work",
            "description": "Six lunchtime sessions.",
            "type": activity_type("Functional skills").pk,
            "unit": world.derby.pk,
        },
    )
    activity = Activity.objects.get(title="Maths for work")
    assert response["Location"] == f"{url}?activity={activity.pk}"
    assert activity.status == Activity.Status.DRAFT
    assert activity.subject == subject("Functional skills maths")
    assert activity.unit == world.derby
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATED, target_id=activity.pk).exists()
    assert mail.outbox == []  # nobody hears until it is published
    assert "Publish and invite 1 person" in coordinator_client.get(response["Location"]).content.decode()


def test_a_missing_title_is_shown_next_to_the_field_and_nothing_is_made(world, skills_audit, coordinator_client):
    response = coordinator_client.post(
        maths_url(skills_audit),
        {"title": "", "description": "Six sessions.", "type": activity_type().pk, "unit": world.derby.pk},
    )
    assert response.status_code == 200
    assert "Enter title" in response.content.decode()
    assert not Activity.objects.exists()


def test_publishing_invites_only_consenting_identified_respondents_who_asked(world, skills_audit, coordinator_client):
    activity = make_activity(world.derby, status=Activity.Status.DRAFT, subject=subject("Functional skills maths"))
    response = coordinator_client.post(maths_url(skills_audit), {"activity": activity.pk})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PUBLISHED
    assert [message.to for message in mail.outbox] == [[world.derby_person.email]]
    message = mail.outbox[0]
    assert "Maths for work" in message.subject
    assert "dates to follow" in message.body
    assert "/learn/em-derby/" in message.body
    assert "dates to follow" in message.alternatives[0][0]


def test_with_a_session_the_invitation_gives_its_date_and_links_to_the_activity(
    world, skills_audit, coordinator_client
):
    activity = make_activity(world.derby, status=Activity.Status.DRAFT, subject=subject("Functional skills maths"))
    make_session(activity, starts=in_days(10))
    coordinator_client.post(maths_url(skills_audit), {"activity": activity.pk})
    body = mail.outbox[0].body
    assert "dates to follow" not in body
    assert reverse("learn:activity", kwargs={"code": "em-derby", "pk": activity.pk}) in body
    assert "UK time" in body


def test_an_activity_is_published_and_invited_once(world, skills_audit, coordinator_client):
    activity = make_activity(world.derby, subject=subject("Functional skills maths"))  # already published
    response = coordinator_client.post(maths_url(skills_audit), {"activity": activity.pk}, follow=True)
    assert "already published" in response.content.decode()
    assert mail.outbox == []


def test_nobody_is_invited_from_an_anonymous_survey(world, coordinator_client):
    survey = derby_survey(world)
    agrees(world.derby_person)
    answer(survey, world.derby_person, q8=wants("Functional skills maths"))
    url = maths_url(survey)
    assert "nobody who asked can be invited" in coordinator_client.get(url).content.decode()
    activity = make_activity(world.derby, status=Activity.Status.DRAFT, subject=subject("Functional skills maths"))
    coordinator_client.post(url, {"activity": activity.pk})
    activity.refresh_from_db()
    assert activity.is_published
    assert mail.outbox == []


def test_another_branchs_activity_cannot_be_published_from_here(world, skills_audit, coordinator_client):
    theirs = make_activity(world.notts, status=Activity.Status.DRAFT, subject=subject("Functional skills maths"))
    assert coordinator_client.post(maths_url(skills_audit), {"activity": theirs.pk}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Activity.Status.DRAFT


def test_a_subject_nobody_asked_for_answers_404(world, skills_audit, coordinator_client):
    url = reverse("surveys:demand_activity", args=[skills_audit.pk, subject("Languages").pk])
    assert coordinator_client.get(url).status_code == 404


def test_ulrs_and_officers_cannot_make_activities_from_demand(world, skills_audit):
    for user in (world.ulr, world.officer):
        client = client_for(user)
        assert client.get(reverse("surveys:demand", args=[skills_audit.pk])).status_code == 404
        response = client.post(
            maths_url(skills_audit),
            {"title": "Hijack", "description": "x", "type": activity_type().pk, "unit": world.derby.pk},
        )
        assert response.status_code == 404
    assert not Activity.objects.exists()
    assert mail.outbox == []


def test_the_demand_page_takes_a_fixed_number_of_queries(
    world, skills_audit, coordinator_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        assert coordinator_client.get(reverse("surveys:demand", args=[skills_audit.pk])).status_code == 200
