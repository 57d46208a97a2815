"""Forms for committee reports: starting one, changing a draft, and the commentary and budget request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from learningdesk.core.forms import GovukFormMixin, add_service_errors
from learningdesk.org.models import OrgUnit
from learningdesk.reports import committee_services
from learningdesk.reports.models import CommitteeReport

COMMENTARY_HELP = (
    "What you want the committee to know: what went well, what was hard, what comes next. Leave a blank line "
    "between paragraphs."
)
BUDGET_REQUEST_HELP = (
    "What you are asking the branch for, and why: money for a course, a room, release for reps, materials."
)
TITLE_HELP = "Leave it blank for one that says what the report is and the period it covers."


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.kind.name.lower()})"


class ReportAddForm(GovukFormMixin, forms.ModelForm):
    unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label="Which unit is it for?", empty_label=None)

    class Meta:
        model = CommitteeReport
        fields = ["unit", "kind", "starts_on", "ends_on", "title"]
        labels = {
            "kind": "What kind of report?",
            "starts_on": "Period from",
            "ends_on": "Period to",
            "title": "Title",
        }
        help_texts = {
            "kind": "A committee report is for a branch's committee. A progress report compares the units below "
            "(the branches of a region, the regions of the nation) for a steering group.",
            "starts_on": "Filled in from the day after your last report, or as the last quarter.",
            "title": TITLE_HELP,
        }
        widgets = {
            "kind": forms.RadioSelect,
            "starts_on": forms.DateInput,
            "ends_on": forms.DateInput,
        }

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.order_by("path")
        self.fields["kind"].choices = CommitteeReport.Kind.choices
        self.fields["title"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        _check(self, data)
        unit, kind = data.get("unit"), data.get("kind")
        if unit is not None and kind:
            try:
                committee_services.check_kind(unit, kind)
            except ValidationError as error:
                add_service_errors(self, error)
        return data


def _check(form: forms.BaseForm, data: dict[str, Any]) -> None:
    """The period's errors next to its fields, in words (not the database constraint's)."""
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if starts_on and ends_on:
        try:
            committee_services.check_period(starts_on, ends_on)
        except ValidationError as error:
            add_service_errors(form, error)


class ReportEditForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = CommitteeReport
        fields = ["title", "starts_on", "ends_on", "commentary", "budget_request"]
        labels = {
            "starts_on": "Period from",
            "ends_on": "Period to",
            "commentary": "Your commentary",
            "budget_request": "Budget and resources you are asking for",
        }
        help_texts = {"title": TITLE_HELP, "commentary": COMMENTARY_HELP, "budget_request": BUDGET_REQUEST_HELP}
        widgets = {
            "starts_on": forms.DateInput,
            "ends_on": forms.DateInput,
            "commentary": forms.Textarea(attrs={"rows": 8}),
            "budget_request": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        _check(self, data)
        return data


class ReportWordsForm(GovukFormMixin, forms.ModelForm):
    """The co-ordinator's own words, on the draft's page: each of the two saved on its own (`only`)."""

    class Meta:
        model = CommitteeReport
        fields = ["commentary", "budget_request"]
        labels = ReportEditForm.Meta.labels
        help_texts = ReportEditForm.Meta.help_texts
        widgets = ReportEditForm.Meta.widgets

    def __init__(self, *args: Any, only: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if only is not None:
            self.fields = {name: field for name, field in self.fields.items() if name == only}
