"""Forms for the organisation screens. Choices always come from the user's scope."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django import forms

from learningdesk.accounts.models import User
from learningdesk.core.forms import GovukFormMixin
from learningdesk.org import scoping
from learningdesk.org.models import Consent, Employer, EqualityRecord, OrgUnit, Person, Role, UnitKind, Workplace

COMMON_TIME_ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{obj.name} ({obj.kind.name.lower()})" if getattr(obj, "kind", None) else obj.name


class WorkplaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Workplace) -> str:
        return f"{obj.name}, {obj.employer.name}"


class WorkplaceMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Workplace) -> str:
        return f"{obj.name}, {obj.employer.name}"


class PersonForm(GovukFormMixin, forms.ModelForm):
    branch = UnitChoiceField(queryset=OrgUnit.objects.none(), label="Branch")
    workplace = WorkplaceChoiceField(
        queryset=Workplace.objects.none(), required=False, empty_label="No workplace or not known"
    )
    time_zone = forms.ChoiceField(
        choices=[(tz, tz) for tz in COMMON_TIME_ZONES],
        initial="Europe/London",
        help_text="Online sessions are shown to them in this time zone.",
    )
    joined_on = forms.DateField(
        required=False, label="Date joined", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "title",
            "status",
            "membership_number",
            "email",
            "phone",
            "branch",
            "workplace",
            "job_title",
            "joined_on",
            "preferred_language",
            "time_zone",
        ]
        widgets = {"status": forms.RadioSelect}
        labels = {"first_name": "First name", "last_name": "Last name", "phone": "Phone or mobile"}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = scoping.units_for_new_people(user).select_related("kind")
        self.fields["workplace"].queryset = scoping.workplaces_for_people(user).order_by("name")
        self.fields["email"].widget.attrs.update(autocomplete="off", spellcheck="false")
        self.fields["phone"].widget.attrs.update(type="tel", autocomplete="off")
        self.fields["membership_number"].widget.attrs.update(spellcheck="false", autocapitalize="characters")
        branches = self.fields["branch"].queryset
        if not self.instance.pk and branches.count() == 1:
            self.fields["branch"].initial = branches.first()

    def clean_membership_number(self) -> str | None:
        number = (self.cleaned_data.get("membership_number") or "").strip().upper()
        return number or None

    def clean_email(self) -> str:
        return (self.cleaned_data.get("email") or "").strip().lower()


class UnitForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["name", "code", "email", "notes", "is_active"]
        labels = {"is_active": "Active", "email": "Contact email"}

    def clean_code(self) -> str:
        return (self.cleaned_data.get("code") or "").strip().upper()


class EmployerForm(GovukFormMixin, forms.ModelForm):
    unit = UnitChoiceField(
        queryset=OrgUnit.objects.none(),
        label="Looked after by",
        help_text="The unit that leads the relationship with this employer.",
    )

    class Meta:
        model = Employer
        fields = ["name", "sector", "is_public_sector", "unit", "website", "notes"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = scoping.editable_units(user)
        self.fields["unit"].queryset = units
        if not self.instance.pk and units.count() == 1:
            self.fields["unit"].initial = units.first()


class WorkplaceForm(GovukFormMixin, forms.ModelForm):
    branch = UnitChoiceField(
        queryset=OrgUnit.objects.none(), label="Organised by", help_text="The branch that organises this site."
    )

    class Meta:
        model = Workplace
        fields = ["name", "branch", "address", "town", "postcode", "headcount"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = scoping.editable_units(user)
        self.fields["branch"].queryset = units
        if not self.instance.pk and units.count() == 1:
            self.fields["branch"].initial = units.first()
        self.fields["postcode"].widget.attrs.update(autocapitalize="characters", spellcheck="false")

    def clean_postcode(self) -> str:
        return " ".join((self.cleaned_data.get("postcode") or "").upper().split())


class PersonSearchForm(GovukFormMixin, forms.Form):
    """Find someone already on Learning Desk (a search, never a select of thousands), to add them to something."""

    q = forms.CharField(
        label="Find the person",
        max_length=100,
        help_text="Type their name, membership number or email address. They must be on Learning Desk already.",
    )

    def __init__(self, *args: Any, label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["q"].label = label
        self.fields["q"].widget.attrs.update(type="search", autocomplete="off", spellcheck="false")


class PeopleFilterForm(GovukFormMixin, forms.Form):
    # A select with thousands of workplaces is no use on a phone: past this many, choose a unit first.
    WORKPLACE_CHOICES_LIMIT = 200

    q = forms.CharField(label="Search", required=False, help_text="Name, membership number or email", max_length=100)
    unit = UnitChoiceField(queryset=OrgUnit.objects.none(), required=False, empty_label="All in my scope")
    workplace = WorkplaceChoiceField(
        queryset=Workplace.objects.none(),
        required=False,
        empty_label="Any workplace",
        error_messages={"invalid_choice": "Choose a workplace in the unit you chose, or choose “Any workplace”."},
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *Person.Status.choices], required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = scoping.visible_units(user).order_by("path")
        self.fields["unit"].queryset = units
        self.fields["q"].widget.attrs.update(type="search", autocomplete="off", spellcheck="false")
        workplaces = scoping.visible_workplaces(user).order_by("name")
        unit_pk = str(self.data.get("unit") or "")
        unit = units.filter(pk=unit_pk).first() if unit_pk.isdigit() else None
        if unit is not None:
            workplaces = workplaces.filter(branch__path__startswith=unit.path)
        self.fields["workplace"].queryset = workplaces
        self.workplace_choices_shown = workplaces.count() <= self.WORKPLACE_CHOICES_LIMIT


class ConsentForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=Consent.Kind.choices, label="What is it about?", widget=forms.RadioSelect)
    given = forms.TypedChoiceField(
        choices=[("yes", "Yes, they agree"), ("no", "No, they do not agree or they withdraw")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Their answer",
    )
    method = forms.ChoiceField(choices=Consent.Method.choices, label="How did they tell you?", widget=forms.RadioSelect)


class EqualityForm(GovukFormMixin, forms.ModelForm):
    # Consent first: nothing is asked before the person has agreed.
    field_order = ["consent", "consent_method"]

    consent = forms.BooleanField(
        label="They have agreed to us recording this information",
        help_text="Equality monitoring is optional. Record it only with the person's agreement.",
    )
    consent_method = forms.ChoiceField(
        choices=Consent.Method.choices, label="How did they agree?", widget=forms.RadioSelect
    )

    class Meta:
        model = EqualityRecord
        fields = ["age_band", "gender", "ethnicity", "disability", "sexual_orientation"]
        widgets = {name: forms.RadioSelect for name in fields}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields:
            field = self.fields[name]
            field.required = False
            field.choices = [choice for choice in field.choices if choice[0] != ""]


class RoleGrantForm(GovukFormMixin, forms.Form):
    full_name = forms.CharField(max_length=150, label="Full name")
    email = forms.EmailField(label="Email address", help_text="They will get an email to choose a password.")
    role = forms.ChoiceField(choices=Role.choices, widget=forms.RadioSelect)
    unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label="Where")
    workplaces = WorkplaceMultipleChoiceField(
        queryset=Workplace.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For a union learning rep: the workplaces they cover.",
    )
    starts_on = forms.DateField(
        initial=datetime.date.today,
        label="Starts on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        required=False,
        label="Ends on",
        help_text="Leave blank if it has no fixed end. Many roles are elected each year.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = scoping.grantable_roles(user)
        self.fields["unit"].queryset = scoping.grantable_units(user)
        self.fields["workplaces"].queryset = (
            scoping.editable_workplaces(user).filter(branch__in=scoping.grantable_units(user)).order_by("name")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, unit, workplaces = data.get("role"), data.get("unit"), data.get("workplaces")
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The end date must be on or after the start date.")
        if role == Role.ULR:
            if not workplaces:
                self.add_error("workplaces", "Choose at least one workplace for a union learning rep.")
            elif unit and any(not w.branch.path.startswith(unit.path) for w in workplaces):
                self.add_error("workplaces", "Choose workplaces organised by the unit you chose.")
        elif workplaces:
            self.add_error("workplaces", "Only union learning reps cover workplaces. Untick them, or choose ULR.")
        email = data.get("email")
        if email and User.objects.filter(email__iexact=email, employer_contact__isnull=False).exists():
            # One login sees one side: an employer's contact must never also see the union's records.
            self.add_error(
                "email",
                "This email belongs to an employer contact's login. Use another email for their union role.",
            )
        return data


class RoleEndForm(GovukFormMixin, forms.Form):
    ends_on = forms.DateField(
        initial=datetime.date.today,
        label="Last day of the role",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class UnitKindForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = UnitKind
        fields = ["name", "name_plural"]
        labels = {"name": "Called", "name_plural": "More than one"}


UnitKindFormSet = forms.modelformset_factory(UnitKind, form=UnitKindForm, extra=0)
