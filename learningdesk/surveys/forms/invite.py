"""The form to choose who to invite to a survey."""

from __future__ import annotations

from typing import Any

from django import forms

from learningdesk.accounts.models import User
from learningdesk.core.forms import GovukFormMixin
from learningdesk.surveys.invitations import Audience, audience_choices, find_audience
from learningdesk.surveys.models import Survey


class InviteForm(GovukFormMixin, forms.Form):
    audience = forms.ChoiceField(
        label="Who to invite",
        help_text="Everyone there who has agreed to hear about learning and has an email address, "
        "unless they have been invited already.",
        error_messages={"required": "Choose a unit, employer or workplace to invite"},
    )

    def __init__(self, *args: Any, user: User, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.survey = survey
        self.fields["audience"].choices = [("", "Choose who to invite"), *audience_choices(user, survey)]

    def clean_audience(self) -> Audience:
        audience = find_audience(self.user, self.survey, self.cleaned_data["audience"])
        if audience is None:
            raise forms.ValidationError("Choose a unit, employer or workplace from the list")
        return audience
