"""Building surveys: the survey, its sections, questions and choices, its state, and copying a ready template.

Once anyone has answered, a survey can grow but not change under its answers: new sections, questions and
choices are fine, and so is better wording, but removing a question or a choice, changing a question's kind
or an existing choice's label would make the answers already given mean something else. Drafts change freely.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record, save_and_audit
from learningdesk.org.models import OrgUnit
from learningdesk.surveys.models import Choice, Question, Response, Section, Survey
from learningdesk.surveys.templates_data import SURVEY_TEMPLATES

ANSWERED = "People have answered already: add a new question instead"
CONDITION_KINDS = (Question.Kind.SINGLE, Question.Kind.YES_NO, Question.Kind.SCALE)
LAST = 2**31  # a question not saved yet comes after every saved one of its section


def has_responses(survey: Survey) -> bool:
    """Whether anyone has answered, even part-way (an identified respondent's saved answers count)."""
    return Response.objects.filter(survey=survey).exists()


def position(question: Question) -> tuple[int, int, int, int]:
    """Where the question comes in its survey, as respondents see it (like responses.survey_questions)."""
    return (question.section.order, question.section_id, question.order, question.pk or LAST)


def condition_values(question: Question) -> list[tuple[str, str]]:
    """The answers of a question that a later question's condition can name: (stored value, label)."""
    if question.kind == Question.Kind.YES_NO:
        return [("yes", "Yes"), ("no", "No")]
    if question.kind == Question.Kind.SCALE:
        return [(str(n), str(n)) for n in range(1, 6)]
    if question.kind == Question.Kind.SINGLE:
        return [(str(choice.pk), choice.label) for choice in question.choices.all()]
    return []


def condition_text(question: Question) -> str:
    """'Asked only when “…” is Yes', or "" for a question always asked."""
    target = question.show_if_question
    if target is None:
        return ""
    label = dict(condition_values(target)).get(question.show_if_value, question.show_if_value)
    return f"Asked only when “{target.text}” is answered “{label}”"


# The survey -------------------------------------------------------------------------------------


@transaction.atomic
def survey_save(*, acting_user: User, survey: Survey, fields: list[str]) -> Survey:
    """Add or change a survey's details. `fields`: the names of the fields the user changed (for the audit)."""
    if survey.opens_on and survey.closes_on and survey.closes_on < survey.opens_on:
        raise ValidationError({"closes_on": "The closing date must be the same as or after the opening date"})
    if survey.pk is None:
        survey.created_by = acting_user
    elif "is_anonymous" in fields and has_responses(survey):
        # Answers given anonymously must never become linkable, nor identified ones be shown as anonymous.
        raise ValidationError(
            {"is_anonymous": "People have answered already: whether it is anonymous cannot change now"}
        )
    save_and_audit(actor=acting_user, record=survey, unit_id=survey.unit_id, fields=fields)
    return survey


def question_count(survey: Survey) -> int:
    return Question.objects.filter(section__survey=survey).count()


@transaction.atomic
def survey_open(*, acting_user: User, survey: Survey) -> Survey:
    """Open a draft (or closed) survey to answers: it needs a question, and a closing date not yet past."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == Survey.Status.OPEN:
        raise ValidationError("The survey is open already.")
    if not question_count(survey):
        raise ValidationError("Add at least one question before you open the survey.")
    if survey.closes_on and survey.closes_on < timezone.localdate():
        raise ValidationError("Its closing date has passed: change the dates before you open it.")
    return _set_status(acting_user, survey, Survey.Status.OPEN)


@transaction.atomic
def survey_close(*, acting_user: User, survey: Survey) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.OPEN:
        raise ValidationError("Only an open survey can be closed.")
    return _set_status(acting_user, survey, Survey.Status.CLOSED)


def _set_status(acting_user: User, survey: Survey, status: str) -> Survey:
    survey.status = status
    survey.save(update_fields=["status"])
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CHANGED,
        target=survey,
        unit_id=survey.unit_id,
        changes={"fields": ["status"], "status": status},
    )
    return survey


# Sections ---------------------------------------------------------------------------------------


@transaction.atomic
def section_save(*, acting_user: User, section: Section, fields: list[str]) -> Section:
    """Add a section (at the end of the survey) or change its title and description."""
    if section.pk is None:
        last = Section.objects.filter(survey=section.survey).aggregate(last=Max("order"))["last"]
        section.order = (last or 0) + 1
    save_and_audit(actor=acting_user, record=section, unit_id=section.survey.unit_id, fields=fields)
    return section


# Questions --------------------------------------------------------------------------------------


def _clean_labels(lines: Iterable[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip()]


def _check_condition(question: Question, survey: Survey) -> None:
    """A condition names an earlier question of this survey that has set answers, and one of those answers."""
    if question.show_if_question_id is None:
        question.show_if_value = ""
        return
    target = (
        Question.objects.filter(pk=question.show_if_question_id, section__survey=survey)
        .select_related("section")
        .prefetch_related("choices")
        .first()
    )
    if target is None:
        raise ValidationError({"condition": "Choose a question from this survey"})
    if target.kind not in CONDITION_KINDS:
        raise ValidationError({"condition": "A question can only depend on a choose-one, yes-or-no or scale question"})
    if target.pk == question.pk or position(target) >= position(question):
        raise ValidationError({"condition": "A question can only depend on an earlier question"})
    if question.show_if_value not in dict(condition_values(target)):
        raise ValidationError({"condition": f"Choose one of the answers to “{target.text}”"})


def _used_by_conditions(question: Question) -> list[Question]:
    return list(question.dependants.all()) if question.pk else []


@transaction.atomic
def question_save(*, acting_user: User, question: Question, choices: Iterable[str], fields: list[str]) -> Question:
    """Add a question (at the end of its section) or change it, with its choices (labels, one a line).

    Refused, next to the field, when it would change the meaning of answers already given, or of another
    question's condition."""
    survey = question.section.survey
    labels = _clean_labels(choices) if question.has_choices else []
    previous = Question.objects.prefetch_related("choices").filter(pk=question.pk).first() if question.pk else None
    answered = previous is not None and has_responses(survey)
    dependants = _used_by_conditions(question)
    errors: dict[str, str] = {}

    kind_changed = previous is not None and previous.kind != question.kind
    if kind_changed and answered:
        errors["kind"] = f"{ANSWERED}: its kind cannot change"
    elif kind_changed and dependants:
        errors["kind"] = f"“{dependants[0].text}” depends on this question's answer: change its condition first"

    if question.has_choices:
        if len(labels) < 2:
            errors["choices"] = "Give at least two answers to choose from, one a line"
        else:
            repeated = next((label for label in labels if labels.count(label) > 1), None)
            if repeated:
                errors["choices"] = f"Each answer must be different: “{repeated}” is there twice"
    old_choices = list(previous.choices.all()) if previous is not None and previous.has_choices else []
    removed = [choice for choice in old_choices if kind_changed or choice.label not in labels]
    if removed and "choices" not in errors and "kind" not in errors:
        if answered:
            errors["choices"] = f"{ANSWERED}: “{removed[0].label}” cannot be removed or changed"
        else:
            removed_ids = {str(choice.pk) for choice in removed}
            blocked = next((dep for dep in dependants if dep.show_if_value in removed_ids), None)
            if blocked is not None:
                errors["choices"] = f"“{blocked.text}” depends on an answer you removed: change its condition first"

    if question.pk is None:
        last = Question.objects.filter(section=question.section).aggregate(last=Max("order"))["last"]
        question.order = (last or 0) + 1
    try:
        _check_condition(question, survey)
    except ValidationError as error:
        errors.update({key: messages[0] for key, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)

    choices_changed = [choice.label for choice in old_choices] != labels
    audit_fields = [*fields, "choices"] if choices_changed and "choices" not in fields else fields
    save_and_audit(actor=acting_user, record=question, unit_id=survey.unit_id, fields=audit_fields)
    if choices_changed:
        _save_choices(question, old_choices, removed, labels)
    return question


def _save_choices(question: Question, old: list[Choice], removed: list[Choice], labels: list[str]) -> None:
    """Keep the choices whose label is still there, add the new ones, and put them all in the lines' order."""
    Choice.objects.filter(pk__in=[choice.pk for choice in removed]).delete()
    kept = {choice.label: choice for choice in old if choice not in removed}
    ordered = []
    for order, label in enumerate(labels):
        choice = kept.get(label) or Choice(question=question, label=label)
        choice.order = order
        ordered.append(choice)
    Choice.objects.bulk_create([choice for choice in ordered if choice.pk is None])
    Choice.objects.bulk_update([choice for choice in ordered if choice.pk is not None], ["order"])


@transaction.atomic
def question_delete(*, acting_user: User, question: Question) -> None:
    survey = question.section.survey
    if has_responses(survey):
        raise ValidationError(f"{ANSWERED}: a question cannot be removed once people have answered.")
    dependants = _used_by_conditions(question)
    if dependants:
        raise ValidationError(f"“{dependants[0].text}” depends on this question's answer: change its condition first.")
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.DELETED,
        target=question,
        unit_id=survey.unit_id,
        changes={"survey": survey.pk},
    )
    question.delete()


@transaction.atomic
def question_move(*, acting_user: User, question: Question, up: bool) -> Question:
    """Swap the question with the one above (or below) it in its section, keeping conditions after what they
    depend on. At the top (or bottom) already, nothing changes."""
    siblings = list(Question.objects.select_for_update().filter(section=question.section).order_by("order", "id"))
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == question.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(siblings):
        return question
    moving, other = siblings[index], siblings[other_index]
    first, second = (moving, other) if up else (other, moving)  # after the move, `first` comes before `second`
    if first.show_if_question_id == second.pk:
        raise ValidationError(f"“{first.text}” depends on “{second.text}”, so it must come after it.")
    siblings[index], siblings[other_index] = other, moving
    for order, sibling in enumerate(siblings, start=1):
        sibling.order = order
    Question.objects.bulk_update(siblings, ["order"])
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CHANGED,
        target=moving,
        unit_id=question.section.survey.unit_id,
        changes={"fields": ["order"]},
    )
    return moving


