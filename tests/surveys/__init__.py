"""Helpers for the surveys' tests: a survey with a question of each kind, and responses made through the service."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from learningdesk.org.models import OrgUnit, Person
from learningdesk.surveys import responses
from learningdesk.surveys.models import Choice, Invitation, Question, Response, Section, Survey
from tests.conftest import World
from tests.learning import catalogue


def make_survey(
    unit: OrgUnit,
    *,
    title: str = "What would you like to learn?",
    anonymous: bool = True,
    status: str = Survey.Status.OPEN,
    **fields: Any,
) -> Survey:
    """An open survey with one section: a single choice (three subjects), a multiple choice, a scale, a
    yes/no, a number, a short and a long text, and "choose subjects"; the long text is asked only of those
    who said yes."""
    catalogue()
    survey = Survey.objects.create(unit=unit, title=title, is_anonymous=anonymous, status=status, **fields)
    section = Section.objects.create(survey=survey, title="About your learning", order=1)

    def question(order: int, kind: str, text: str, **more: Any) -> Question:
        return Question.objects.create(section=section, order=order, kind=kind, text=text, **more)

    topic = question(1, Question.Kind.SINGLE, "Which would you most like to learn?", required=True)
    for order, label in enumerate(["Maths", "English", "Digital skills"]):
        Choice.objects.create(question=topic, label=label, order=order)
    when = question(2, Question.Kind.MULTIPLE, "When could you learn?")
    for order, label in enumerate(["Lunchtime", "After work", "Weekends"]):
        Choice.objects.create(question=when, label=label, order=order)
    question(3, Question.Kind.SCALE, "How confident are you with computers?")
    asked = question(4, Question.Kind.YES_NO, "Has anything stopped you learning?")
    question(5, Question.Kind.NUMBER, "How many hours a week could you give?")
    question(6, Question.Kind.SHORT_TEXT, "Your job")
    question(7, Question.Kind.LONG_TEXT, "What stopped you?", show_if_question=asked, show_if_value="yes")
    question(8, Question.Kind.SUBJECTS, "Which subjects interest you?")
    return survey


def q(survey: Survey, order: int) -> Question:
    return Question.objects.get(section__survey=survey, order=order)


def choice(survey: Survey, order: int, label: str) -> Choice:
    return Choice.objects.get(question=q(survey, order), label=label)


def answer(
    survey: Survey,
    person: Person | None = None,
    *,
    topic: str = "Maths",
    invitation: Invitation | None = None,
    **extra: Any,
) -> Response:
    """A complete response through the service: for the person (their unit and workplace) or by the public link."""
    answers: dict[int, Any] = {q(survey, 1).pk: choice(survey, 1, topic).pk}
    for order, value in extra.items():
        answers[q(survey, int(order.removeprefix("q"))).pk] = value
    respondent = responses.respondent_of(person) if person is not None else responses.Respondent(unit=survey.unit)
    return responses.save_response(survey=survey, answers=answers, respondent=respondent, invitation=invitation)


def derby_survey(world: World) -> Survey:
    """Derby's open anonymous learning survey."""
    existing = Survey.objects.filter(unit=world.derby, title="What would you like to learn?").first()
    return existing or make_survey(world.derby)


def invite(survey: Survey, person: Person) -> Invitation:
    return Invitation.objects.create(survey=survey, person=person, sent_at=timezone.now())
