"""Forms for time off for learners: the list's filters, a request, the manager's decision, and the negotiation
case (a note, who takes it up, closing and reopening it)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.core.forms import GovukFormMixin
from learningdesk.employers import time_off
from learningdesk.employers.models import EmployerContact, NegotiationCase, TimeOffRequest
from learningdesk.learning.models import Activity
from learningdesk.org import scoping
from learningdesk.org.models import Employer, Person

HOURS_WIDGET = forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.25", "class": "govuk-input--width-4"})


def hours_field(label: str, *, required: bool, help_text: str = "") -> forms.DecimalField:
    field = forms.DecimalField(
        label=label,
        required=required,
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("2000"),
        help_text=help_text,
        widget=HOURS_WIDGET,
    )
    field.error_messages.update(
        invalid="Enter the hours as a number, like 6 or 7.5",
        max_decimal_places="Enter the hours to the nearest quarter of an hour, like 7.25",
        max_digits="Enter fewer hours",
        min_value="Enter 0 hours or more",
        max_value="Enter no more than 2,000 hours",
    )
    return field


def not_in_future(value: datetime.date | None, label: str) -> None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(f"{label} must be today or in the past")


# The list -----------------------------------------------------------------------------------------


class TimeOffFilterForm(GovukFormMixin, forms.Form):
    employer = forms.ModelChoiceField(
        label="Employer", queryset=Employer.objects.none(), required=False, empty_label="Any employer"
    )
    decision = forms.ChoiceField(
        label="Decision", required=False, choices=[("", "Any decision"), *TimeOffRequest.Decision.choices]
    )
    starts_on = forms.DateField(label="Asked for from", required=False, widget=forms.DateInput())
    ends_on = forms.DateField(label="Up to", required=False, widget=forms.DateInput())

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = scoping.employers_with_time_off(user).order_by("name")
        self.fields["employer"].error_messages["invalid_choice"] = "Select one of the employers listed"
        self.fields["starts_on"].help_text = "The date the member asked. Leave both dates blank for all time."
        if not self.is_bound:
            self.initial["starts_on"], self.initial["ends_on"] = time_off.last_twelve_months()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The end of the period must be on or after its start")
        return data

    def filters(self) -> time_off.TimeOffFilter:
        """The filters asked for; the last twelve months when the page is first opened."""
        if not self.is_bound:
            starts_on, ends_on = time_off.last_twelve_months()
            return time_off.TimeOffFilter(starts_on=starts_on, ends_on=ends_on)
        if not self.is_valid():
            return time_off.TimeOffFilter()
        data = self.cleaned_data
        return time_off.TimeOffFilter(
            employer=data["employer"],
            decision=data["decision"] or "",
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        )


# A request ----------------------------------------------------------------------------------------


class ActivityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.title


class ManagerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        details = ", ".join(part for part in (obj.job_title or obj.get_kind_display(), obj.employer.name) if part)
        return f"{obj.name} ({details})"


class TimeOffRequestForm(GovukFormMixin, forms.ModelForm):
    activity = ActivityChoiceField(
        label="The learning", queryset=Activity.objects.none(), required=False, empty_label="Not on Learning Desk"
    )
    manager = ManagerChoiceField(
        label="The manager who decides",
        queryset=EmployerContact.objects.none(),
        required=False,
        empty_label="Not listed",
    )
    hours = hours_field(
        "Hours asked for", required=True, help_text="The working hours they need off, for example 6 or 7.5."
    )
    decided = forms.BooleanField(label="The manager has decided already: record the decision next", required=False)

    class Meta:
        model = TimeOffRequest
        fields = ["employer", "activity", "learning", "hours", "requested_on", "manager", "manager_name"]
        labels = {
            "employer": "Employer",
            "learning": "Or what the learning is",
            "requested_on": "Date they asked",
            "manager_name": "Or the manager's name",
        }
        help_texts = {
            "employer": "Who they asked for the time off.",
            "learning": "If it is not an activity on Learning Desk, for example “Level 2 maths at Derby College”.",
            "requested_on": "The date they asked their manager.",
            "manager_name": "If they are not listed above.",
        }
        widgets = {"requested_on": forms.DateInput()}

    def __init__(self, *args: Any, user: User, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        employers = scoping.time_off_employers(user, person).order_by("name")
        self.fields["employer"].queryset = employers
        self.fields["employer"].empty_label = None if person.workplace_id else "Choose the employer"
        self.fields["employer"].error_messages.update(
            required="Select the employer they asked", invalid_choice="Select one of the employers listed"
        )
        if person.workplace_id is not None and self.instance.employer_id is None:
            self.initial["employer"] = person.workplace.employer_id  # type: ignore[union-attr]
        self.fields["activity"].queryset = scoping.time_off_activities(user, person).order_by("title", "pk")
        self.fields["activity"].error_messages["invalid_choice"] = "Select one of the activities listed"
        self.fields["manager"].queryset = (
            scoping.visible_employer_contacts(user)
            .filter(employer__in=employers.values("pk"), is_current=True)
            .order_by("employer__name", "name")
        )
        self.fields["manager"].error_messages["invalid_choice"] = "Select one of the managers listed"
        self.fields["requested_on"].error_messages["required"] = "Enter the date they asked"
        self.fields["requested_on"].show_hidden_initial = False  # today's date by default: no second field for it

    def changed_fields(self) -> list[str]:
        """The request's fields that were filled in, for the audit log."""
        return sorted(set(self.changed_data) & set(self.Meta.fields))

    def clean_requested_on(self) -> datetime.date:
        value = self.cleaned_data["requested_on"]
        not_in_future(value, "The date they asked")
        return value

    def clean_hours(self) -> Decimal:
        value = self.cleaned_data["hours"]
        if value is not None and value < Decimal("0.25"):
            raise forms.ValidationError("Enter at least a quarter of an hour (0.25)")
        return value


