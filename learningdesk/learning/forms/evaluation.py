"""The learner's feedback form (no login, from the link in their email)."""

from __future__ import annotations

from typing import Any

from django import forms

from learningdesk.core.forms import GovukFormMixin
from learningdesk.learning.models import Subject

RATINGS = [
    (5, "5 – Excellent"),
    (4, "4 – Good"),
    (3, "3 – All right"),
    (2, "2 – Not very good"),
    (1, "1 – Poor"),
]


class EvaluationForm(GovukFormMixin, forms.Form):
    rating = forms.TypedChoiceField(label="Overall, how was it?", choices=RATINGS, coerce=int, widget=forms.RadioSelect)
    learnt = forms.CharField(
        label="What did you learn?", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    next_steps = forms.CharField(
        label="What would you like to do next?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example, the next level, another course, or a qualification.",
    )
    topics = forms.ModelMultipleChoiceField(
        label="What else would you like to learn about?",
        queryset=Subject.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )
    other_topics = forms.CharField(label="Anything else you would like to learn", max_length=250, required=False)
    wants_to_be_ulr = forms.BooleanField(
        label="I’d like to know about becoming a union learning rep (ULR)",
        required=False,
        help_text="ULRs help colleagues into learning. Someone from the union will get in touch.",
    )
    wants_to_join = forms.BooleanField(
        label="I’d like to know about joining the union",
        required=False,
        help_text="If you are not a member yet, someone will get in touch.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Subject.objects.order_by("order", "name")
        self.fields["rating"].error_messages["required"] = "Select how it was, from 1 to 5"
