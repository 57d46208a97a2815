"""Forms for supporting reps: the support log with its agreed actions, the action plan and recognition."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from learningdesk.core.forms import GovukFormMixin
from learningdesk.reps.models import Action, Recognition, Rep, SupportContact
from learningdesk.reps.support import OWNER_ME, OWNER_REP, TAG_HINTS

MAX_AGREED_ACTIONS = 3
TAG_FIELDS = [name for name, _label in SupportContact.TAGS]


def clean_not_future(on: datetime.date | None, what: str) -> datetime.date | None:
    if on and on > timezone.localdate():
        raise forms.ValidationError(f"The date of the {what} must be today or in the past")
    return on


class SupportContactForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = SupportContact
        fields = ["on", "kind", "notes", *TAG_FIELDS, "reviewed_plan"]
        labels = {"on": "Date", "kind": "What kind of contact", "notes": "Notes"}
        help_texts = {
            "on": "For example, today or the day you spoke.",
            "notes": "What you talked about, how they are getting on, anything worrying them.",
            "reviewed_plan": "The date of their plan's last review becomes this date.",
            **TAG_HINTS,
        }
        widgets = {
            "on": forms.DateInput(),
            "kind": forms.RadioSelect(),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = SupportContact.Kind.choices  # no empty "---------" radio
        self.fields["on"].initial = timezone.localdate
        self.fields["on"].show_hidden_initial = False

    def clean_on(self) -> datetime.date | None:
        return clean_not_future(self.cleaned_data.get("on"), "contact")

    def tag_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in TAG_FIELDS]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("on", "kind", "notes")]


class AgreedActionForm(GovukFormMixin, forms.Form):
    """One action agreed in a 1-2-1; a blank one is skipped."""

    description = forms.CharField(label="What", max_length=250, required=True)
    who = forms.ChoiceField(label="Who", widget=forms.RadioSelect, initial=OWNER_REP)
    due_on = forms.DateField(label="By when", required=False, widget=forms.DateInput())

    def __init__(self, *args: Any, rep: Rep, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].error_messages["required"] = "Enter what was agreed, or clear the date"
        self.fields["who"].choices = [(OWNER_REP, f"{rep.person.full_name} (the rep)"), (OWNER_ME, "You")]
        self.fields["due_on"].help_text = "Leave blank if there is no date."

    def has_changed(self) -> bool:
        # Only what and when say an action was filled in: "who" always has a choice ticked.
        return any(str(self.data.get(self.add_prefix(name), "")).strip() for name in ("description", "due_on"))


class BaseAgreedActionFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, rep: Rep, **kwargs: Any) -> None:
        self.rep = rep
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "rep": self.rep}

    def agreed(self) -> list[dict[str, Any]]:
        """The actions filled in (call after is_valid())."""
        return [form.cleaned_data for form in self.forms if form.has_changed() and form.cleaned_data]


# formset_factory is typed as returning a BaseFormSet: say which one.
AgreedActionFormSet: type[BaseAgreedActionFormSet] = forms.formset_factory(  # type: ignore[assignment]
    AgreedActionForm,
    formset=BaseAgreedActionFormSet,
    extra=MAX_AGREED_ACTIONS,
    max_num=MAX_AGREED_ACTIONS,
    absolute_max=MAX_AGREED_ACTIONS,
    validate_max=True,
)


class PlanActionForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Action
        fields = ["description", "due_on", "support_needed"]
        labels = {
            "description": "What they will do",
            "due_on": "By when",
            "support_needed": "What support they need",
        }
        help_texts = {
            "description": "In their words, for example “Run a learning stall in the canteen”.",
            "support_needed": "For example, time off agreed with their manager, or someone to help on the day.",
        }
        widgets = {"due_on": forms.DateInput()}


class RecognitionForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Recognition
        fields = ["kind", "on", "note"]
        labels = {"kind": "What did you do", "on": "Date", "note": "What for"}
        help_texts = {
            "note": "The good work you recognised, however small. For example “Ran the book swap for a year”.",
        }
        widgets = {"kind": forms.RadioSelect(), "on": forms.DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Recognition.Kind.choices
        self.fields["kind"].error_messages["required"] = "Select what you did to recognise them"
        self.fields["on"].initial = timezone.localdate
        self.fields["on"].show_hidden_initial = False

    def clean_on(self) -> datetime.date | None:
        return clean_not_future(self.cleaned_data.get("on"), "recognition")
