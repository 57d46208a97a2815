"""Building surveys, the services: ready templates, the edit-lock once people have answered, conditions on
earlier questions only, and opening and closing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.surveys import builder
from learningdesk.surveys.models import Choice, Question, Section, Survey
from learningdesk.surveys.templates_data import SURVEY_TEMPLATES
from tests.surveys import answer, choice, make_survey, q

pytestmark = pytest.mark.django_db

LOCKED = "People have answered already"


def draft(world) -> Survey:
    return make_survey(world.derby, status=Survey.Status.DRAFT)


def answered(world) -> Survey:
    survey = make_survey(world.derby)
    answer(survey)
    return survey


def save(world, question: Question, choices=None, fields=("text",)) -> Question:
    if choices is None:
        choices = [c.label for c in Choice.objects.filter(question=question)] if question.pk else []
    return builder.question_save(acting_user=world.coordinator, question=question, choices=choices, fields=list(fields))


def refusal(error: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return error.value.message_dict[field][0]


# Templates --------------------------------------------------------------------------------------


def test_there_are_five_ready_templates():
    titles = [template.title for template in SURVEY_TEMPLATES.values()]
    assert len(titles) == 5
    assert "Interested in becoming a ULR?" in titles


@pytest.mark.parametrize("key", sorted(SURVEY_TEMPLATES))
def test_copying_a_template_makes_a_draft_with_its_sections_questions_and_choices(world, key):
    template = SURVEY_TEMPLATES[key]
    survey = builder.template_copy(acting_user=world.coordinator, template_key=key, unit=world.derby)

    assert (survey.status, survey.unit, survey.template) == (Survey.Status.DRAFT, world.derby, key)
    assert survey.is_anonymous == template.is_anonymous
    assert list(survey.sections.values_list("title", flat=True)) == [s.title for s in template.sections]
    outline = builder.survey_outline(survey)
    wanted = [question for section in template.sections for question in section.questions]
    assert [question.text for question in outline.questions] == [question.text for question in wanted]
    for made, item in zip(outline.questions, wanted, strict=True):
        assert made.kind == item.kind and made.required == item.required
        assert [c.label for c in made.choices.all()] == list(item.choices)
        if made.show_if_question_id:
            builder._check_condition(made, survey)  # an earlier question, and one of its answers
    assert AuditEvent.objects.filter(target_type="survey", target_id=survey.pk, unit=world.derby).exists()


def test_templates_ask_for_subjects_and_have_conditions(world):
    survey = builder.template_copy(acting_user=world.coordinator, template_key="skills_audit", unit=world.derby)
    questions = builder.survey_outline(survey).questions
    assert any(question.kind == Question.Kind.SUBJECTS for question in questions)
    shared = next(question for question in questions if question.text == "How would you like to share it?")
    assert shared.show_if_question.text.startswith("Would you be willing to share a skill")
    assert shared.show_if_value == "yes"
    assert "Become a Union Learning Rep (ULR)" in [c.label for c in shared.choices.all()]


# Questions and the edit-lock --------------------------------------------------------------------


def test_a_new_question_goes_at_the_end_of_its_section_with_its_choices(world):
    survey = draft(world)
    section = survey.sections.get()
    question = save(
        world,
        Question(section=section, kind=Question.Kind.SINGLE, text="Which shift do you work?"),
        choices=["Early", "  ", "Late", "Nights"],
    )
    assert question.order == 9
    assert [c.label for c in question.choices.all()] == ["Early", "Late", "Nights"]


def test_a_choice_question_needs_two_different_answers(world):
    section = draft(world).sections.get()
    with pytest.raises(ValidationError) as error:
        save(world, Question(section=section, kind=Question.Kind.SINGLE, text="Shift?"), choices=["Early"])
    assert refusal(error, "choices") == "Give at least two answers to choose from, one a line"
    with pytest.raises(ValidationError) as error:
        save(world, Question(section=section, kind=Question.Kind.MULTIPLE, text="Shift?"), choices=["A", "A"])
    assert "“A” is there twice" in refusal(error, "choices")


def test_a_draft_can_change_freely(world):
    survey = draft(world)
    question = q(survey, 2)
    question.kind = Question.Kind.SINGLE
    save(world, question, choices=["Evenings", "Lunchtime"], fields=["kind"])
    assert [c.label for c in question.choices.order_by("order")] == ["Evenings", "Lunchtime"]
    builder.question_delete(acting_user=world.coordinator, question=q(survey, 3))
    assert not Question.objects.filter(section__survey=survey, order=3).exists()


def test_once_answered_a_choice_cannot_be_removed(world):
    survey = answered(world)
    with pytest.raises(ValidationError) as error:
        save(world, q(survey, 1), choices=["Maths", "English"])
    assert refusal(error, "choices") == (
        "People have answered already: add a new question instead: “Digital skills” cannot be removed or changed"
    )
    assert q(survey, 1).choices.count() == 3


def test_once_answered_a_choice_cannot_be_relabelled(world):
    survey = answered(world)
    with pytest.raises(ValidationError) as error:
        save(world, q(survey, 1), choices=["Maths and numbers", "English", "Digital skills"])
    assert refusal(error, "choices").startswith(LOCKED)
    assert choice(survey, 1, "Maths")


def test_once_answered_a_question_cannot_change_kind(world):
    survey = answered(world)
    question = q(survey, 3)
    question.kind = Question.Kind.NUMBER
    with pytest.raises(ValidationError) as error:
        save(world, question, fields=["kind"])
    assert refusal(error, "kind").startswith(LOCKED)
    assert q(survey, 3).kind == Question.Kind.SCALE


def test_once_answered_a_question_cannot_be_removed(world):
    survey = answered(world)
    with pytest.raises(ValidationError, match=LOCKED):
        builder.question_delete(acting_user=world.coordinator, question=q(survey, 6))
    assert Question.objects.filter(pk=q(survey, 6).pk).exists()


def test_once_answered_wording_can_improve_and_choices_and_questions_be_added(world):
    survey = answered(world)
    maths = choice(survey, 1, "Maths")
    question = q(survey, 1)
    question.text = "Which would you most like to learn next?"
    question.help_text = "Choose one."
    save(world, question, choices=["Maths", "English", "Digital skills", "Spanish"], fields=["text", "help_text"])
    assert [c.label for c in q(survey, 1).choices.all()] == ["Maths", "English", "Digital skills", "Spanish"]
    assert choice(survey, 1, "Maths").pk == maths.pk  # the answers given still point at it
    section = builder.section_save(
        acting_user=world.coordinator, section=Section(survey=survey, title="More"), fields=["title"]
    )
    save(world, Question(section=section, kind=Question.Kind.YES_NO, text="Are you a carer?"))
    assert builder.question_count(survey) == 9


def test_a_removed_choice_that_shows_another_question_is_refused_even_in_a_draft(world):
    survey = draft(world)
    maths = choice(survey, 1, "Maths")
    dependant = q(survey, 6)
    dependant.show_if_question, dependant.show_if_value = q(survey, 1), str(maths.pk)
    save(world, dependant, fields=["show_if_question"])
    with pytest.raises(ValidationError) as error:
        save(world, q(survey, 1), choices=["English", "Digital skills"])
    assert refusal(error, "choices") == "“Your job” depends on an answer you removed: change its condition first"


# Conditions -------------------------------------------------------------------------------------


def test_a_condition_must_refer_to_an_earlier_question(world):
    survey = draft(world)
    question = q(survey, 2)
    question.show_if_question, question.show_if_value = q(survey, 4), "yes"
    with pytest.raises(ValidationError) as error:
        save(world, question, fields=["show_if_question"])
    assert refusal(error, "condition") == "A question can only depend on an earlier question"
    assert q(survey, 2).show_if_question_id is None


def test_a_question_cannot_depend_on_itself(world):
    survey = draft(world)
    question = q(survey, 4)
    question.show_if_question, question.show_if_value = question, "yes"
    with pytest.raises(ValidationError, match="earlier question"):
        save(world, question)


def test_a_condition_needs_a_question_with_set_answers_and_one_of_them(world):
    survey = draft(world)
    question = q(survey, 6)
    question.show_if_question, question.show_if_value = q(survey, 5), "3"
    with pytest.raises(ValidationError) as error:
        save(world, question)
    assert "choose-one, yes-or-no or scale" in refusal(error, "condition")
    question.show_if_question, question.show_if_value = q(survey, 3), "7"
    with pytest.raises(ValidationError) as error:
        save(world, question)
    assert refusal(error, "condition") == "Choose one of the answers to “How confident are you with computers?”"


def test_a_condition_on_another_surveys_question_is_refused(world):
    survey = draft(world)
    other = make_survey(world.derby, title="Another")
    question = q(survey, 6)
    question.show_if_question, question.show_if_value = q(other, 4), "yes"
    with pytest.raises(ValidationError, match="Choose a question from this survey"):
        save(world, question)


def test_a_question_cannot_move_above_the_one_it_depends_on(world):
    survey = draft(world)
    asked, stopped = q(survey, 4), q(survey, 7)  # "What stopped you?" is asked after a yes to question 4
    builder.question_move(acting_user=world.coordinator, question=stopped, up=True)
    builder.question_move(acting_user=world.coordinator, question=stopped, up=True)
    with pytest.raises(ValidationError) as error:
        builder.question_move(acting_user=world.coordinator, question=stopped, up=True)
    assert error.value.messages == [
        "“What stopped you?” depends on “Has anything stopped you learning?”, so it must come after it."
    ]
    with pytest.raises(ValidationError, match="must come after it"):
        builder.question_move(acting_user=world.coordinator, question=asked, up=False)
    assert list(Question.objects.filter(section__survey=survey).values_list("text", flat=True))[3:5] == [
        "Has anything stopped you learning?",
        "What stopped you?",
    ]


def test_a_question_others_depend_on_cannot_be_removed_or_change_kind(world):
    survey = draft(world)
    with pytest.raises(ValidationError, match="“What stopped you\\?” depends on this question's answer"):
        builder.question_delete(acting_user=world.coordinator, question=q(survey, 4))
    question = q(survey, 4)
    question.kind = Question.Kind.SCALE
    with pytest.raises(ValidationError) as error:
        save(world, question, fields=["kind"])
    assert "depends on this question's answer" in refusal(error, "kind")


# The survey and its state -----------------------------------------------------------------------


def test_a_survey_cannot_close_before_it_opens(world):
    survey = Survey(
        unit=world.derby,
        title="Skills",
        opens_on=datetime.date(2026, 12, 1),
        closes_on=datetime.date(2026, 11, 30),
    )
    with pytest.raises(ValidationError) as error:
        builder.survey_save(acting_user=world.coordinator, survey=survey, fields=["title"])
    assert "closes_on" in error.value.message_dict
    assert not Survey.objects.filter(title="Skills").exists()


def test_once_answered_a_survey_cannot_change_between_anonymous_and_identified(world):
    survey = answered(world)
    survey.is_anonymous = False
    with pytest.raises(ValidationError) as error:
        builder.survey_save(acting_user=world.coordinator, survey=survey, fields=["is_anonymous"])
    assert refusal(error, "is_anonymous").startswith(LOCKED)


def test_a_survey_needs_a_question_to_open(world):
    survey = builder.survey_save(
        acting_user=world.coordinator, survey=Survey(unit=world.derby, title="Empty"), fields=["title"]
    )
    with pytest.raises(ValidationError, match="Add at least one question"):
        builder.survey_open(acting_user=world.coordinator, survey=survey)
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT


def test_a_survey_opens_closes_and_opens_again(world):
    survey = draft(world)
    assert builder.survey_open(acting_user=world.coordinator, survey=survey).status == Survey.Status.OPEN
    assert builder.survey_close(acting_user=world.coordinator, survey=survey).status == Survey.Status.CLOSED
    assert builder.survey_open(acting_user=world.coordinator, survey=survey).status == Survey.Status.OPEN
    assert AuditEvent.objects.filter(target_type="survey", target_id=survey.pk, changes__status="open").count() == 2


def test_a_survey_past_its_closing_date_does_not_open(world):
    survey = draft(world)
    survey.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    survey.save()
    with pytest.raises(ValidationError, match="closing date has passed"):
        builder.survey_open(acting_user=world.coordinator, survey=survey)
