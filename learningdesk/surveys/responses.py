"""Saving answers: which questions apply (conditions), what a valid answer is, and anonymity kept in the tables.

Values, by kind of question: SINGLE a Choice id; MULTIPLE a list of Choice ids; SCALE 1-5; YES_NO True/False
(stored as 1/0 in `Answer.number`); NUMBER a Decimal; SHORT_TEXT/LONG_TEXT a string; SUBJECTS a list of
"subject:<id>" and "type:<id>" keys.

An anonymous survey's response is saved with no person, no invitation and only the date; the invitation is
marked used (and nothing else), in the same transaction, so reminders stop. Nothing here logs a token or a
person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from learningdesk.org.models import Employer, OrgUnit, Person, Workplace
from learningdesk.surveys.models import Answer, Invitation, Question, Response, Survey


class AlreadyAnswered(Exception):
    """The invitation was used: one response per invitation."""


class SurveyClosed(Exception):
    """The survey is not open today."""


@dataclass(frozen=True)
class Respondent:
    """What a response records about who answered, for breakdowns only."""

    unit: OrgUnit | None = None
    employer: Employer | None = None
    workplace: Workplace | None = None
    job_group: str = ""


def respondent_of(person: Person) -> Respondent:
    workplace = person.workplace
    return Respondent(
        unit=person.branch,
        employer=workplace.employer if workplace is not None else None,
        workplace=workplace,
        job_group=person.job_title.strip()[:120],
    )


def respondent_at(workplace: Workplace | None, unit: OrgUnit) -> Respondent:
    """A respondent by the public link, who may have said where they work."""
    if workplace is None:
        return Respondent(unit=unit)
    return Respondent(unit=workplace.branch, employer=workplace.employer, workplace=workplace)


def survey_questions(survey: Survey) -> list[Question]:
    """Every question of the survey, in order, with its choices."""
    return list(
        Question.objects.filter(section__survey=survey)
        .select_related("section", "show_if_question")
        .prefetch_related("choices")
        .order_by("section__order", "section__id", "order", "id")
    )


def _matches(value: Any, wanted: str) -> bool:
    if value is None or value == "" or value == []:
        return False
    if isinstance(value, bool):
        return ("yes" if value else "no") == wanted
    if isinstance(value, list):
        return wanted in {str(item) for item in value}
    return str(value) == wanted


def applies(question: Question, answers: dict[int, Any]) -> bool:
    """Whether the question is asked, given the answers so far (its condition, if any, is met)."""
    if question.show_if_question_id is None:
        return True
    return _matches(answers.get(question.show_if_question_id), question.show_if_value)


def clean_answers(questions: Iterable[Question], answers: dict[int, Any], *, complete: bool) -> dict[int, Any]:
    """The answers to the questions that apply, checked; a required question left empty is an error (keyed by
    "q<id>") when the response is being completed. Answers to questions that do not apply are dropped."""
    cleaned: dict[int, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        if not applies(question, cleaned):
            continue
        value = answers.get(question.pk)
        empty = value is None or value == "" or value == []
        if empty:
            if complete and question.required:
                errors[f"q{question.pk}"] = "Answer this question"
            continue
        try:
            cleaned[question.pk] = _clean_value(question, value)
        except ValueError as error:
            errors[f"q{question.pk}"] = str(error)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_value(question: Question, value: Any) -> Any:
    kind = question.kind
    choice_ids = {choice.pk for choice in question.choices.all()}
    if kind == Question.Kind.SINGLE:
        if int(value) not in choice_ids:
            raise ValueError("Choose one of the answers")
        return int(value)
    if kind == Question.Kind.MULTIPLE:
        chosen = sorted({int(item) for item in value})
        if not set(chosen) <= choice_ids:
            raise ValueError("Choose from the answers given")
        return chosen
    if kind == Question.Kind.SCALE:
        number = int(value)
        if not 1 <= number <= 5:
            raise ValueError("Choose a number from 1 to 5")
        return number
    if kind == Question.Kind.YES_NO:
        if isinstance(value, bool):
            return value
        if str(value) not in ("yes", "no"):
            raise ValueError("Choose yes or no")
        return str(value) == "yes"
    if kind == Question.Kind.NUMBER:
        try:
            return Decimal(str(value).replace(",", "").strip())
        except InvalidOperation as error:
            raise ValueError("Enter a number, like 3 or 12.5") from error
    if kind == Question.Kind.SUBJECTS:
        keys = sorted({str(item) for item in value})
        if not all(key.split(":")[0] in ("subject", "type") and key.split(":")[-1].isdigit() for key in keys):
            raise ValueError("Choose from the subjects given")
        return keys
    text = str(value).strip()
    limit = 200 if kind == Question.Kind.SHORT_TEXT else 5000
    if len(text) > limit:
        raise ValueError(f"Keep it to {limit} characters or fewer")
    return text


def _answer_rows(response: Response, question: Question, value: Any) -> list[Answer]:
    kind = question.kind
    if kind == Question.Kind.SINGLE:
        return [Answer(response=response, question=question, choice_id=value)]
    if kind == Question.Kind.MULTIPLE:
        return [Answer(response=response, question=question, choice_id=pk) for pk in value]
    if kind in (Question.Kind.SCALE, Question.Kind.NUMBER):
        return [Answer(response=response, question=question, number=Decimal(value))]
    if kind == Question.Kind.YES_NO:
        return [Answer(response=response, question=question, number=Decimal(1 if value else 0))]
    if kind == Question.Kind.SUBJECTS:
        rows = []
        for key in value:
            prefix, pk = key.split(":")
            field = "subject_id" if prefix == "subject" else "activity_type_id"
            rows.append(Answer(response=response, question=question, **{field: int(pk)}))
        return rows
    return [Answer(response=response, question=question, text=value)]


def save_response(
    *,
    survey: Survey,
    answers: dict[int, Any],
    respondent: Respondent,
    invitation: Invitation | None = None,
    complete: bool = True,
) -> Response:
    """Save a respondent's answers (checked against the questions that apply).

    Identified surveys answered by a personal link keep one response per invitation, which can be saved
    unfinished and completed later. Anonymous surveys save only complete responses, with no link to anyone.
    """
    today = timezone.localdate()
    if not survey.is_open_on(today):
        raise SurveyClosed("This survey is not open.")
    if survey.is_anonymous and not complete:
        raise ValidationError("Anonymous answers are only saved when they are sent.")
    cleaned = clean_answers(survey_questions(survey), answers, complete=complete)
    questions = {question.pk: question for question in survey_questions(survey)}
    with transaction.atomic():
        response = None
        if invitation is not None:
            invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if invitation.used:
                raise AlreadyAnswered("This invitation has been used: thank you, your answers are in.")
            if not survey.is_anonymous:
                response = Response.objects.filter(invitation=invitation).first()
        if response is None:
            identified = not survey.is_anonymous and invitation is not None
            response = Response(
                survey=survey,
                person=invitation.person if identified and invitation is not None else None,
                invitation=invitation if identified else None,
            )
        response.unit = respondent.unit
        response.employer = respondent.employer
        response.workplace = respondent.workplace
        response.job_group = respondent.job_group
        response.is_complete = complete
        response.submitted_on = today if complete else None
        response.save()
        response.answers.all().delete()
        Answer.objects.bulk_create(
            [row for pk, value in cleaned.items() for row in _answer_rows(response, questions[pk], value)]
        )
        if complete and invitation is not None:
            Invitation.objects.filter(pk=invitation.pk).update(used=True)
    return response


def saved_answers(response: Response) -> dict[int, Any]:
    """An unfinished identified response's answers, as `save_response` takes them (to resume)."""
    values: dict[int, Any] = {}
    for answer in response.answers.select_related("question"):
        kind = answer.question.kind
        pk = answer.question_id
        if kind == Question.Kind.MULTIPLE:
            values.setdefault(pk, []).append(answer.choice_id)
        elif kind == Question.Kind.SUBJECTS:
            key = f"subject:{answer.subject_id}" if answer.subject_id else f"type:{answer.activity_type_id}"
            values.setdefault(pk, []).append(key)
        elif kind == Question.Kind.SINGLE:
            values[pk] = answer.choice_id
        elif kind == Question.Kind.YES_NO:
            values[pk] = answer.number == 1
        elif kind == Question.Kind.SCALE:
            values[pk] = int(answer.number or 0)
        elif kind == Question.Kind.NUMBER:
            values[pk] = answer.number
        else:
            values[pk] = answer.text
    return values
