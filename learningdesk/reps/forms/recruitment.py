"""Forms for recruiting reps: which figures to show, and recruitment targets. Choices come from the user's scope."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django import forms

from learningdesk.accounts.models import User
from learningdesk.core.forms import GovukFormMixin
from learningdesk.org import scoping
from learningdesk.org.forms import UnitChoiceField
from learningdesk.org.models import OrgUnit
from learningdesk.reps.models import RecruitmentTarget, RepKind
from learningdesk.reps.recruitment import Period


def target_description(target: RecruitmentTarget) -> str:
    """'8 new ULRs, Derby City, 1 January 2027 to 31 December 2027'."""
    return f"{target}, {target.unit.name}, {long_date(target.starts_on)} to {long_date(target.ends_on)}"


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


class TargetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: RecruitmentTarget) -> str:
        return target_description(obj)


class KindChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: RepKind) -> str:
        return obj.name_plural


@dataclass(frozen=True)
class Filters:
    period: Period
    unit: OrgUnit | None = None
    kind: RepKind | None = None
    target: RecruitmentTarget | None = None


class RecruitmentFilterForm(GovukFormMixin, forms.Form):
    """Which period, unit and kind of rep the recruitment figures are for. Everything is optional."""

    THIS_YEAR = "year"
    LAST_12_MONTHS = "12m"
    TARGET = "target"
    CUSTOM = "custom"

    period = forms.ChoiceField(
        choices=[
            (THIS_YEAR, "This year"),
            (LAST_12_MONTHS, "The last 12 months"),
            (TARGET, "A target's period"),
            (CUSTOM, "Dates you choose"),
        ],
        required=False,
        label="Period",
    )
    target = TargetChoiceField(
        queryset=RecruitmentTarget.objects.none(),
        required=False,
        label="Target",
        empty_label="Choose a target",
        help_text="For “A target's period”.",
    )
    starts_on = forms.DateField(required=False, label="From", help_text="For “Dates you choose”.")
    ends_on = forms.DateField(required=False, label="To")
    unit = UnitChoiceField(queryset=OrgUnit.objects.none(), required=False, label="Unit", empty_label="All your units")
    kind = KindChoiceField(
        queryset=RepKind.objects.all(), required=False, label="Kind of rep", empty_label="Every kind of rep"
    )

    def __init__(self, *args: Any, user: User, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["unit"].queryset = scoping.visible_units(user).order_by("path")
        # Targets of the last few years: enough to look back, short enough for a national list.
        self.fields["target"].queryset = (
            scoping.visible_recruitment_targets(user)
            .filter(ends_on__gte=today - relativedelta(years=3))
            .order_by("-starts_on", "unit__name", "pk")
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        period = data.get("period")
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if not period and (starts_on or ends_on):
            period = data["period"] = self.CUSTOM
        if period == self.TARGET and not data.get("target") and "target" not in self.errors:
            self.add_error("target", "Choose the target whose period you want to see")
        if period == self.CUSTOM:
            if not starts_on and "starts_on" not in self.errors:
                self.add_error("starts_on", "Enter the date the figures start from")
            if not ends_on and "ends_on" not in self.errors:
                self.add_error("ends_on", "Enter the date the figures go to")
            if starts_on and ends_on and ends_on < starts_on:
                self.add_error("ends_on", "The end date must be on or after the start date")
        return data

    def filters(self) -> Filters:
        """What to show: the choices made, or this year across the user's scope when none (or a wrong one) was."""
        default = Filters(period=Period.year_of(self.today))
        if not self.is_bound or not self.is_valid():
            return default
        data = self.cleaned_data
        target = data.get("target") if data.get("period") == self.TARGET else None
        if target is not None:
            period = Period.of_target(target)
        elif data.get("period") == self.CUSTOM:
            period = Period(data["starts_on"], data["ends_on"])
        elif data.get("period") == self.LAST_12_MONTHS:
            period = Period.twelve_months_to(self.today)
        else:
            period = default.period
        return Filters(period=period, unit=data.get("unit"), kind=data.get("kind"), target=target)


class TargetForm(GovukFormMixin, forms.ModelForm):
    unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label="Unit", help_text="Reps of the units below it count.")
    kind = forms.ModelChoiceField(
        queryset=RepKind.objects.all(),
        required=False,
        label="Kind of rep",
        empty_label="Any kind of rep",
    )
    target = forms.IntegerField(
        label="How many new reps",
        min_value=1,
        max_value=10_000,
        help_text="A rep counts once they agree to stand, on the date they agreed.",
        error_messages={
            "required": "Enter how many new reps the target is",
            "invalid": "Enter how many new reps as a whole number, like 8",
            "min_value": "Enter a number of reps of 1 or more",
            "max_value": "Enter a number of reps of 10,000 or fewer",
        },
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
    )

    class Meta:
        model = RecruitmentTarget
        fields = ["unit", "kind", "target", "starts_on", "ends_on"]
        labels = {"starts_on": "From", "ends_on": "To"}

    def __init__(self, *args: Any, user: User, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = scoping.editable_units(user).order_by("path")
        self.fields["unit"].queryset = units
        if not self.instance.pk:
            year = Period.year_of(today)
            self.fields["starts_on"].initial = year.starts_on
            self.fields["ends_on"].initial = year.ends_on
            first_two = list(units[:2])
            if len(first_two) == 1:
                self.fields["unit"].initial = first_two[0]