# Reading a survey's outline ---------------------------------------------------------------------


@dataclass
class Outline:
    """A survey's sections, each with its questions in order (numbered through the survey)."""

    sections: list[Section]
    questions: list[Question]


def survey_outline(survey: Survey) -> Outline:
    """The survey's sections and questions with their choices and conditions, in three queries."""
    sections: list[Section] = list(
        Section.objects.filter(survey=survey)
        .order_by("order", "id")
        .prefetch_related(
            Prefetch(
                "questions",
                queryset=Question.objects.order_by("order", "id").prefetch_related("choices"),
                to_attr="ordered_questions",
            )
        )
    )
    questions: list[Question] = []
    by_id: dict[int, Question] = {}
    for section in sections:
        for question in section.ordered_questions:  # type: ignore[attr-defined]
            question.section = section
            question.number = len(questions) + 1  # type: ignore[attr-defined]
            questions.append(question)
            by_id[question.pk] = question
    for question in questions:
        if question.show_if_question_id is not None:
            question.show_if_question = by_id.get(question.show_if_question_id)
        question.condition = condition_text(question)  # type: ignore[attr-defined]
    return Outline(sections=sections, questions=questions)


def earlier_questions(outline: Outline, question: Question) -> list[Question]:
    """The questions a condition on `question` may name: earlier, with set answers."""
    return [
        other
        for other in outline.questions
        if other.kind in CONDITION_KINDS and other.pk != question.pk and position(other) < position(question)
    ]


