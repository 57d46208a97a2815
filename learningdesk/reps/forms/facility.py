"""Forms for facility time and conversations: short, big targets, quick to fill in on a phone."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from learningdesk.core.forms import GovukFormMixin
from learningdesk.org.models import Employer, Person
from learningdesk.reps import facility
from learningdesk.reps.models import Conversation, FacilityAllowance, FacilityTimeEntry, Rep

# The amounts a rep logs most often, one tap each; anything else is typed in the box under them.
QUICK_HOURS = (
    ("0.5", "Half an hour"),
    ("1", "1 hour"),
    ("1.5", "1½ hours"),
    ("2", "2 hours"),
    ("3", "3 hours"),
)


class RepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Rep) -> str:  # type: ignore[override]
        return f"{obj.person.full_name}, {obj.kind.name}"


class EmployerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employer) -> str:  # type: ignore[override]
        return obj.name


def _set_rep_field(form: forms.Form, reps: QuerySet[Rep] | None) -> None:
    """Ask which role, for someone who holds several; otherwise there is no question."""
    if reps is None:
        del form.fields["rep"]
        return
    form.fields["rep"] = RepChoiceField(
        queryset=reps,
        label="Which of your roles is this for?",
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        empty_label=None,
        error_messages={"required": "Select which of your roles this is for"},
    )


def _date_field(label: str = "Date") -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput,
        error_messages={"required": "Enter the date", "invalid": "Enter a real date"},
    )


def _clean_log_date(value: datetime.date) -> datetime.date:
    try:
        facility.check_log_date(value)
    except ValidationError as error:
        raise ValidationError(error.message_dict["on"]) from error
    return value


class TimeEntryForm(GovukFormMixin, forms.Form):
    """Log facility time. `reps` (the user's own roles, when they hold several) adds a choice of role;
    `employers` (when the rep works for more than one) a choice of employer."""

    rep = forms.Field(required=False)  # replaced in __init__, or removed
    on = _date_field()
    hours_choice = forms.ChoiceField(
        label="How long?",
        choices=QUICK_HOURS,
        widget=forms.RadioSelect,
        required=False,
    )
    # Always shown rather than revealed by "another amount": GOV.UK's conditional radios put aria-expanded on
    # a radio button, which assistive technology does not support.
    hours_other = forms.CharField(
        label="Or type the hours",
        required=False,
        max_length=8,
        help_text="For example 0.75 for three quarters of an hour, or 4.5. Used instead of a choice above.",
        widget=forms.TextInput(
            attrs={
                "inputmode": "decimal",
                "autocomplete": "off",
                "spellcheck": "false",
                "class": "govuk-input--width-4",
            }
        ),
    )
    purpose = forms.ChoiceField(
        label="What for?",
        choices=FacilityTimeEntry.Purpose.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the time was for"},
    )
    employer = forms.Field(required=False)  # replaced in __init__, or removed
    note = forms.CharField(label="Note", required=False, max_length=250, help_text="For example, who you helped.")

    def __init__(
        self, *args: Any, reps: QuerySet[Rep] | None = None, employers: list[Employer] | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)
        _set_rep_field(self, reps)
        if employers and len(employers) > 1:
            self.fields["employer"] = EmployerChoiceField(
                queryset=Employer.objects.filter(pk__in=[e.pk for e in employers]).order_by("name"),
                label="Which employer?",
                widget=forms.RadioSelect,
                empty_label=None,
                error_messages={"required": "Select the employer you did this for"},
            )
            self.initial.setdefault("employer", employers[0].pk)
        else:
            del self.fields["employer"]
        # GovukFormMixin styled the placeholders; style the fields that replaced them.
        for name in ("rep", "employer"):
            if name in self.fields:
                self.fields[name].widget.attrs["class"] = "govuk-radios__input"

    def clean_on(self) -> datetime.date:
        return _clean_log_date(self.cleaned_data["on"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        typed = (data.get("hours_other") or "").strip().replace(",", ".")
        if not typed:
            if data.get("hours_choice"):
                data["hours"] = Decimal(data["hours_choice"])
            elif "hours_choice" not in self.errors:
                self.add_error("hours_choice", "Select how long you spent, or type the hours")
            return data
        try:
            hours = Decimal(typed)
            facility.check_hours(hours)
        except (InvalidOperation, ValidationError):
            self.add_error("hours_other", "Enter hours between 0.25 and 24, like 0.75 or 4.5")
            return data
        data["hours"] = hours.quantize(Decimal("0.01"))
        return data


class ConversationForm(GovukFormMixin, forms.Form):
    """Log a conversation: who with (chosen from the people at the rep's workplaces, or just a name)."""

    rep = forms.Field(required=False)  # replaced in __init__, or removed
    name = forms.CharField(
        label="Who did you talk to?",
        required=False,
        max_length=120,
        help_text="Type their name to find them at your workplace, or just write a first name.",
    )
    # The person chosen from the matches shown under the name (rendered by the page, not by the field: the
    # choices are everyone at the rep's workplaces, and only the matches are shown).
    person = forms.CharField(required=False, widget=forms.HiddenInput)
    on = _date_field()
    about = forms.ChoiceField(
        label="What about?",
        choices=Conversation.About.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what you talked about"},
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.BooleanField(label="Needs a follow-up", required=False)
    wants_to_be_rep = forms.BooleanField(
        label="They would like to become a rep",
        required=False,
        help_text="If you chose them from the list, they go on the register as a prospect for your co-ordinator.",
    )

    def __init__(
        self, *args: Any, reps: QuerySet[Rep] | None = None, people: QuerySet[Person] | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)
        _set_rep_field(self, reps)
        self.people = people if people is not None else Person.objects.none()

    def clean_on(self) -> datetime.date:
        return _clean_log_date(self.cleaned_data["on"])

    def clean_person(self) -> Person | None:
        value = (self.cleaned_data.get("person") or "").strip()
        if not value:
            return None
        person = self.people.filter(pk=value).first() if value.isdigit() else None
        if person is None:
            raise ValidationError("Choose someone from the list, or write their name")
        return person

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "person" in self.errors:
            self.add_error("name", self.errors.pop("person"))
        elif not data.get("person") and not " ".join((data.get("name") or "").split()):
            self.add_error("name", "Enter who you talked to: a first name is enough")
        return data


class AllowanceForm(GovukFormMixin, forms.ModelForm):
    """Facility time agreed with one of the rep's employers."""

    employer = EmployerChoiceField(
        queryset=Employer.objects.none(),
        label="Employer",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the employer who agreed the time"},
    )

    class Meta:
        model = FacilityAllowance
        fields = ["employer", "hours", "per", "agreed_on", "notes"]
        labels = {"hours": "Hours", "per": "Per", "agreed_on": "Date agreed", "notes": "Notes"}
        help_texts = {
            "hours": "For example 4 or 7.5.",
            "notes": "For example, who agreed it, or where it is written down.",
        }
        widgets = {
            "hours": forms.NumberInput(
                attrs={"inputmode": "decimal", "step": "0.25", "min": "0.25", "class": "govuk-input--width-4"}
            ),
            "per": forms.RadioSelect,
            "agreed_on": forms.DateInput,
        }
        error_messages = {
            "hours": {
                "required": "Enter the hours agreed",
                "min_value": "Enter at least 0.25 hours",
                "max_value": "Enter 200 hours or fewer",
                "invalid": "Enter the hours as a number, like 4 or 7.5",
            },
            "per": {"required": "Select a week or a month"},
        }

    def __init__(self, *args: Any, employers: list[Employer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["employer"]
        field.queryset = Employer.objects.filter(pk__in=[e.pk for e in employers]).order_by("name")
        field.widget.attrs["class"] = "govuk-radios__input"
        self.fields["per"].choices = [(FacilityAllowance.Per.WEEK, "A week"), (FacilityAllowance.Per.MONTH, "A month")]

    def validate_unique(self) -> None:
        """One agreement per rep and employer: the service replaces an existing one rather than refusing."""


class ReportFilterForm(GovukFormMixin, forms.Form):
    """The facility time report's filters (GET): the period and one employer."""

    period = forms.ChoiceField(
        label="Period", choices=facility.Period.choices, required=False, initial=facility.Period.QUARTER
    )
    employer = EmployerChoiceField(
        queryset=Employer.objects.none(), label="Employer", required=False, empty_label="All employers"
    )

    def __init__(self, *args: Any, employers: QuerySet[Employer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers
