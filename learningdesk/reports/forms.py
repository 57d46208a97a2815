"""Forms for targets: which unit and period to look at, a target, and the Amicus-AEEU template to adapt."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet

from learningdesk.accounts.models import User
from learningdesk.core.forms import GovukFormMixin
from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit
from learningdesk.reports.measures import MEASURE_HELP
from learningdesk.reports.models import Measure, Target
from learningdesk.reports.targets import AMICUS_TEMPLATE, long_date


class UnitChoiceField(forms.ModelChoiceField):
    """Units listed as in the tree: indented by depth, so "Derby City" sits under "East Midlands"."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{'— ' * max(obj.depth - 1, 0)}{obj.name}"


@dataclass(frozen=True)
class Period:
    starts_on: datetime.date
    ends_on: datetime.date  # the last day counted

    @property
    def label(self) -> str:
        whole_year = self.starts_on == datetime.date(self.ends_on.year, 1, 1) and (
            self.ends_on.month,
            self.ends_on.day,
        ) == (12, 31)
        if whole_year:
            return str(self.starts_on.year)
        return f"{long_date(self.starts_on)} to {long_date(self.ends_on)}"

    def as_query(self) -> dict[str, str]:
        """The query string that chooses this period again on the targets pages."""
        return {"period": "dates", "starts_on": self.starts_on.isoformat(), "ends_on": self.ends_on.isoformat()}


def year_of(year: int) -> Period:
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31))


PRESETS = (("this_year", "This year"), ("last_year", "Last year"), ("next_year", "Next year"))
PERIOD_CHOICES = (*PRESETS, ("dates", "Choose the dates"))


def preset_period(preset: str, today: datetime.date) -> Period:
    offset = {"last_year": -1, "next_year": 1}.get(preset, 0)
    return year_of(today.year + offset)


def _end_not_before_start(form: forms.BaseForm, data: dict[str, Any], *, start: str, end: str) -> None:
    if data.get(start) and data.get(end) and data[end] < data[start]:
        form.add_error(end, "The last day must be on or after the first day")


def check_chosen_dates(form: forms.BaseForm, data: dict[str, Any]) -> None:
    """A unit-and-period picker's "dates" choice needs both days, the last on or after the first."""
    if data.get("period") != "dates":
        return
    if not data.get("starts_on") and "starts_on" not in form.errors:
        form.add_error("starts_on", "Enter the first day of the period")
    if not data.get("ends_on") and "ends_on" not in form.errors:
        form.add_error("ends_on", "Enter the last day of the period")
    _end_not_before_start(form, data, start="starts_on", end="ends_on")


