"""Answering a survey by its public link or a personal invitation: anonymity in the tables and in the addresses,
conditions without JavaScript, errors next to the question, save and resume, once per invitation."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learningdesk.learning.models import ActivityType, Subject
from learningdesk.surveys.models import Answer, Invitation, Response, Survey
from learningdesk.surveys.views.answer import ANONYMOUS_STATEMENT, IDENTIFIED_STATEMENT, INVITATION_KEY
from tests.surveys import choice, derby_survey, invite, make_survey, q

pytestmark = pytest.mark.django_db


def public_url(survey: Survey) -> str:
    return reverse("survey:public", kwargs={"token": survey.public_token})


def invited_url(invitation: Invitation) -> str:
    return reverse("survey:invited", kwargs={"token": invitation.token})


def form_data(survey: Survey, *, topic: str = "Maths", **extra: Any) -> dict[str, Any]:
    """POST data: the required first question answered, plus q<order>=value for others."""
    data: dict[str, Any] = {f"q{q(survey, 1).pk}": choice(survey, 1, topic).pk}
    for order, value in extra.items():
        data[f"q{q(survey, int(order.removeprefix('q'))).pk}"] = value
    return data


def open_invitation(client: Client, invitation: Invitation) -> str:
    """Follow a personal link as the respondent does: it answers with the token-less page's address."""
    response = client.get(invited_url(invitation))
    assert response.status_code == 302
    assert response["Location"] == reverse("survey:invited_form")
    return response["Location"]


# The start page -----------------------------------------------------------------------------------


def test_the_public_page_states_anonymity_plainly(world, client):
    survey = derby_survey(world)
    page = client.get(public_url(survey)).content.decode()
    assert "This survey is anonymous" in page
    assert ANONYMOUS_STATEMENT in page
    assert "Which would you most like to learn?" in page
    assert "(required)" in page


def test_the_public_page_offers_the_units_workplaces_by_name_only(world, client):
    page = client.get(public_url(derby_survey(world))).content.decode()
    assert "Council House" in page and "Stores Road Depot" in page
    assert "Queen&#x27;s Medical Centre" not in page  # Nottingham's


def test_an_identified_invitation_says_so_and_shows_only_the_first_name(world, client):
    survey = make_survey(world.derby, anonymous=False)
    invitation = invite(survey, world.derby_person)
    page = client.get(open_invitation(client, invitation)).content.decode()
    assert IDENTIFIED_STATEMENT in page
    assert "Hello Maria." in page
    assert "Alberts" not in page
    assert not world.derby_person.email or world.derby_person.email not in page


def test_an_anonymous_invitation_shows_nothing_of_the_person(world, client):
    invitation = invite(derby_survey(world), world.derby_person)
    page = client.get(open_invitation(client, invitation)).content.decode()
    assert ANONYMOUS_STATEMENT in page
    assert "Maria" not in page and "Alberts" not in page
    assert "Where do you work?" not in page  # known from the invitation, for breakdowns only


def test_the_conditions_script_is_included_and_the_condition_is_explained(world, client):
    page = client.get(public_url(derby_survey(world))).content.decode()
    assert "/static/surveys/conditions.js" in page
    assert "Only if you answered “Yes” to “Has anything stopped you learning?” above" in page
    assert f'data-show-if="q{q(derby_survey(world), 4).pk}"' in page


# Sending answers ----------------------------------------------------------------------------------


