"""Forms for learning agreements: the agreement, its key elements checklist, a new version of its text, and the
list's filters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from learningdesk.accounts.models import User
from learningdesk.core.forms import GovukFormMixin
from learningdesk.employers import agreements, documents
from learningdesk.employers.models import AgreementElement, Element, LearningAgreement, Per
from learningdesk.org import scoping
from learningdesk.org.models import Employer, OrgUnit, Person

HOURS_WIDGET = forms.NumberInput(
    attrs={"inputmode": "decimal", "step": "0.25", "min": "0.25", "class": "govuk-input--width-4"}
)
HOURS_ERRORS = {
    "min_value": "Enter at least 0.25 hours, or leave it blank",
    "max_value": "Enter 200 hours or fewer",
    "invalid": "Enter the hours as a number, like 4 or 7.5",
    "max_digits": "Enter 200 hours or fewer",
    "max_decimal_places": "Enter the hours to at most two decimal places, like 7.25",
}


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.kind.name.lower()})" if obj.kind_id else obj.name


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name


class AgreementForm(GovukFormMixin, forms.ModelForm):
    """The agreement: who with, what it covers, where it stands and its facility-time clause."""

    units = UnitChoiceField(
        queryset=OrgUnit.objects.none(),
        label="Units covered",
        widget=forms.CheckboxSelectMultiple,
        help_text="The branches (or the region) whose members it covers. Reps at the employer's workplaces in them "
        "get its facility time.",
        error_messages={"required": "Select the branches (or the region) whose members the agreement covers"},
    )
    negotiated_by = PersonChoiceField(
        queryset=Person.objects.none(),
        label="Negotiated for the union by",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="You and the current reps of your branches.",
    )

    ulr_hours = forms.DecimalField(
        label="Facility time for each ULR, in hours",
        required=False,
        min_value=Decimal("0.25"),
        max_value=Decimal("200"),
        max_digits=5,
        decimal_places=2,
        widget=HOURS_WIDGET,
        error_messages=HOURS_ERRORS,
        help_text="For example 4 or 7.5. Once signed, it becomes each ULR's agreed facility time with the employer, "
        "unless theirs was agreed separately.",
    )
    coordinator_hours = forms.DecimalField(
        label="Facility time for the learning co-ordinator, in hours",
        required=False,
        min_value=Decimal("0.25"),
        max_value=Decimal("200"),
        max_digits=5,
        decimal_places=2,
        widget=HOURS_WIDGET,
        error_messages=HOURS_ERRORS,
        help_text="For example 7.5.",
    )

    class Meta:
        model = LearningAgreement
        fields = [
            "title",
            "units",
            "status",
            "signed_on",
            "review_on",
            "ended_on",
            "negotiated_by",
            "employer_negotiators",
            "ulr_hours",
            "ulr_per",
            "coordinator_hours",
            "coordinator_per",
            "learner_hours",
            "notes",
        ]
        labels = {
            "title": "Title",
            "status": "Where it stands",
            "signed_on": "Date signed",
            "review_on": "Review date",
            "ended_on": "Date it ended",
            "employer_negotiators": "Negotiated for the employer by",
            "ulr_per": "Each ULR's time is",
            "coordinator_per": "The co-ordinator's time is",
            "learner_hours": "Time off for learners",
            "notes": "Notes",
        }
        help_texts = {
            "signed_on": "Needed once it is signed.",
            "review_on": "When both sides look at it again. You are reminded 90 and 30 days before, and when it "
            "is overdue.",
            "ended_on": "Only for an ended or expired agreement.",
            "employer_negotiators": "Names and jobs, for example Jo Bloggs (Head of HR).",
            "learner_hours": "What it says, for example “50% of course time, up to 30 hours a year”.",
        }
        widgets = {
            "status": forms.RadioSelect,
            "signed_on": forms.DateInput,
            "review_on": forms.DateInput,
            "ended_on": forms.DateInput,
            "ulr_per": forms.RadioSelect,
            "coordinator_per": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "title": {"required": "Enter a title, for example “Learning agreement 2026”"},
            "status": {"required": "Select where the agreement stands"},
        }

    def __init__(self, *args: Any, user: User, employer: Employer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        self.fields["status"].choices = LearningAgreement.Status.choices
        for name in ("ulr_per", "coordinator_per"):
            self.fields[name].choices = [(Per.WEEK, "A week"), (Per.MONTH, "A month")]
        units = agreements.units_for_employer(scoping.editable_units(user), employer)
        if editing:  # the units it covers stay choices, whoever changes it
            units = units | OrgUnit.objects.filter(pk__in=self.instance.units.values("pk"))
        self.fields["units"].queryset = units.select_related("kind").order_by("path")
        people = scoping.agreement_negotiators(user)
        if editing:
            people = people | Person.objects.filter(pk__in=self.instance.negotiated_by.values("pk"))
        self.fields["negotiated_by"].queryset = people.order_by("last_name", "first_name", "pk")

    def _post_clean(self) -> None:
        """Nothing here: the service (agreements.agreement_save) checks the rules between the fields and says what
        to put right next to each; the model's own check would only say a constraint was violated."""


