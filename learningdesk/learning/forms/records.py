"""The form a learner uses to ask for a link to their own learning record."""

from __future__ import annotations

from django import forms

from learningdesk.core.forms import GovukFormMixin


class RecordRequestForm(GovukFormMixin, forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The address you gave when you signed up for learning.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