def test_a_public_anonymous_answer_stores_no_person_or_invitation(world, client):
    survey = derby_survey(world)
    data = {**form_data(survey, q2=[choice(survey, 2, "Weekends").pk], q3="4", q5="2.5"), "workplace": world.depot.pk}
    response = client.post(public_url(survey), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("survey:thanks", kwargs={"token": survey.public_token})

    saved = Response.objects.get(survey=survey)
    assert saved.person_id is None and saved.invitation_id is None
    assert saved.workplace == world.depot and saved.employer == world.council and saved.unit == world.derby
    assert saved.is_complete and saved.submitted_on == timezone.localdate()
    assert Answer.objects.get(response=saved, question=q(survey, 3)).number == 4
    assert Answer.objects.get(response=saved, question=q(survey, 5)).number == 2.5
    assert "Thank you" in client.get(response["Location"]).content.decode()


def test_an_invited_anonymous_answer_marks_the_invitation_used_and_stores_no_link(world, client):
    survey = derby_survey(world)
    invitation = invite(survey, world.derby_person)
    answering = open_invitation(client, invitation)
    assert invitation.token not in answering  # the request that sends answers carries no token

    response = client.post(answering, form_data(survey))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.used
    saved = Response.objects.get(survey=survey)
    assert saved.person_id is None and saved.invitation_id is None
    assert saved.workplace == world.town_hall  # copied for breakdowns
    assert INVITATION_KEY not in client.session


def test_a_condition_not_met_drops_its_answer_without_javascript(world, client):
    survey = derby_survey(world)
    client.post(public_url(survey), form_data(survey, q4="no", q7="My shifts"))
    saved = Response.objects.get(survey=survey)
    assert not Answer.objects.filter(response=saved, question=q(survey, 7)).exists()
    assert Answer.objects.get(response=saved, question=q(survey, 4)).number == 0


def test_a_condition_met_keeps_its_answer(world, client):
    survey = derby_survey(world)
    client.post(public_url(survey), form_data(survey, q4="yes", q7="My shifts"))
    assert Answer.objects.get(question=q(survey, 7)).text == "My shifts"


def test_subjects_and_kinds_of_learning_are_saved(world, client):
    survey = derby_survey(world)
    subject, kind = Subject.objects.first(), ActivityType.objects.filter(is_active=True).first()
    assert subject is not None and kind is not None
    client.post(public_url(survey), form_data(survey, q8=[f"subject:{subject.pk}", f"type:{kind.pk}"]))
    answers = Answer.objects.filter(question=q(survey, 8))
    assert {(a.subject_id, a.activity_type_id) for a in answers} == {(subject.pk, None), (None, kind.pk)}


def test_a_required_question_left_empty_is_shown_next_to_it(world, client):
    survey = derby_survey(world)
    response = client.post(public_url(survey), {f"q{q(survey, 6).pk}": "Porter"})
    assert response.status_code == 200
    page = response.content.decode()
    first = q(survey, 1).pk
    assert "There is a problem" in page
    assert f'<p id="id_q{first}-error" class="govuk-error-message">' in page
    assert f'href="#id_q{first}_0"' in page  # the summary links to the question
    assert f'aria-describedby="id_q{first}-error"' in page
    assert 'value="Porter"' in page  # what they typed is kept
    assert not Response.objects.exists()


def test_a_number_that_is_not_one_is_an_error_next_to_the_question(world, client):
    survey = derby_survey(world)
    response = client.post(public_url(survey), form_data(survey, q5="lots"))
    page = response.content.decode()
    assert f'id="id_q{q(survey, 5).pk}-error"' in page
    assert "Enter a number, like 3 or 12.5" in page
    assert not Response.objects.exists()


def test_an_invitation_is_answered_once(world, client):
    survey = derby_survey(world)
    invitation = invite(survey, world.derby_person)
    answering = open_invitation(client, invitation)
    other_tab = Client()
    other_tab.get(invited_url(invitation))
    client.post(answering, form_data(survey))

    second = other_tab.post(answering, form_data(survey, topic="English"))
    assert "You've already answered: thank you" in second.content.decode()
    again = client.get(invited_url(invitation))
    assert again.status_code == 200
    assert "You've already answered: thank you" in again.content.decode()
    assert Response.objects.filter(survey=survey).count() == 1


# Save and finish later ----------------------------------------------------------------------------


def test_an_identified_respondent_saves_and_resumes_by_their_personal_link(world, client):
    survey = make_survey(world.derby, anonymous=False)
    invitation = invite(survey, world.derby_person)
    answering = open_invitation(client, invitation)
    response = client.post(answering, {**form_data(survey, q6="Porter"), "later": "1"})
    assert response["Location"] == reverse("survey:saved", kwargs={"token": survey.public_token})
    assert "open your personal link" in client.get(response["Location"]).content.decode()

    unfinished = Response.objects.get(survey=survey)
    assert not unfinished.is_complete and unfinished.person == world.derby_person
    invitation.refresh_from_db()
    assert not invitation.used

    phone = Client()  # the same link, on another device
    page = phone.get(open_invitation(phone, invitation)).content.decode()
    assert 'value="Porter"' in page
    assert (
        f'value="{choice(survey, 1, "Maths").pk}" class="govuk-radios__input" id="id_q{q(survey, 1).pk}_0" checked'
        in page
    )

    phone.post(reverse("survey:invited_form"), form_data(survey, q6="Porter"))
    unfinished.refresh_from_db()
    invitation.refresh_from_db()
    assert unfinished.is_complete and invitation.used
    assert Response.objects.filter(survey=survey).count() == 1


def test_anonymous_answers_saved_for_later_stay_in_the_browser_only(world, client):
    survey = derby_survey(world)
    response = client.post(public_url(survey), {**form_data(survey, q6="Porter"), "later": "1"})
    assert response.status_code == 302
    assert "only on this device" in client.get(public_url(survey)).content.decode()
    assert not Response.objects.exists() and not Answer.objects.exists()

    assert 'value="Porter"' in client.get(public_url(survey)).content.decode()
    assert 'value="Porter"' not in Client().get(public_url(survey)).content.decode()

    client.post(public_url(survey), form_data(survey, q6="Porter"))
    assert Response.objects.get().is_complete
    assert 'value="Porter"' not in client.get(public_url(survey)).content.decode()  # the draft is gone


def test_an_anonymous_invitation_saved_for_later_keeps_no_invitation_beside_the_answers(world, client):
    survey = derby_survey(world)
    invitation = invite(survey, world.derby_person)
    answering = open_invitation(client, invitation)
    client.post(answering, {**form_data(survey, q6="Porter"), "later": "1"})
    session = client.session
    assert INVITATION_KEY not in session
    assert invitation.token not in str(dict(session))
    assert not Response.objects.exists()

    page = client.get(open_invitation(client, invitation)).content.decode()  # resumed, on this device
    assert 'value="Porter"' in page
    client.post(answering, form_data(survey, q6="Porter"))
    invitation.refresh_from_db()
    assert invitation.used
    assert Response.objects.get().invitation_id is None


def test_the_page_says_anonymous_answers_finish_later_only_on_this_device(world, client):
    page = client.get(public_url(derby_survey(world))).content.decode()
    assert "Save and finish later" in page
    assert "only on this device" in page


# Closed surveys and bad links ---------------------------------------------------------------------


def test_a_closed_survey_says_so_with_its_date_and_takes_no_answers(world, client):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    survey = make_survey(world.derby, closes_on=yesterday)
    page = client.get(public_url(survey)).content.decode()
    assert "This survey has closed" in page
    assert f"It closed on {yesterday:%a} {yesterday.day} {yesterday:%b %Y}" in page
    client.post(public_url(survey), form_data(survey))
    assert not Response.objects.exists()


def test_a_survey_not_open_yet_gives_its_opening_date(world, client):
    soon = timezone.localdate() + datetime.timedelta(days=3)
    survey = make_survey(world.derby, opens_on=soon)
    invitation = invite(survey, world.derby_person)
    for url in (public_url(survey), invited_url(invitation)):
        page = client.get(url).content.decode()
        assert "This survey is not open yet" in page
        assert f"It opens on {soon:%a} {soon.day} {soon:%b %Y}" in page


def test_a_draft_survey_is_not_open(world, client):
    survey = make_survey(world.derby, status=Survey.Status.DRAFT)
    assert "This survey is not open yet" in client.get(public_url(survey)).content.decode()


@pytest.mark.parametrize("name", ["survey:public", "survey:invited", "survey:thanks", "survey:saved"])
def test_tampered_tokens_are_a_friendly_404(world, client, name):
    survey = derby_survey(world)
    invitation = invite(survey, world.derby_person)
    token = invitation.token if name == "survey:invited" else survey.public_token
    tampered = token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")
    response = client.get(reverse(name, kwargs={"token": tampered}))
    assert response.status_code == 404
    assert "We cannot find this survey" in response.content.decode()


def test_the_public_token_is_not_a_personal_link(world, client):
    survey = derby_survey(world)
    response = client.get(reverse("survey:invited", kwargs={"token": survey.public_token}))
    assert response.status_code == 404


def test_the_answering_page_without_a_personal_link_asks_for_it(world, client):
    response = client.get(reverse("survey:invited_form"))
    assert response.status_code == 200
    assert "Open your personal link again" in response.content.decode()
    assert client.post(reverse("survey:invited_form"), {}).status_code == 200
    assert not Response.objects.exists()
