"""Forms for the register (ticking who came, adding a walk-in) and for learners' outcomes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from learningdesk.core.forms import GovukFormMixin
from learningdesk.learning import signups
from learningdesk.learning.models import Level, Outcome
from learningdesk.org.models import Consent

# The consents a walk-in is asked for, in the learner's own words (as on the sign-up form).
WALK_IN_CONSENTS = [
    (Consent.Kind.LEARNING_NEWS, "Contact me about learning"),
    (Consent.Kind.JOIN_UNION, "I’m interested in joining the union"),
    (Consent.Kind.BECOME_REP, "I’d like to know about becoming a ULR"),
]


class WalkInForm(GovukFormMixin, forms.Form):
    first_name = forms.CharField(label="First name", max_length=80)
    last_name = forms.CharField(label="Last name", max_length=80)
    email = forms.EmailField(
        label="Email address", required=False, help_text="We send the feedback form and their record here."
    )
    phone = forms.CharField(label="Mobile number", max_length=30, required=False)
    workplace = forms.CharField(label="Workplace or employer", max_length=160, required=False)
    says_member = forms.TypedChoiceField(
        label="Are they a member of the union?",
        choices=[("yes", "Yes"), ("no", "No"), ("unsure", "Not sure")],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        widget=forms.RadioSelect,
    )
    membership_number = forms.CharField(
        label="Membership number", max_length=30, required=False, help_text="If they know it: it finds their record."
    )
    consents = forms.MultipleChoiceField(
        label="What they agree to",
        choices=WALK_IN_CONSENTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Ask them. Tick only what they say yes to.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["says_member"].error_messages["required"] = "Select whether they are a member"

    def details(self) -> signups.Details:
        data = self.cleaned_data
        return signups.Details(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phone=data["phone"],
            workplace_text=data["workplace"],
            says_member=data["says_member"],
            membership_number=data["membership_number"],
            consents=set(data["consents"]),
        )


class OutcomeForm(GovukFormMixin, forms.ModelForm):
    """An outcome for one learner. What each kind needs is checked by the service (outcomes.outcome_add), so
    the rule lives in one place; its messages come back next to the fields."""

    class Meta:
        model = Outcome
        fields = [
            "kind",
            "achieved_on",
            "qualification_name",
            "qualification_level",
            "awarding_body",
            "progression",
            "notes",
        ]
        labels = {
            "kind": "What did they achieve?",
            "achieved_on": "Date",
            "qualification_name": "Name of the qualification",
            "qualification_level": "Level",
            "progression": "What kind of progression?",
        }
        help_texts = {
            "achieved_on": "When they finished, passed or moved on.",
            "qualification_name": "For example, Functional Skills Mathematics.",
            "awarding_body": "For example, City & Guilds, NCFE, Pearson.",
        }
        widgets = {
            "kind": forms.RadioSelect(),
            "achieved_on": forms.DateInput(),
            "progression": forms.RadioSelect(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Outcome.Kind.choices
        self.fields["progression"].choices = Outcome.Progression.choices
        self.fields["achieved_on"].initial = timezone.localdate
        self.fields["achieved_on"].show_hidden_initial = False
        self.fields["qualification_level"].choices = [("", "Choose a level"), *Level.choices]

    def qualification_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("qualification_name", "qualification_level", "awarding_body")]
