"""Which unit and period the equality, recruitment and news pages are for (GET forms, part D "equality")."""

from __future__ import annotations

import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django import forms
from django.db.models import QuerySet

from learningdesk.core.forms import GovukFormMixin
from learningdesk.org.models import OrgUnit
from learningdesk.reports.forms import Period, UnitChoiceField, check_chosen_dates

# Meteorological seasons, as newsletters speak of them: "this autumn" is September to November.
SEASONS = ((3, "spring"), (6, "summer"), (9, "autumn"), (12, "winter"))

PERIOD_CHOICES = (
    ("this_year", "This year"),
    ("last_year", "Last year"),
    ("season", "This season"),
    ("last_quarter", "The last three whole months"),
    ("last_12_months", "The last 12 months"),
    ("dates", "Choose the dates"),
)


def season_of(day: datetime.date) -> tuple[str, Period]:
    """The season a day falls in ("autumn") and its first and last days (winter runs into the next year)."""
    first_month = max((month for month, _name in SEASONS if month <= day.month), default=12)
    name = dict(SEASONS)[first_month]
    year = day.year if first_month <= day.month else day.year - 1
    starts_on = datetime.date(year, first_month, 1)
    return name, Period(starts_on, starts_on + relativedelta(months=3) - datetime.timedelta(days=1))


def preset_period(preset: str, today: datetime.date) -> Period:
    if preset == "last_year":
        return Period(datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31))
    if preset == "season":
        return season_of(today)[1]
    if preset == "last_quarter":
        this_month = today.replace(day=1)
        return Period(this_month - relativedelta(months=3), this_month - datetime.timedelta(days=1))
    if preset == "last_12_months":
        return Period(today - relativedelta(years=1) + datetime.timedelta(days=1), today)
    return Period(datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31))


class ReportForm(GovukFormMixin, forms.Form):
    """A unit among those the page may show and a period: the top unit and the page's usual period at first."""

    # Not required: a link without one (a bare ?format=csv, say) means the top unit.
    unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label="Unit", empty_label=None, required=False)
    period = forms.ChoiceField(label="Period", choices=PERIOD_CHOICES, widget=forms.RadioSelect, required=False)
    starts_on = forms.DateField(label="From", required=False, widget=forms.DateInput())
    ends_on = forms.DateField(label="To", required=False, widget=forms.DateInput(), help_text="Counted in full.")

    def __init__(
        self, *args: Any, units: QuerySet[OrgUnit], today: datetime.date, usual_period: str = "this_year", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.usual_period = usual_period
        self.fields["unit"].queryset = units.order_by("path")
        self.fields["period"].initial = usual_period

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_chosen_dates(self, data)
        return data

    @property
    def unit_is_out_of_scope(self) -> bool:
        """A unit asked for that the user may not see here (or that does not exist): the page answers 404."""
        return self.is_bound and "unit" in self.errors and bool(self.data.get("unit"))

    def choice(self) -> tuple[OrgUnit, Period] | None:
        """The unit and period asked for (the top unit and the usual period when none were); None on an error."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if self.is_bound and self.errors:
            return None
        unit = data.get("unit") or self.fields["unit"].queryset.first()
        if unit is None:
            return None
        if data.get("period") == "dates":
            return unit, Period(data["starts_on"], data["ends_on"])
        return unit, preset_period(data.get("period") or self.usual_period, self.today)
