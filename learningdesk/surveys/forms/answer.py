"""The answering form: one field per question of the survey, named "q<id>", built from its questions.

Every field is optional here: which questions must be answered depends on the conditions, so
`responses.clean_answers` decides (and its errors, keyed "q<id>", land next to the question). The form only
collects what was sent and checks that chosen options are ones the page offered.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.boundfield import BoundField, BoundWidget

from learningdesk.core.forms import GovukFormMixin
from learningdesk.learning.models import ActivityType, Subject
from learningdesk.org.models import Workplace
from learningdesk.surveys.models import Question, Section

SCALE_CHOICES = [("1", "1 (lowest)"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5 (highest)")]
YES_NO_CHOICES = [("yes", "Yes"), ("no", "No")]
SHORT_TEXT_LIMIT = 200
LONG_TEXT_LIMIT = 5000


def field_name(question: Question) -> str:
    return f"q{question.pk}"


def subject_choices() -> list[tuple[str, str]]:
    """Learning subjects then the kinds of learning in use, as "subject:<id>" / "type:<id>" keys."""
    subjects = [(f"subject:{pk}", name) for pk, name in Subject.objects.values_list("pk", "name")]
    types = [(f"type:{pk}", name) for pk, name in ActivityType.objects.filter(is_active=True).values_list("pk", "name")]
    return subjects + types


def question_field(question: Question, subjects: list[tuple[str, str]]) -> forms.Field:
    common: dict[str, Any] = {"label": question.text, "required": False, "help_text": question.help_text}
    kind = question.kind
    if kind == Question.Kind.SINGLE:
        options = [(str(choice.pk), choice.label) for choice in question.choices.all()]
        return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
    if kind == Question.Kind.MULTIPLE:
        options = [(str(choice.pk), choice.label) for choice in question.choices.all()]
        return forms.MultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple, **common)
    if kind == Question.Kind.SCALE:
        return forms.ChoiceField(choices=SCALE_CHOICES, widget=forms.RadioSelect, **common)
    if kind == Question.Kind.YES_NO:
        return forms.ChoiceField(choices=YES_NO_CHOICES, widget=forms.RadioSelect, **common)
    if kind == Question.Kind.SUBJECTS:
        return forms.MultipleChoiceField(choices=subjects, widget=forms.CheckboxSelectMultiple, **common)
    if kind == Question.Kind.NUMBER:
        # Text with a decimal keypad, not type=number (GOV.UK: number inputs mangle what people type).
        widget = forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"})
        return forms.CharField(widget=widget, max_length=30, **common)
    if kind == Question.Kind.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=LONG_TEXT_LIMIT, **common)
    return forms.CharField(max_length=SHORT_TEXT_LIMIT, **common)


def value_for_form(question: Question, value: Any) -> Any:
    """A saved answer (as `responses.saved_answers` gives it) as the form shows it."""
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def condition_hint(question: Question, by_pk: dict[int, Question]) -> str:
    """'Only if you answered “Yes” to “Has anything stopped you learning?” above', or ''."""
    earlier = by_pk.get(question.show_if_question_id or 0)
    if earlier is None:
        return ""
    wanted = question.show_if_value
    if earlier.has_choices:
        labels = {str(choice.pk): choice.label for choice in earlier.choices.all()}
        wanted = labels.get(wanted, wanted)
    elif earlier.kind == Question.Kind.YES_NO:
        wanted = wanted.capitalize()
    return f"Only if you answered “{wanted}” to “{earlier.text}” above"


@dataclass
class OptionGroup:
    heading: str
    options: list[BoundWidget]


@dataclass
class QuestionRow:
    """A question as the page shows it: its field, how it is drawn, and its condition for the script."""

    question: Question
    field: BoundField
    widget: str  # "radios", "checkboxes", "input", "textarea"
    condition: str = ""
    show_if_name: str = ""
    show_if_value: str = ""
    groups: list[OptionGroup] = dataclasses.field(default_factory=list)

    @property
    def uses_fieldset(self) -> bool:
        return self.widget in ("radios", "checkboxes")

    @property
    def inline(self) -> bool:
        return self.question.kind in (Question.Kind.SCALE, Question.Kind.YES_NO)

    @property
    def described_by(self) -> str:
        """The ids of the condition, the hint and the error, for aria-describedby."""
        auto_id = self.field.auto_id
        ids = []
        if self.condition:
            ids.append(f"{auto_id}-condition")
        if self.question.help_text:
            ids.append(f"{auto_id}-hint")
        if self.field.errors:
            ids.append(f"{auto_id}-error")
        return " ".join(ids)


@dataclass
class SectionRows:
    section: Section
    rows: list[QuestionRow]


class AnswerForm(GovukFormMixin, forms.Form):
    """A respondent's answers; `workplaces` adds the public link's optional "Where do you work?"."""

    def __init__(
        self,
        *args: Any,
        questions: list[Question],
        workplaces: QuerySet[Workplace] | None = None,
        **kwargs: Any,
    ) -> None:
        self.questions = questions
        # Fields are made before the mixin's __init__ so that it styles them too.
        self.base_fields = {}  # type: ignore[misc]  # this form's own fields, not the class's
        if workplaces is not None:
            self.base_fields["workplace"] = forms.ModelChoiceField(
                queryset=workplaces,
                required=False,
                label="Where do you work?",
                empty_label="Choose your workplace",
                help_text="Only so we can count answers by workplace. Skip it if you prefer.",
            )
        subjects = subject_choices() if any(q.kind == Question.Kind.SUBJECTS for q in questions) else []
        for question in questions:
            self.base_fields[field_name(question)] = question_field(question, subjects)
        super().__init__(*args, **kwargs)

    def answers(self) -> dict[int, Any]:
        """The answers sent, by question id, as `responses.save_response` takes them."""
        return {question.pk: self.cleaned_data.get(field_name(question)) for question in self.questions}

    def chosen_workplace(self) -> Workplace | None:
        return self.cleaned_data.get("workplace")

    def draft(self) -> dict[str, Any]:
        """What was sent, as plain strings and lists to keep in the browser's session and show again."""
        values: dict[str, Any] = {}
        for question in self.questions:
            value = self.cleaned_data.get(field_name(question))
            if value not in (None, "", []):
                values[field_name(question)] = value
        workplace = self.cleaned_data.get("workplace")
        if workplace is not None:
            values["workplace"] = workplace.pk
        return values

    def sections(self) -> list[SectionRows]:
        """The questions grouped by section, in order, ready to draw."""
        by_pk = {question.pk: question for question in self.questions}
        grouped: list[SectionRows] = []
        for question in self.questions:
            if not grouped or grouped[-1].section.pk != question.section_id:
                grouped.append(SectionRows(section=question.section, rows=[]))
            grouped[-1].rows.append(self._row(question, by_pk))
        return grouped

    def _row(self, question: Question, by_pk: dict[int, Question]) -> QuestionRow:
        bound = self[field_name(question)]
        kind = question.kind
        if kind in (Question.Kind.MULTIPLE, Question.Kind.SUBJECTS):
            widget = "checkboxes"
        elif kind in (Question.Kind.SINGLE, Question.Kind.SCALE, Question.Kind.YES_NO):
            widget = "radios"
        elif kind == Question.Kind.LONG_TEXT:
            widget = "textarea"
        else:
            widget = "input"
        row = QuestionRow(question=question, field=bound, widget=widget, condition=condition_hint(question, by_pk))
        if row.condition and question.show_if_question_id:
            row.show_if_name = f"q{question.show_if_question_id}"
            row.show_if_value = question.show_if_value
        if not row.uses_fieldset:
            # The input itself points at the condition, hint and error (a fieldset does for radios).
            if row.described_by:
                bound.field.widget.attrs["aria-describedby"] = row.described_by
            else:
                bound.field.widget.attrs.pop("aria-describedby", None)
        else:
            options = list(bound.subwidgets)
            if kind == Question.Kind.SUBJECTS:
                row.groups = [
                    OptionGroup("Subjects", [o for o in options if str(o.data["value"]).startswith("subject:")]),
                    OptionGroup("Kinds of learning", [o for o in options if str(o.data["value"]).startswith("type:")]),
                ]
            else:
                row.groups = [OptionGroup("", options)]
        return row
