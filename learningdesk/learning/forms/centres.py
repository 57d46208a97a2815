"""Forms for learning centres and their rooms."""

from __future__ import annotations

from typing import Any

from django import forms

from learningdesk.accounts.models import User
from learningdesk.core.forms import GovukFormMixin
from learningdesk.learning.models import LearningCentre, Room
from learningdesk.org import scoping


class CentreForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = LearningCentre
        fields = [
            "unit",
            "name",
            "workplace",
            "address",
            "opening_hours",
            "equipment",
            "notes",
            "opened_on",
            "closed_on",
        ]
        labels = {
            "unit": "Which unit runs it",
            "name": "Name",
            "workplace": "Host workplace",
            "address": "Address of the venue",
            "opening_hours": "Opening hours",
            "equipment": "Equipment",
            "notes": "Notes",
            "opened_on": "Date it opened",
            "closed_on": "Date it closed",
        }
        help_texts = {
            "name": "For example, “Riverside library learning centre”.",
            "workplace": "If it is at a workplace. Otherwise leave this blank and enter the address below.",
            "address": "For a community venue: a library, a college, a union office.",
            "opening_hours": "For example, “Monday to Friday, 8am to 6pm; Saturday mornings by arrangement”.",
            "equipment": "Shared equipment, for example “12 laptops, a projector, a hearing loop”.",
            "notes": "How to get in, who holds the keys, anything a tutor should know.",
            "opened_on": "Optional.",
            "closed_on": "Only when it closes. Sessions can no longer book its rooms from this date.",
        }
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "opening_hours": forms.Textarea(attrs={"rows": 3}),
            "equipment": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "opened_on": forms.DateInput(),
            "closed_on": forms.DateInput(),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = scoping.units_for_activities(user).order_by("path")
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = None
        self.fields["unit"].error_messages["invalid_choice"] = "Select one of your units"
        self.fields["workplace"].queryset = scoping.visible_workplaces(user).order_by("name")
        self.fields["workplace"].empty_label = "Not at a workplace"
        self.fields["workplace"].required = False


class RoomForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "capacity", "equipment"]
        labels = {"name": "Room name", "capacity": "Seats", "equipment": "Equipment in the room"}
        help_texts = {
            "name": "For example, “IT suite” or “Room 2”. Each room of a centre needs its own name.",
            "capacity": "Optional. How many learners it seats.",
            "equipment": "Optional. For example, “10 PCs with headsets”.",
        }
        widgets = {
            "capacity": forms.NumberInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
            "equipment": forms.Textarea(attrs={"rows": 3}),
        }
