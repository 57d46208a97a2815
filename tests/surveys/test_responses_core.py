"""Saving answers: conditions, validation, one response per invitation, and anonymity in the tables."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from learningdesk.surveys import responses
from learningdesk.surveys.models import Answer, Invitation, Response, Survey
from tests.surveys import answer, invite, make_survey, q


def test_an_anonymous_response_has_no_link_to_the_person_or_the_invitation(world):
    survey = make_survey(world.derby)
    invitation = invite(survey, world.derby_person)
    response = answer(survey, world.derby_person, invitation=invitation)

    response.refresh_from_db()
    assert response.person_id is None and response.invitation_id is None
    assert response.workplace == world.town_hall  # kept for breakdowns, in aggregate only
    invitation.refresh_from_db()
    assert invitation.used
    # Nothing in the invitation's row says when or which response: its columns are as they were but "used".
    assert {f.name for f in Invitation._meta.concrete_fields} == {
        "id",
        "survey",
        "person",
        "token",
        "sent_at",
        "reminded_at",
        "used",
        "created_at",
    }
    assert not [f for f in Response._meta.concrete_fields if f.name in ("submitted_at", "created_at")]


def test_an_invitation_is_answered_once(world):
    survey = make_survey(world.derby)
    invitation = invite(survey, world.derby_person)
    answer(survey, world.derby_person, invitation=invitation)
    with pytest.raises(responses.AlreadyAnswered):
        answer(survey, world.derby_person, invitation=invitation)


def test_an_identified_response_can_be_saved_and_completed_later(world):
    survey = make_survey(world.derby, anonymous=False)
    invitation = invite(survey, world.derby_person)
    respondent = responses.respondent_of(world.derby_person)
    draft = responses.save_response(
        survey=survey,
        answers={q(survey, 6).pk: "Caretaker"},
        respondent=respondent,
        invitation=invitation,
        complete=False,
    )
    assert not draft.is_complete and draft.person == world.derby_person
    assert responses.saved_answers(draft) == {q(survey, 6).pk: "Caretaker"}
    with pytest.raises(ValidationError):  # the first question is required
        responses.save_response(survey=survey, answers={}, respondent=respondent, invitation=invitation)
    done = answer(survey, world.derby_person, invitation=invitation)
    assert done.pk == draft.pk and done.is_complete


def test_a_question_whose_condition_is_not_met_is_not_asked_and_its_answer_dropped(world):
    survey = make_survey(world.derby)
    response = answer(survey, q4=False, q7="Childcare")
    assert not Answer.objects.filter(response=response, question=q(survey, 7)).exists()
    response = answer(survey, q4=True, q7="Childcare")
    assert Answer.objects.get(response=response, question=q(survey, 7)).text == "Childcare"


def test_a_closed_survey_takes_no_answers(world):
    survey = make_survey(world.derby, status=Survey.Status.CLOSED)
    with pytest.raises(responses.SurveyClosed):
        answer(survey)


def test_bad_answers_are_explained_by_question(world):
    survey = make_survey(world.derby)
    with pytest.raises(ValidationError) as error:
        answer(survey, q3=9, q5="lots")
    assert set(error.value.message_dict) == {f"q{q(survey, 3).pk}", f"q{q(survey, 5).pk}"}
