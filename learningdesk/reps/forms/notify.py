"""Forms for the employer notification (TULRCA s.168A) and a unit's reminder settings."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.core.forms import GovukFormMixin
from learningdesk.org import scoping
from learningdesk.org.models import Employer
from learningdesk.reps.models import BranchRepSettings, EmployerNotification, Rep

CONTACT_FIELDS = ("contact_name", "contact_job_title", "contact_email", "contact_address")


def notify_employers(user: User, rep: Rep) -> QuerySet[Employer]:
    """The employers of the rep's workplaces; for a rep without a workplace, every employer in scope."""
    employers = scoping.visible_employers(user)
    own = employers.filter(workplaces__reps=rep).distinct()
    return (own if own.exists() else employers).order_by("name")


class NotifyForm(GovukFormMixin, forms.Form):
    employer = forms.ModelChoiceField(queryset=Employer.objects.none(), label="Employer")
    sent_on = forms.DateField(
        label="Date the letter was sent",
        help_text="The six-month training deadline runs from this date.",
        widget=forms.DateInput(),
    )
    method = forms.ChoiceField(
        label="How was it sent?",
        choices=EmployerNotification.Method.choices,
        initial=EmployerNotification.Method.EMAIL,
        widget=forms.RadioSelect,
    )
    contact_name = forms.CharField(
        label="Employer contact",
        max_length=120,
        help_text="Who the letter is addressed to, for example the HR manager.",
    )
    contact_job_title = forms.CharField(label="Their job title", max_length=120, required=False)
    contact_email = forms.EmailField(label="Their email address", required=False)
    contact_address = forms.CharField(
        label="Their postal address", required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=500
    )

    def __init__(self, *args: Any, user: User, rep: Rep, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rep = rep
        employers = notify_employers(user, rep)
        self.fields["employer"].queryset = employers
        self.fields["sent_on"].initial = timezone.localdate()
        self.fields["contact_email"].widget.attrs.update(autocomplete="off")
        choices = list(employers[:2])
        if len(choices) == 1 and not self.is_bound:
            self.fields["employer"].initial = choices[0]
            # Nothing typed twice: a letter to this employer from the branch before names the same contact.
            previous = (
                EmployerNotification.objects.filter(employer=choices[0], rep__in=scoping.visible_reps(user))
                .order_by("-sent_on", "-id")
                .first()
            )
            if previous is not None:
                for name in CONTACT_FIELDS:
                    self.fields[name].initial = getattr(previous, name)

    def clean_sent_on(self) -> datetime.date:
        sent_on: datetime.date = self.cleaned_data["sent_on"]
        if sent_on > timezone.localdate():
            raise forms.ValidationError(
                "The date the letter was sent must be today or in the past: record the notice once it has gone."
            )
        if sent_on < timezone.localdate() - datetime.timedelta(days=366 * 10):
            raise forms.ValidationError("The date the letter was sent must be in the last 10 years.")
        return sent_on

    def clean_contact_name(self) -> str:
        return " ".join(self.cleaned_data["contact_name"].split())

    @property
    def contact(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in CONTACT_FIELDS}


class RepSettingsForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = BranchRepSettings
        fields = ["no_contact_days", "weekly_digest"]
        labels = {
            "no_contact_days": "Flag a rep after how many days without contact?",
            "weekly_digest": "Email co-ordinators a weekly digest",
        }
        help_texts = {
            "no_contact_days": "Between 7 and 365 days. A rep you have not had a 1-2-1, check-in or message with "
            "for this long shows on your home page and in the digest.",
            "weekly_digest": "On Monday: training deadlines, reps you have not contacted and overdue actions.",
        }
        error_messages = {
            "no_contact_days": {
                "min_value": "Enter a number of days of 7 or more",
                "max_value": "Enter a number of days of 365 or fewer",
                "invalid": "Enter a number of days, like 42",
            }
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["no_contact_days"].widget.attrs.update({"class": "govuk-input govuk-input--width-3"})
        self.fields["no_contact_days"].widget.attrs.update(inputmode="numeric")
