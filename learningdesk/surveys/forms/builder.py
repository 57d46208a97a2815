"""Forms for building surveys: the survey's details, a template to copy, sections and questions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from learningdesk.core.forms import GovukFormMixin
from learningdesk.org.models import OrgUnit
from learningdesk.surveys.builder import condition_values
from learningdesk.surveys.models import Question, Section, Survey
from learningdesk.surveys.templates_data import SURVEY_TEMPLATES

ANONYMITY_CHOICES = [
    ("True", "Anonymous: answers are never linked to anyone, not even in the database"),
    ("False", "Identified: each person's answers are kept with their name and show on their page"),
]


class SurveyForm(GovukFormMixin, forms.ModelForm):
    is_anonymous = forms.TypedChoiceField(
        label="Anonymous or identified",
        choices=ANONYMITY_CHOICES,
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
        help_text="Anonymous suits most learning surveys: people say more when nobody can tell who said what, "
        "but you cannot get back to anyone. Choose identified when you need to, for example to contact "
        "people who offer to share a skill. Respondents are told which it is before they start.",
    )

    class Meta:
        model = Survey
        fields = ["title", "introduction", "unit", "is_anonymous", "opens_on", "closes_on"]
        labels = {
            "title": "Title",
            "introduction": "Introduction",
            "unit": "Branch or unit that runs it",
            "opens_on": "Opens on",
            "closes_on": "Closes on",
        }
        help_texts = {
            "title": "What respondents see at the top, for example “What would you like to learn?”.",
            "introduction": "Why you are asking and how long it takes. Shown before the first question.",
            "unit": "A survey of a region or the whole union can be run by every branch in it.",
            "opens_on": "Leave blank to take answers from the day you open it.",
            "closes_on": "Leave blank to keep it open until you close it.",
        }
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 4}),
            "opens_on": forms.DateInput(),
            "closes_on": forms.DateInput(),
        }

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = None if units.count() == 1 else "Choose the branch or unit"


class TemplateCopyForm(GovukFormMixin, forms.Form):
    template = forms.ChoiceField(label="Template", widget=forms.RadioSelect)
    unit = forms.ModelChoiceField(label="Branch or unit that runs it", queryset=OrgUnit.objects.none())

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(key, template.title) for key, template in SURVEY_TEMPLATES.items()]
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = None if units.count() == 1 else "Choose the branch or unit"
        self.fields["unit"].help_text = "You can change everything in the copy before you open it."


class SectionForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Section
        fields = ["title", "description"]
        labels = {"title": "Title", "description": "Description"}
        help_texts = {
            "title": "For example “About your learning” or “Skills you could share”.",
            "description": "Shown to respondents above the section's questions.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class QuestionForm(GovukFormMixin, forms.ModelForm):
    choices = forms.CharField(
        label="Answers to choose from",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="For “choose one” and “choose any” questions: one answer a line, in the order to show them.",
    )
    condition = forms.ChoiceField(
        label="When to ask it",
        required=False,
        help_text="Ask it of everyone, or only of those who gave an answer to an earlier choose-one, "
        "yes-or-no or scale question.",
    )

    class Meta:
        model = Question
        fields = ["text", "help_text", "kind", "required"]
        labels = {
            "text": "Question",
            "help_text": "Hint",
            "kind": "Kind of answer",
            "required": "People must answer it",
        }
        help_texts = {
            "text": "Ask one thing, in plain words, for example “When could you learn?”.",
            "help_text": "Extra help shown under the question, for example “Choose all that apply.”.",
            "required": "",
        }
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args: Any, earlier: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Question.Kind.choices  # no empty "---------" radio
        groups: list[tuple[str, Any]] = [("", "Ask everyone")]
        for other in earlier:
            number = getattr(other, "number", "")
            label = f"{number}. {other.text}" if number else other.text
            groups.append(
                (label, [(f"{other.pk}:{value}", f"Answered “{text}”") for value, text in condition_values(other)])
            )
        self.fields["condition"].choices = groups
        question = self.instance
        if question.pk:
            self.fields["choices"].initial = "\n".join(choice.label for choice in question.choices.all())
            if question.show_if_question_id:
                self.fields["condition"].initial = f"{question.show_if_question_id}:{question.show_if_value}"

    def choice_lines(self) -> list[str]:
        return self.cleaned_data.get("choices", "").splitlines()

    def apply_condition(self, question: Question) -> None:
        """Set the question's condition from the chosen "<question id>:<answer>" (or clear it)."""
        picked = self.cleaned_data.get("condition") or ""
        if not picked:
            question.show_if_question = None
            question.show_if_value = ""
            return
        pk, value = picked.split(":", 1)
        question.show_if_question_id = int(pk)
        question.show_if_value = value
