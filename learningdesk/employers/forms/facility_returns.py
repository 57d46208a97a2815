"""Forms for an employer's facility-time figures: starting them, their pay inputs and the officials' inputs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from learningdesk.core.forms import GovukFormMixin
from learningdesk.employers import facility_figures
from learningdesk.employers.models import FacilityTimeReturn, ReturnOfficial
from learningdesk.org.models import Employer
from learningdesk.reps.models import Rep

NUMBER = {"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"}


def number_input(width: int) -> forms.TextInput:
    """A text box for a number: a phone shows its number keys, and nothing spins or rounds what was typed."""
    return forms.TextInput(attrs={**NUMBER, "class": f"govuk-input--width-{width}"})


def number_messages(what: str, *, low: str, high: str | None = None, places: int = 2) -> dict[str, str]:
    """Messages that say what to fix, in place of Django's "Ensure this value is ..."."""
    messages = {
        "required": f"Enter {what}",
        "invalid": f"Enter {what} as a number, like {low}",
        "min_value": f"{what[:1].upper()}{what[1:]} must be {low} or more",
        "max_decimal_places": f"Enter {what} with no more than {places} decimal place{'s' if places > 1 else ''}",
        "max_digits": f"{what[:1].upper()}{what[1:]} is too large",
        "max_whole_digits": f"{what[:1].upper()}{what[1:]} is too large",
    }
    if high is not None:
        messages["max_value"] = f"{what[:1].upper()}{what[1:]} must be {high} or fewer"
    return messages


PAY_BILL_HINT = (
    "The employer's total spending on pay for the year, in pounds: gross pay plus its pension and National "
    "Insurance contributions. Public bodies give it in their annual accounts. Leave it blank if you don't know it "
    "yet: the other figures don't need it."
)
FULL_TIME_HINT = "A full-time employee's contracted hours a week at this employer, often 37 or 37.5."


class EmployerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employer) -> str:
        return obj.name if obj.is_public_sector else f"{obj.name} (not public sector)"


class ReturnAddForm(GovukFormMixin, forms.ModelForm):
    employer = EmployerChoiceField(queryset=Employer.objects.none(), label="Employer")

    class Meta:
        model = FacilityTimeReturn
        fields = ["employer", "year", "full_time_hours", "total_pay_bill"]
        labels = {
            "year": "Relevant period",
            "full_time_hours": "Full-time hours a week",
            "total_pay_bill": "Total pay bill for the period, in pounds (£)",
        }
        help_texts = {
            "full_time_hours": FULL_TIME_HINT,
            "total_pay_bill": PAY_BILL_HINT,
        }
        widgets = {"full_time_hours": number_input(4), "total_pay_bill": number_input(10)}
        error_messages = {
            "full_time_hours": number_messages("the full-time hours a week", low="1", high="80"),
            "total_pay_bill": number_messages("the total pay bill", low="0"),
        }

    def __init__(self, *args: Any, employers: QuerySet[Employer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.existing: FacilityTimeReturn | None = None
        employer_field = self.fields["employer"]
        # Public-sector employers first: they are the ones the Regulations require to publish.
        employer_field.queryset = employers.order_by("-is_public_sector", "name", "pk")
        employer_field.help_text = (
            "Public-sector employers must publish these figures each year. You can produce them for any "
            "employer, for example to compare with what a private employer says."
        )
        employer_field.empty_label = "Choose an employer"
        employer_field.error_messages["required"] = "Select the employer"
        employer_field.error_messages["invalid_choice"] = "Select one of the employers you work with"
        today = timezone.localdate()
        self.fields["year"] = forms.TypedChoiceField(
            label="Relevant period",
            choices=facility_figures.year_choices(today),
            coerce=int,
            initial=facility_figures.last_complete_year(today),
            help_text="The Regulations' years run from 1 April to 31 March.",
            error_messages={
                "required": "Select the relevant period",
                "invalid_choice": "Select a period from the list",
            },
        )
        self.fields["year"].widget.attrs["class"] = "govuk-select"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        employer, year = data.get("employer"), data.get("year")
        if employer is not None and year is not None:
            # One set of figures per employer and year: the page links to the one there is.
            self.existing = FacilityTimeReturn.objects.filter(employer=employer, year=year).first()
            if self.existing is not None:
                self.add_error(None, facility_figures.already_made_error(employer, year))
        return data


class ReturnEditForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = FacilityTimeReturn
        fields = ["total_pay_bill", "full_time_hours", "employer_figures"]
        labels = {
            "total_pay_bill": "Total pay bill for the period, in pounds (£)",
            "full_time_hours": "Full-time hours a week",
            "employer_figures": "What the employer published",
        }
        help_texts = {
            "total_pay_bill": PAY_BILL_HINT,
            "full_time_hours": FULL_TIME_HINT + " Each official's full-time equivalent is worked out from it.",
            "employer_figures": "Copy its published figures here (from its website, annual report or GOV.UK's "
            "facility time publications), to set them beside the branch's own.",
        }
        widgets = {
            "total_pay_bill": number_input(10),
            "full_time_hours": number_input(4),
            "employer_figures": forms.Textarea(attrs={"rows": 8}),
        }
        error_messages = {
            "full_time_hours": number_messages("the full-time hours a week", low="1", high="80"),
            "total_pay_bill": number_messages("the total pay bill", low="0"),
        }


OFFICIAL_FIELDS = ["hours_per_week", "weeks", "hourly_cost"]
OFFICIAL_LABELS = {
    "hours_per_week": "Contracted hours a week",
    "weeks": "Weeks as an official in the period",
    "hourly_cost": "Hourly cost to the employer (£)",
}
OFFICIAL_WIDGETS = {"hours_per_week": number_input(4), "weeks": number_input(4), "hourly_cost": number_input(5)}
OFFICIAL_MESSAGES = {
    "hours_per_week": number_messages("their contracted hours a week", low="0.5", high="80"),
    "weeks": number_messages("the weeks they were an official", low="0.1", high="52.2", places=1),
    "hourly_cost": number_messages("their hourly cost", low="0"),
}


class OfficialForm(GovukFormMixin, forms.ModelForm):
    """One official's inputs; the formset adds its "Remove" box. The page explains the fields once, above them all."""

    class Meta:
        model = ReturnOfficial
        fields = OFFICIAL_FIELDS
        labels = OFFICIAL_LABELS
        widgets = OFFICIAL_WIDGETS
        error_messages = OFFICIAL_MESSAGES


class BaseOfficialFormSet(forms.BaseModelFormSet):
    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove from these figures"
            form.fields["DELETE"].widget.attrs["class"] = "govuk-checkboxes__input"


OfficialFormSet = forms.modelformset_factory(
    ReturnOfficial, form=OfficialForm, formset=BaseOfficialFormSet, extra=0, can_delete=True
)


class RepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Rep) -> str:
        return f"{obj.person.full_name}, {obj.kind.name} ({obj.person.branch.name})"


class AddOfficialForm(GovukFormMixin, forms.ModelForm):
    """An official to add; left blank, nothing is added (the page saves the others)."""

    rep = RepChoiceField(queryset=Rep.objects.none(), label="Rep", required=True)

    class Meta:
        model = ReturnOfficial
        fields = ["rep", *OFFICIAL_FIELDS]
        labels = OFFICIAL_LABELS
        widgets = OFFICIAL_WIDGETS
        error_messages = OFFICIAL_MESSAGES

    def __init__(self, *args: Any, reps: QuerySet[Rep], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "add")
        kwargs.setdefault("empty_permitted", True)
        kwargs.setdefault("use_required_attribute", False)
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps
        self.fields["rep"].empty_label = "Choose a rep"
        self.fields["rep"].error_messages["required"] = "Select the rep to add"
        self.fields["rep"].error_messages["invalid_choice"] = "Select a rep from the list"
        self.fields["rep"].help_text = "Any of your reps who is not in these figures yet."
