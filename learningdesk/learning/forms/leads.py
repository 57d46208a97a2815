"""Forms for following up join leads."""

from __future__ import annotations

from typing import Any

from django import forms

from learningdesk.core.forms import GovukFormMixin
from learningdesk.learning.leads import FOLLOW_UP_STATUSES
from learningdesk.learning.models import JoinLead

FILTERS = {
    "open": "To follow up",
    JoinLead.Status.NEW: "Not contacted yet",
    JoinLead.Status.CONTACTED: "Contacted",
    JoinLead.Status.JOINED: "Joined",
    JoinLead.Status.NOT_NOW: "Not interested for now",
    "all": "All",
}


class LeadUpdateForm(GovukFormMixin, forms.Form):
    status = forms.ChoiceField(label="How did the follow-up go?", widget=forms.RadioSelect)
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="For example, when you spoke and what you agreed.",
    )

    def __init__(self, *args: Any, lead: JoinLead, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"status": lead.status if lead.status != JoinLead.Status.NEW else None})
        kwargs["initial"].setdefault("notes", lead.notes)
        super().__init__(*args, **kwargs)
        labels = dict(JoinLead.Status.choices)
        self.fields["status"].choices = [(status.value, labels[status]) for status in FOLLOW_UP_STATUSES]
        self.fields["status"].error_messages["required"] = "Select how the follow-up went"
