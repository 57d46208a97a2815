"""Forms of the register: filters, adding a rep, their details, moving them along the path, training, kinds."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import dateformat, timezone

from learningdesk.accounts.models import User
from learningdesk.core.forms import GovukFormMixin
from learningdesk.org import scoping
from learningdesk.org.forms import WorkplaceChoiceField, WorkplaceMultipleChoiceField
from learningdesk.org.models import Employer, Person, Workplace
from learningdesk.reps import selectors
from learningdesk.reps.models import (
    Barrier,
    Method,
    Motivation,
    Rep,
    RepKind,
    Source,
    Stage,
    StandDownReason,
    TrainingRecord,
)

# The stages a rep can be added at. "Notified" and "training booked" come from recording the notice to
# the employer and booking their training, so the dates that start the six-month rule are real ones.
ADD_STAGES = (Stage.PROSPECT, Stage.APPROACHED, Stage.AGREED, Stage.TRAINED, Stage.ACTIVE)


def date_field(label: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


def long_date(on: datetime.date) -> str:
    return dateformat.format(on, "j F Y")


def not_in_future(on: datetime.date | None) -> None:
    if on and on > timezone.localdate():
        raise forms.ValidationError("The date cannot be in the future.")


class KindChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: RepKind) -> str:
        return obj.name


class ReasonFieldsMixin(forms.Form):
    """Who they are, how they were found, and why they would (or would not) stand: the handbook's lists."""

    source = forms.ChoiceField(label="Who they are", choices=[("", "Not recorded"), *Source.choices], required=False)
    method = forms.ChoiceField(
        label="How they were found", choices=[("", "Not recorded"), *Method.choices], required=False
    )
    motivations = forms.MultipleChoiceField(
        label="Why they are interested",
        choices=Motivation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick what they said. Knowing why people stand helps find the next ones.",
    )
    motivation_notes = forms.CharField(
        label="Why they are interested, in their words", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    barriers = forms.MultipleChoiceField(
        label="What holds them back",
        choices=Barrier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The branch reports the common ones, so it can answer them.",
    )
    barrier_notes = forms.CharField(
        label="What holds them back, in their words", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RepFilterForm(GovukFormMixin, forms.Form):
    # A select with thousands of workplaces is no use on a phone: past this many, choose an employer first.
    WORKPLACE_CHOICES_LIMIT = 200

    q = forms.CharField(label="Search", required=False, max_length=100, help_text="Name or membership number")
    kind = KindChoiceField(queryset=RepKind.objects.all(), required=False, empty_label="Any role", label="Role")
    stage = forms.ChoiceField(required=False, label="Stage")
    employer = forms.ModelChoiceField(queryset=Employer.objects.none(), required=False, empty_label="Any employer")
    workplace = WorkplaceChoiceField(
        queryset=Workplace.objects.none(),
        required=False,
        empty_label="Any workplace",
        error_messages={"invalid_choice": "Choose a workplace of the employer you chose, or choose “Any workplace”."},
    )
    deadline = forms.ChoiceField(
        label="Training deadline", required=False, choices=[("", "Any"), *selectors.DEADLINE_FILTERS]
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(type="search", autocomplete="off", spellcheck="false")
        self.fields["stage"].choices = [
            ("", "Current reps and prospects"),
            ("Groups", [(key, label) for key, (label, _stages) in selectors.STAGE_GROUPS.items()]),
            ("One stage", list(Stage.choices)),
        ]
        employers = scoping.visible_employers(user).order_by("name")
        self.fields["employer"].queryset = employers
        workplaces = scoping.visible_workplaces(user).order_by("name")
        employer_pk = str(self.data.get("employer") or "")
        if employer_pk.isdigit():
            workplaces = workplaces.filter(employer_id=employer_pk)
        self.fields["workplace"].queryset = workplaces
        self.workplace_choices_shown = workplaces.count() <= self.WORKPLACE_CHOICES_LIMIT

    def filters(self) -> selectors.RepFilter:
        if not self.is_valid():
            return selectors.RepFilter()
        data = self.cleaned_data
        return selectors.RepFilter(
            query=" ".join((data["q"] or "").split()),
            kind=data["kind"],
            stage=data["stage"] or "",
            employer=data["employer"],
            workplace=data["workplace"],
            deadline=data["deadline"] or "",
        )


class RepAddForm(GovukFormMixin, ReasonFieldsMixin):
    field_order = ["kind", "workplaces", "stage", "on", "source", "method"]

    kind = KindChoiceField(queryset=RepKind.objects.all(), label="Role", widget=forms.RadioSelect, empty_label=None)
    workplaces = WorkplaceMultipleChoiceField(
        queryset=Workplace.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Workplaces they cover",
    )
    stage = forms.ChoiceField(
        label="Where are they now?",
        choices=[(stage.value, stage.label) for stage in ADD_STAGES],
        initial=Stage.PROSPECT,
        widget=forms.RadioSelect,
        help_text="Most people start as a prospect. For a rep the branch already has, choose trained or active. "
        "To mark a ULR notified, record the notice to the employer from their page.",
    )
    on = date_field("Since when", initial=datetime.date.today, validators=[not_in_future])
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: User, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        workplaces = selectors.workplaces_for_rep(user, person)
        self.fields["workplaces"].queryset = workplaces
        if person.workplace_id:
            self.fields["workplaces"].initial = [person.workplace_id]
        self.fields["kind"].initial = RepKind.objects.filter(code=RepKind.Code.ULR).values_list("pk", flat=True).first()

    def rep_data(self) -> dict[str, Any]:
        """The fields of Rep itself, for services.rep_add's `data`."""
        return {
            name: self.cleaned_data[name] for name in ("source", "method", "motivation_notes", "barrier_notes", "notes")
        }


REP_DETAIL_FIELDS = (
    "source",
    "method",
    "motivation_notes",
    "barrier_notes",
    "skills_interests",
    "learnt",
    "ideas",
    "concerns",
    "wants_to_do",
    "further_training_wanted",
    "notes",
)


class RepEditForm(GovukFormMixin, ReasonFieldsMixin):
    field_order = ["workplaces", "source", "method", "motivations", "motivation_notes", "barriers", "barrier_notes"]

    workplaces = WorkplaceMultipleChoiceField(
        queryset=Workplace.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Workplaces they cover",
    )
    skills_interests = forms.CharField(
        label="Skills and interests", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    learnt = forms.CharField(label="What they learnt", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    ideas = forms.CharField(label="Ideas", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    concerns = forms.CharField(label="Concerns", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    wants_to_do = forms.CharField(
        label="What they want to do", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    further_training_wanted = forms.CharField(
        label="Further training they want", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: User, rep: Rep, **kwargs: Any) -> None:
        current = list(rep.workplaces.all())
        reasons = list(rep.reasons.all())
        initial = {name: getattr(rep, name) for name in REP_DETAIL_FIELDS}
        initial["workplaces"] = [workplace.pk for workplace in current]
        initial["motivations"] = [reason.code for reason in reasons if reason.kind == reason.Kind.MOTIVATION]
        initial["barriers"] = [reason.code for reason in reasons if reason.kind == reason.Kind.BARRIER]
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["workplaces"].queryset = selectors.workplaces_for_rep(user, rep.person, current)

    def rep_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in REP_DETAIL_FIELDS}


class RepMoveForm(GovukFormMixin, forms.Form):
    stage = forms.ChoiceField(label="Move them to", widget=forms.RadioSelect)
    reason = forms.ChoiceField(
        label="Why did they stand down?",
        choices=[("", "Choose a reason"), *StandDownReason.choices],
        help_text="Only if they stood down.",
        required=False,
    )
    on = date_field("Date", initial=datetime.date.today, validators=[not_in_future])
    note = forms.CharField(label="Note", required=False, max_length=250)

    def __init__(self, *args: Any, rep: Rep, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rep = rep
        labels = dict(Stage.choices)
        self.fields["stage"].choices = [(stage, labels[stage]) for stage in selectors.next_stages(rep)]
        self.fields["on"].help_text = (
            f"The day it happened: not before {long_date(rep.stage_on)}, "
            f"when they became “{rep.get_stage_display().lower()}”."
        )

    def clean_on(self) -> datetime.date:
        on: datetime.date = self.cleaned_data["on"]
        if on < self.rep.stage_on:
            raise forms.ValidationError(
                f"The date cannot be before {long_date(self.rep.stage_on)}, when the current stage began."
            )
        return on

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("stage") == Stage.STOOD_DOWN and not data.get("reason"):
            self.add_error("reason", "Select why they stood down.")
        elif data.get("stage") and data.get("stage") != Stage.STOOD_DOWN:
            data["reason"] = ""
        return data


class TrainingForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = ["course", "provider", "on", "completed", "is_initial", "notes"]
        labels = {"course": "Course", "provider": "Provider", "completed": "They have completed it"}
        help_texts = {
            "course": "For example “ULR stage 1” or “Supporting learners with dyslexia”.",
            "is_initial": "The course that qualifies them as a rep. Completing it makes them trained and, for a "
            "ULR, meets the six-month training deadline; booking it moves them to “training booked”.",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class RepKindForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = RepKind
        fields = ["name", "name_plural", "description"]
        labels = {"name": "Called", "name_plural": "More than one", "description": "What they do"}


RepKindFormSet = forms.modelformset_factory(RepKind, form=RepKindForm, extra=0)
