"""The sign-up form: on the public page, and in a rep's hand at a stall (stall mode)."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from learningdesk.core.forms import GovukFormMixin
from learningdesk.learning.signups import Details
from learningdesk.org.models import Consent, Workplace

MEMBER_CHOICES = [("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure")]
SAYS_MEMBER = {"yes": True, "no": False, "not_sure": None}
# Each box is its own consent, recorded with time and source; an unticked box records nothing.
CONSENT_FIELDS = {
    "consent_learning": Consent.Kind.LEARNING_NEWS,
    "consent_join": Consent.Kind.JOIN_UNION,
    "consent_rep": Consent.Kind.BECOME_REP,
}
PHONE = re.compile(r"^\+?[0-9 ()-]{7,30}$")


class SignUpForm(GovukFormMixin, forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=80, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Last name", max_length=80, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        help_text="We send the confirmation here, with a link to change or cancel.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label="Mobile number",
        max_length=30,
        required=False,
        help_text="Give an email address, a mobile number or both.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    workplace = forms.ChoiceField(label="Your workplace", required=False)
    workplace_text = forms.CharField(
        label="Or your employer and workplace",
        max_length=160,
        required=False,
        help_text="If yours is not in the list, for example “Derby City Council, Stores Road”.",
    )
    says_member = forms.ChoiceField(
        label="Are you a member of the union?", choices=MEMBER_CHOICES, widget=forms.RadioSelect
    )
    membership_number = forms.CharField(
        label="Membership number", max_length=30, required=False, help_text="If you know it. It is on your card."
    )
    access_needs = forms.CharField(
        label="Anything we should know to make it work for you",
        required=False,
        help_text="For example access needs, childcare or a large-print handout.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent_learning = forms.BooleanField(label="Contact me about learning", required=False)
    consent_join = forms.BooleanField(label="I’m interested in joining the union", required=False)
    consent_rep = forms.BooleanField(
        label="I’d like to know about becoming a ULR",
        required=False,
        help_text="Union learning reps help colleagues into learning.",
    )

    def __init__(self, *args: Any, workplaces: list[Workplace] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"].error_messages["required"] = "Enter your first name"
        self.fields["last_name"].error_messages["required"] = "Enter your last name"
        self.fields["email"].error_messages["invalid"] = "Enter an email address like name@example.com"
        self.fields["says_member"].error_messages["required"] = "Select whether you are a member of the union"
        self._workplaces = {str(place.pk): place for place in workplaces or []}
        if self._workplaces:
            self.fields["workplace"].choices = [("", "Choose your workplace")] + [
                (pk, place.name) for pk, place in self._workplaces.items()
            ]
        else:  # none to choose from (or too many): just the text box
            del self.fields["workplace"]
            self.fields["workplace_text"].label = "Your employer and workplace"
            self.fields["workplace_text"].help_text = "For example “Derby City Council, Stores Road”."

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and (not PHONE.match(phone) or sum(c.isdigit() for c in phone) < 7):
            raise forms.ValidationError("Enter a mobile number, like 07700 900 982")
        return phone

    def clean_workplace(self) -> Workplace | None:
        return self._workplaces.get(self.cleaned_data.get("workplace") or "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        missing = not cleaned.get("email") and not cleaned.get("phone")
        if missing and "email" not in self.errors and "phone" not in self.errors:
            self.add_error("email", "Enter your email address or mobile number, so we can confirm your place")
        return cleaned

    def consent_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in CONSENT_FIELDS]

    def about_you_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in CONSENT_FIELDS and name != "website"]

    def details(self) -> Details:
        """What was typed, for `signups.sign_up` (call after is_valid())."""
        data = self.cleaned_data
        return Details(
            first_name=data["first_name"].strip(),
            last_name=data["last_name"].strip(),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            workplace=data.get("workplace"),
            workplace_text=data.get("workplace_text", "").strip(),
            says_member=SAYS_MEMBER.get(data["says_member"]),
            membership_number=data.get("membership_number", "").strip(),
            access_needs=data.get("access_needs", "").strip(),
            consents={kind for name, kind in CONSENT_FIELDS.items() if data.get(name)},
        )


class PublicSignUpForm(SignUpForm):
    """The form on the public page, with a honeypot: a box people never see (it is hidden, and skipped by the
    keyboard and screen readers) that form-filling robots fill in."""

    website = forms.CharField(
        label="Leave this box empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get(self.add_prefix("website"), "").strip())