# Templates --------------------------------------------------------------------------------------


@transaction.atomic
def template_copy(*, acting_user: User, template_key: str, unit: OrgUnit) -> Survey:
    """A draft survey of the unit, copied from a ready template with its sections, questions and choices."""
    template = SURVEY_TEMPLATES[template_key]
    survey = Survey(
        unit=unit,
        title=template.title,
        introduction=template.introduction,
        is_anonymous=template.is_anonymous,
        template=template.key,
        created_by=acting_user,
    )
    # One audit row for the survey: its questions come from the template, and the row names it.
    survey.full_clean()
    survey.save()
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CREATED,
        target=survey,
        unit_id=unit.pk,
        changes={"fields": ["title", "introduction", "is_anonymous", "unit"], "template": template.key},
    )
    keyed: dict[str, tuple[Question, dict[str, Choice]]] = {}
    for section_order, part in enumerate(template.sections, start=1):
        section = Section.objects.create(
            survey=survey, title=part.title, description=part.description, order=section_order
        )
        for order, item in enumerate(part.questions, start=1):
            question = Question(section=section, order=order, kind=item.kind, text=item.text, help_text=item.help_text)
            question.required = item.required
            if item.show_if is not None:
                target, choices = keyed[item.show_if[0]]
                question.show_if_question = target
                value = item.show_if[1]
                question.show_if_value = str(choices[value].pk) if target.kind == Question.Kind.SINGLE else value
            question.save()
            made = Choice.objects.bulk_create(
                [Choice(question=question, label=label, order=n) for n, label in enumerate(item.choices)]
            )
            if item.key:
                keyed[item.key] = (question, {choice.label: choice for choice in made})
    return survey
