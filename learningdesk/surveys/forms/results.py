"""Forms of the results pages: which breakdown to show, searching free-text answers, the privacy threshold."""

from __future__ import annotations

from typing import Any

from django import forms

from learningdesk.core.forms import GovukFormMixin
from learningdesk.surveys.models import PrivacySettings, Question


class BreakdownForm(GovukFormMixin, forms.Form):
    """Sent by GET: a question with answer options, and what to break it down by."""

    question = forms.TypedChoiceField(label="Question", coerce=int)
    by = forms.ChoiceField(label="Break down by", initial="unit")

    def __init__(self, *args: Any, questions: list[Question], groupings: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = {question.pk: question for question in questions}
        self.fields["question"].choices = [(question.pk, question.text) for question in questions]
        self.fields["question"].error_messages["invalid_choice"] = "Choose one of the survey's questions"
        self.fields["by"].choices = groupings
        self.fields["by"].error_messages["invalid_choice"] = "Choose one of the groups listed"

    def chosen_question(self) -> Question:
        """The question chosen (call after is_valid())."""
        return self.questions[self.cleaned_data["question"]]


class AnswerSearchForm(GovukFormMixin, forms.Form):
    q = forms.CharField(label="Search the answers", required=False, max_length=100)

    def search(self) -> str:
        return " ".join(self.cleaned_data["q"].split()) if self.is_valid() else ""


class PrivacySettingsForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = PrivacySettings
        fields = ["threshold"]
        widgets = {"threshold": forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["threshold"]
        field.error_messages.update(
            required="Enter the threshold, a whole number from 3 to 100",
            invalid="Enter the threshold as a whole number, like 10",
            min_value="The threshold must be at least 3: smaller groups could identify people",
            max_value="The threshold must be 100 or less",
        )
