"""Forms for members' data rights: confirming an erasure, asking for a link, and a person's own details."""

from __future__ import annotations

from typing import Any

from django import forms

from learningdesk.core.forms import GovukFormMixin
from learningdesk.org.models import Consent, Person

EMAIL_ERRORS = {
    "required": "Enter your email address",
    "invalid": "Enter an email address in the correct format, like name@example.com",
}


class ConfirmErasureForm(GovukFormMixin, forms.Form):
    understood = forms.BooleanField(
        label="I understand that this cannot be undone",
        error_messages={"required": "Tick the box to say you understand that this cannot be undone"},
    )


class LinkRequestForm(GovukFormMixin, forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The address the union has for you.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages=EMAIL_ERRORS,
    )


CONSENT_ANSWERS = [("yes", "Yes"), ("no", "No")]


class MyDetailsForm(GovukFormMixin, forms.Form):
    """A person's own contact details and consents. A new email address is confirmed from its mailbox first."""

    first_name = forms.CharField(
        label="First name", max_length=80, error_messages={"required": "Enter your first name"}
    )
    last_name = forms.CharField(label="Last name", max_length=80, error_messages={"required": "Enter your last name"})
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="If you change it, we send a link to the new address: it changes when you open that link.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages=EMAIL_ERRORS,
    )
    phone = forms.CharField(
        label="Phone or mobile",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    preferred_language = forms.CharField(
        label="Preferred language", max_length=40, required=False, help_text="For example English, Polish or Welsh."
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in Consent.Kind.choices:
            self.fields[f"consent_{kind}"] = forms.ChoiceField(
                label=f"{label}?",
                choices=CONSENT_ANSWERS,
                required=False,
                widget=forms.RadioSelect,
            )

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not all(ch.isdigit() or ch in " +()-" for ch in phone):
            raise forms.ValidationError("Enter a phone number using only digits, spaces, brackets, + and -")
        return phone

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    @property
    def consent_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("consent_")]

    @property
    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("consent_")]

    def consents(self) -> dict[str, str]:
        return {
            name.removeprefix("consent_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("consent_") and value
        }

    def details(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if not name.startswith("consent_")}
