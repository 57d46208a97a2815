"""Forms for funding: a bid or grant, the list's filters, and the period of the costs page."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet

from learningdesk.accounts.models import User
from learningdesk.core.forms import GovukFormMixin
from learningdesk.employers.funding import FundingFilter, Period, Preset, preset_period
from learningdesk.employers.models import FundingBid
from learningdesk.learning.models import Activity
from learningdesk.org import scoping
from learningdesk.org.models import Employer, OrgUnit

# Checkboxes for every activity of a national scope would be thousands: the form shows the ticked ones and
# the newest (or those found by title), and a "Find" button works without JavaScript.
ACTIVITIES_SHOWN = 30


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})" if obj.code else obj.name


class ActivityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title}, {obj.unit.name}"


def _ids(values: list[object]) -> list[int]:
    return [int(str(value)) for value in values if str(value).isdigit()]


class FundingBidForm(GovukFormMixin, forms.ModelForm):
    unit = UnitChoiceField(
        queryset=OrgUnit.objects.none(), label="Whose bid is it?", help_text="The branch or unit that holds the money."
    )
    find_activities = forms.CharField(
        label="Find an activity",
        required=False,
        max_length=100,
        help_text="Words in its title, then press “Find activities”. What you have entered so far is kept.",
    )
    activities = ActivityChoiceField(
        queryset=Activity.objects.none(),
        required=False,
        label="Tick the activities it pays for",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = FundingBid
        fields = [
            "title",
            "unit",
            "source",
            "funder",
            "amount",
            "status",
            "submitted_on",
            "decided_on",
            "starts_on",
            "ends_on",
            "funds",
            "activities",
            "employer",
            "notes",
        ]
        labels = {
            "title": "Name of the bid or grant",
            "source": "Where the money comes from",
            "funder": "Funder's name",
            "amount": "Amount (£)",
            "submitted_on": "Date submitted",
            "decided_on": "Date decided",
            "starts_on": "Funding starts",
            "ends_on": "Funding ends",
            "funds": "What it pays for",
            "employer": "Employer",
        }
        help_texts = {
            "title": "For example: Maths and English at the depots, 2027",
            "funder": "For example: the union learning fund, the council, the Learning and Work Institute.",
            "amount": "In pounds: what you asked for, or what was awarded once it is decided.",
            "submitted_on": "Needed once the bid is submitted.",
            "decided_on": "Needed once the funder has said yes or no.",
            "funds": "Courses, books, cover for time off, a tutor's fees…",
            "employer": "If it is with one employer: it shows on the employer's page.",
        }
        widgets = {
            "source": forms.RadioSelect,
            "status": forms.RadioSelect,
            "funds": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = FundingBid.Source.choices  # no "---------" among the radios
        units = scoping.editable_units(user).order_by("path")
        self.fields["unit"].queryset = units
        if self.instance.pk is None and not self.is_bound and len(only := list(units[:2])) == 1:
            self.initial["unit"] = only[0].pk
        employers: QuerySet[Employer] = scoping.visible_employers(user).order_by("name")
        self.fields["employer"].queryset = employers
        self.fields["employer"].empty_label = "Not with one employer"
        self.fields["amount"].widget.attrs.update(inputmode="decimal", spellcheck="false")
        self.fields["amount"].widget.attrs["class"] += " govuk-input--width-10"
        activities = scoping.visible_activities(user)
        field = self.fields["activities"]
        field.queryset = activities  # every activity in scope may be ticked (found, or posted by hand)
        field.widget.choices = self._activity_choices(activities)

    def _activity_choices(self, activities: QuerySet[Activity]) -> list[tuple[int, str]]:
        """The ticked activities and the newest (or those found by title), by title."""
        if self.is_bound:
            ticked = _ids(self["activities"].value() or [])
            text = " ".join(str(self.data.get(self.add_prefix("find_activities"), "")).split())[:100]
        else:
            ticked = list(self.instance.activities.values_list("pk", flat=True)) if self.instance.pk else []
            text = ""
        found = activities.filter(title__icontains=text) if text else activities.order_by("-created_at", "-pk")
        shown = set(ticked) | set(found.values_list("pk", flat=True)[:ACTIVITIES_SHOWN])
        field = self.fields["activities"]
        return [
            (activity.pk, field.label_from_instance(activity))
            for activity in activities.filter(pk__in=shown).order_by("title", "pk")
        ]

    @property
    def activities_searched(self) -> str:
        return " ".join(str(self.data.get(self.add_prefix("find_activities"), "")).split()) if self.is_bound else ""


class FundingFilterForm(GovukFormMixin, forms.Form):
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *FundingBid.Status.choices])
    source = forms.ChoiceField(
        label="Where the money comes from", required=False, choices=[("", "Anywhere"), *FundingBid.Source.choices]
    )
    employer = forms.ModelChoiceField(
        label="Employer", queryset=Employer.objects.none(), required=False, empty_label="Any employer"
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the employers that have bids the user can see: a short list even for a national view.
        with_bids = scoping.visible_funding_bids(user).exclude(employer=None).values("employer")
        self.fields["employer"].queryset = Employer.objects.filter(pk__in=with_bids).order_by("name")

    def filters(self) -> FundingFilter:
        if not self.is_valid():
            return FundingFilter()
        data = self.cleaned_data
        employer = data["employer"]
        return FundingFilter(
            status=data["status"] or "", source=data["source"] or "", employer_id=employer.pk if employer else None
        )


class CostsPeriodForm(GovukFormMixin, forms.Form):
    """The costs page's period (GET): this year so far, last year, or dates of the user's choosing."""

    period = forms.ChoiceField(
        label="Period",
        choices=Preset.CHOICES,
        initial=Preset.THIS_YEAR,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a period"},
    )
    starts_on = forms.DateField(label="From", required=False, widget=forms.DateInput())
    ends_on = forms.DateField(label="To", required=False, widget=forms.DateInput(), help_text="Counted in full.")

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") != Preset.CUSTOM:
            return data
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if not starts_on and "starts_on" not in self.errors:
            self.add_error("starts_on", "Enter the first day of the period")
        if not ends_on and "ends_on" not in self.errors:
            self.add_error("ends_on", "Enter the last day of the period")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The last day must be on or after the first day")
        return data

    def chosen(self) -> tuple[str, Period]:
        """The preset and the period it gives; this year so far while the form is empty or wrong."""
        if not self.is_bound or not self.is_valid():
            return Preset.THIS_YEAR, preset_period(Preset.THIS_YEAR, self.today)
        preset = self.cleaned_data["period"]
        if preset == Preset.CUSTOM:
            return preset, Period(self.cleaned_data["starts_on"], self.cleaned_data["ends_on"])
        return preset, preset_period(preset, self.today)
