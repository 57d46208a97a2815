"""Forms for employer contacts and the notes of conversations with them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from learningdesk.core.forms import GovukFormMixin
from learningdesk.employers.models import ContactNote, EmployerContact


class ContactForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = EmployerContact
        fields = ["name", "kind", "job_title", "workplace", "email", "phone", "notes", "is_current"]
        widgets = {
            "kind": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"kind": "Their role", "workplace": "Where they work", "email": "Email address", "phone": "Phone"}
        help_texts = {
            "job_title": "As the employer calls it, for example Learning and Development Manager.",
            "email": "Needed to invite them to sign in and see what you share with the employer.",
            "workplace": "Leave blank if they work across the employer.",
            "notes": "Anything useful: the best time to call, who they report to.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact: EmployerContact = self.instance
        self.fields["name"].error_messages["required"] = "Enter the contact’s name"
        self.fields["workplace"].queryset = contact.employer.workplaces.order_by("name")
        self.fields["workplace"].empty_label = "Across the employer"
        self.fields["email"].widget.attrs.update(autocomplete="off")
        if contact.pk is None:
            del self.fields["is_current"]
        else:
            self.fields["is_current"].help_text = "Untick when they leave or change job: their sign-in, if any, ends."
        if contact.user_id is not None:
            self.fields[
                "email"
            ].help_text = f"They sign in as {contact.user.email}; changing this address does not change their login."  # type: ignore[union-attr]


class ContactNoteForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = ContactNote
        fields = ["on", "method", "summary", "next_step"]
        widgets = {
            "on": forms.DateInput(),
            "method": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "on": "Date",
            "method": "How you talked",
            "summary": "What was said",
            "next_step": "What happens next",
        }
        help_texts = {
            "next_step": "For example: she will ask the managers about time off; we send the survey findings."
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["summary"].error_messages["required"] = "Enter what was said"
        # The model's default date (today) would add a hidden "initial" copy of the field: not needed here.
        self.fields["on"].show_hidden_initial = False

    def clean_on(self) -> Any:
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError("The date of the conversation must be today or in the past")
        return on