class TargetsViewForm(GovukFormMixin, forms.Form):
    """Which unit's targets to show, and for which period (GET): the top of the user's scope, this year, at first."""

    unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label="Unit", empty_label=None)
    period = forms.ChoiceField(label="Period", choices=PERIOD_CHOICES, widget=forms.RadioSelect)
    starts_on = forms.DateField(label="From", required=False, widget=forms.DateInput())
    ends_on = forms.DateField(label="To", required=False, widget=forms.DateInput(), help_text="Counted in full.")

    def __init__(self, *args: Any, user: User, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["unit"].queryset = scoping.target_units(user).order_by("path")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_chosen_dates(self, data)
        return data

    def chosen_period(self) -> Period:
        """The period asked for; this year while the form is empty, or its dates are wrong."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("period") == "dates":
            return Period(data["starts_on"], data["ends_on"])
        return preset_period(data.get("period") or "this_year", self.today)

    @property
    def unit_is_out_of_scope(self) -> bool:
        """A unit asked for that the user may not see (or that does not exist): answered with 404."""
        return self.is_bound and "unit" in self.errors and bool(self.data.get("unit"))


class TargetForm(GovukFormMixin, forms.ModelForm):
    unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label="Unit", help_text="The branch, region or nation.")

    class Meta:
        model = Target
        fields = ["unit", "measure", "value", "starts_on", "ends_on", "note"]
        labels = {
            "measure": "What to count",
            "value": "Target",
            "starts_on": "Period from",
            "ends_on": "Period to",
            "note": "Note",
        }
        help_texts = {
            "value": "A whole number, for example 250.",
            "ends_on": "The last day counted.",
            "note": "Where the figure comes from, for example the regional plan.",
        }
        widgets = {"starts_on": forms.DateInput(), "ends_on": forms.DateInput()}
        error_messages = {
            "value": {"required": "Enter the target as a whole number", "invalid": "Enter a whole number, like 250"},
            "measure": {"required": "Choose what to count"},
            "starts_on": {"required": "Enter the first day of the period", "invalid": "Enter a real date"},
            "ends_on": {"required": "Enter the last day of the period", "invalid": "Enter a real date"},
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units: QuerySet[OrgUnit] = scoping.target_units(user, for_change=True).order_by("path")
        self.fields["unit"].queryset = units
        self.fields["unit"].error_messages["invalid_choice"] = "Choose a unit you look after"
        self.fields["measure"].choices = [("", "Choose what to count"), *Measure.choices]
        self.fields["value"].widget.attrs.update(inputmode="numeric", min=0)
        self.fields["value"].widget.attrs["class"] = "govuk-input govuk-input--width-10"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _end_not_before_start(self, data, start="starts_on", end="ends_on")
        return data

    def validate_unique(self) -> None:
        """Left to `targets.target_save`, which names the existing target (Django's message would not)."""

    def validate_constraints(self) -> None:
        """The same: the dates' order is checked in `clean`, the one target per period by the service."""


@dataclass(frozen=True)
class TemplateRow:
    """One measure of the template as the page shows it: the box to keep it and its value."""

    measure: str
    label: str
    help: str
    use: forms.BoundField
    value: forms.BoundField


class TemplateForm(GovukFormMixin, forms.Form):
    """The Amicus-AEEU national figures to adapt: change a value, untick what you don't want, choose unit and period."""

    unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label="Which unit are these targets for?")
    starts_on = forms.DateField(
        label="Period from", widget=forms.DateInput(), error_messages={"required": "Enter the first day of the period"}
    )
    ends_on = forms.DateField(
        label="Period to",
        widget=forms.DateInput(),
        help_text="The last day counted.",
        error_messages={"required": "Enter the last day of the period"},
    )

    def __init__(self, *args: Any, user: User, period: Period, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = scoping.target_units(user, for_change=True).order_by("path")
        self.fields["unit"].queryset = units
        self.fields["unit"].error_messages["invalid_choice"] = "Choose a unit you look after"
        self.initial.setdefault("starts_on", period.starts_on)
        self.initial.setdefault("ends_on", period.ends_on)
        for measure, value in AMICUS_TEMPLATE:
            label = Measure(measure).label
            self.fields[f"use_{measure}"] = forms.BooleanField(
                label=f"Set a target for {label.lower()}", required=False, initial=True
            )
            self.fields[measure] = forms.IntegerField(
                label="Target",
                min_value=0,
                initial=value,
                error_messages={
                    "required": f"Enter the target for {label.lower()}, or untick it",
                    "invalid": f"Enter the target for {label.lower()} as a whole number",
                    "min_value": f"The target for {label.lower()} cannot be below 0",
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            )
            self.fields[measure].widget.attrs["class"] = "govuk-input govuk-input--width-10"

    def rows(self) -> list[TemplateRow]:
        return [
            TemplateRow(
                measure=measure,
                label=Measure(measure).label,
                help=MEASURE_HELP[measure],
                use=self[f"use_{measure}"],
                value=self[measure],
            )
            for measure, _value in AMICUS_TEMPLATE
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _end_not_before_start(self, data, start="starts_on", end="ends_on")
        if not any(data.get(f"use_{measure}") for measure, _value in AMICUS_TEMPLATE):
            raise forms.ValidationError("Tick at least one target to save.")
        return data

    def full_clean(self) -> None:
        """A value is needed only for a ticked measure: what is typed next to an unticked one is ignored."""
        super().full_clean()
        if self.is_bound:
            for measure, _value in AMICUS_TEMPLATE:
                if not self.cleaned_data.get(f"use_{measure}"):
                    self.errors.pop(measure, None)

    def chosen_values(self) -> dict[str, int]:
        """The ticked measures and their values, in the template's order."""
        data = self.cleaned_data
        return {measure: data[measure] for measure, _value in AMICUS_TEMPLATE if data.get(f"use_{measure}")}