class ChooseEmployerForm(GovukFormMixin, forms.Form):
    employer = forms.ModelChoiceField(
        queryset=Employer.objects.none(),
        label="Which employer is the agreement with?",
        empty_label="Choose the employer",
        error_messages={"required": "Select the employer the agreement is with"},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = scoping.workable_employers(user).order_by("name")


class ElementsForm(GovukFormMixin, forms.Form):
    """The ten key elements, each present, weak or missing with notes: one fieldset each."""

    def __init__(self, *args: Any, agreement: LearningAgreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows: list[tuple[str, str, str]] = []
        for row in agreements.elements_in_order(agreement):
            state_name, notes_name = f"{row.element}-state", f"{row.element}-notes"
            label = str(Element(row.element).label)
            self.fields[state_name] = forms.ChoiceField(
                label=label,
                choices=AgreementElement.State.choices,
                initial=row.state,
                widget=forms.RadioSelect,
                error_messages={"required": f"Select whether {label_lower(label)} is present, weak or missing"},
            )
            self.fields[notes_name] = forms.CharField(
                label=f"Notes on {label_lower(label)}",
                required=False,
                initial=row.notes,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"max_length": "Keep the notes to 500 characters or fewer"},
            )
            self.rows.append((row.element, state_name, notes_name))

    def fieldsets(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(element, self[state], self[notes]) for element, state, notes in self.rows]

    def states(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {element: (data[state], data[notes].strip()) for element, state, notes in self.rows}


def label_lower(label: str) -> str:
    """'A review date' -> 'a review date', to go mid-sentence."""
    return label[:1].lower() + label[1:]


class DocumentForm(GovukFormMixin, forms.Form):
    file = forms.FileField(
        label="The agreement's text",
        help_text=f"A PDF or a Word document (.docx), up to {documents.DEFAULT_MAX_MB} MB.",
        widget=forms.FileInput(attrs={"accept": documents.ACCEPTED_EXTENSIONS}),
        error_messages={
            "required": "Choose the file to upload",
            "empty": "The file is empty. Choose the file again",
            "invalid": "Choose the file again: it did not arrive",
        },
    )
    note = forms.CharField(
        label="What changed",
        max_length=250,
        required=False,
        help_text="For example “Signed copy” or “Draft after the second meeting”.",
        error_messages={"max_length": "Keep it to 250 characters or fewer"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"A PDF or a Word document (.docx), up to {documents.max_mb()} MB."


class AgreementFilterForm(GovukFormMixin, forms.Form):
    """The list's filters (GET)."""

    status = forms.ChoiceField(label="Where it stands", required=False)
    review = forms.ChoiceField(label="Review", required=False)
    lacking = forms.ChoiceField(label="Lacking a key element", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any"), *LearningAgreement.Status.choices]
        self.fields["review"].choices = [("", "Any review date"), *agreements.ReviewFilter.choices]
        self.fields["lacking"].choices = [("", "Any"), *Element.choices]

    def filters(self) -> agreements.ListFilter:
        if not self.is_valid():
            return agreements.ListFilter()
        return agreements.ListFilter(
            **{name: self.cleaned_data[name] or "" for name in ("status", "review", "lacking")}
        )
