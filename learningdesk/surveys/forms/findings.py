"""Forms for a survey's findings: the co-ordinator's commentary, and an activity made from what people asked for."""

from __future__ import annotations

from typing import Any

from django import forms

from learningdesk.accounts.models import User
from learningdesk.core.forms import GovukFormMixin
from learningdesk.learning.models import ActivityType, Subject
from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit
from learningdesk.surveys.models import Survey


class CommentaryForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["commentary"]
        labels = {"commentary": "Your commentary"}
        help_texts = {
            "commentary": "What the figures show and what the branch proposes, for example more lunchtime "
            "courses at the depot. Leave a blank line between paragraphs. The employer sees this with the figures."
        }
        widgets = {"commentary": forms.Textarea(attrs={"rows": 8})}


class DemandActivityForm(GovukFormMixin, forms.Form):
    title = forms.CharField(label="Title", max_length=160)
    description = forms.CharField(
        label="Description",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What people will learn and who it is for. People who asked for it read this in their invitation.",
    )
    type = forms.ModelChoiceField(label="Type of activity", queryset=ActivityType.objects.none(), empty_label=None)
    unit = forms.ModelChoiceField(label="Run by", queryset=OrgUnit.objects.none(), empty_label=None)

    def __init__(self, *args: Any, user: User, survey: Survey, subject: Subject, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = scoping.editable_units(user).order_by("path")
        self.fields["unit"].queryset = units
        self.fields["type"].queryset = ActivityType.objects.filter(is_active=True).order_by("order", "name")
        self.fields["title"].initial = subject.name
        if not self.is_bound:
            self.fields["unit"].initial = units.filter(pk=survey.unit_id).first() or units.first()