# The decision -------------------------------------------------------------------------------------


class DecisionForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="What did the manager decide?",
        choices=[
            (TimeOffRequest.Decision.APPROVED, "Approved: all the hours asked for"),
            (TimeOffRequest.Decision.PARTLY, "Partly approved: some of the hours"),
            (TimeOffRequest.Decision.REFUSED, "Refused"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the manager's decision"},
    )
    hours_approved = hours_field("Hours approved", required=False)
    reason = forms.CharField(
        label="What reason did the manager give?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed for a refusal, in their words if you can. A refusal or a partial approval opens a "
        "negotiation case for the co-ordinator to take up.",
    )
    decided_on = forms.DateField(
        label="Date of the decision",
        widget=forms.DateInput(),
        error_messages={"required": "Enter the date of the decision"},
    )

    def __init__(self, *args: Any, request: TimeOffRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "hours_approved"
        ].help_text = f"Only for a partial approval: how many of the {time_off.hours_label(request.hours)} asked for."
        if not self.is_bound:
            self.initial.setdefault("decided_on", timezone.localdate())
            if request.decision != TimeOffRequest.Decision.PENDING:
                self.initial.update(decision=request.decision, reason=request.reason, decided_on=request.decided_on)
                if request.decision == TimeOffRequest.Decision.PARTLY:
                    self.initial["hours_approved"] = request.hours_approved


# The negotiation case -----------------------------------------------------------------------------


class CaseNoteForm(GovukFormMixin, forms.Form):
    text = forms.CharField(
        label="What happened",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A meeting with the manager, a call with the member, a letter to HR: what was said and what next.",
        error_messages={"required": "Enter what happened"},
    )
    on = forms.DateField(label="Date", widget=forms.DateInput(), error_messages={"required": "Enter the date"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("on", timezone.localdate())

    def clean_on(self) -> datetime.date:
        value = self.cleaned_data["on"]
        not_in_future(value, "The date")
        return value


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class CaseOwnerForm(GovukFormMixin, forms.Form):
    owner = OwnerChoiceField(
        label="Pass it to", queryset=User.objects.none(), required=False, empty_label="No one for now"
    )

    def __init__(self, *args: Any, case: NegotiationCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = scoping.case_coordinators(case.request.person).order_by("full_name", "pk")
        self.fields["owner"].error_messages["invalid_choice"] = "Select one of the co-ordinators listed"
        self.fields["owner"].help_text = "The co-ordinators of the member's branch and region."
        if not self.is_bound:
            self.initial.setdefault("owner", case.owner_id)


class CaseCloseForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="How did it end?",
        choices=NegotiationCase.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the case ended"},
    )
    hours = hours_field("Hours approved in the end", required=False)
    note = forms.CharField(
        label="Closing note",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was agreed, or why the case ends here.",
        error_messages={"required": "Enter a closing note: what was agreed, or why the case ends here"},
    )
    closed_on = forms.DateField(label="Date", widget=forms.DateInput(), error_messages={"required": "Enter the date"})

    def __init__(self, *args: Any, case: NegotiationCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        asked = time_off.hours_label(case.request.hours)
        self.fields["hours"].help_text = (
            f"Only when some time off was given: how many of the {asked} asked for. "
            "The request's hours approved change to match, so the figures say what members got."
        )
        self.initial.setdefault("closed_on", timezone.localdate())

    def clean_closed_on(self) -> datetime.date:
        value = self.cleaned_data["closed_on"]
        not_in_future(value, "The date")
        return value


class CaseReopenForm(GovukFormMixin, forms.Form):
    note = forms.CharField(
        label="Why is it open again?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: the manager went back on what was agreed.",
        error_messages={"required": "Enter why the case is open again"},
    )


class CaseFilterForm(GovukFormMixin, forms.Form):
    status = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "Open and closed cases"), ("open", "Open cases"), ("closed", "Closed cases")],
    )
    mine = forms.BooleanField(label="Only the cases I take up", required=False)

    def filters(self) -> tuple[str, bool]:
        if not self.is_valid():
            return "", False
        return self.cleaned_data["status"] or "", self.cleaned_data["mine"]
