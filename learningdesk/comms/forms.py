"""The forms of the mailings pages: a mailing's details, its audience, its blocks, and the recipients' filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.comms.models import Mailing, MailingBlock, Recipient
from learningdesk.core.forms import GovukFormMixin
from learningdesk.learning.emails import session_when
from learningdesk.learning.models import Activity, Resource, Session, Subject
from learningdesk.learning.selectors import upcoming_sessions
from learningdesk.org import scoping
from learningdesk.org.models import Employer, OrgUnit, Workplace
from learningdesk.surveys.models import Survey


class MailingForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Mailing
        fields = ["unit", "kind", "subject", "show_in_archive"]
        widgets = {"kind": forms.RadioSelect}
        labels = {"unit": "Sent in the name of", "kind": "What kind of mailing is it?"}
        error_messages = {"subject": {"required": "Enter the email subject"}}
        help_texts = {
            "kind": "A newsletter goes to people who agreed to get newsletters; news about learning and other "
            "learning messages go to people who agreed to hear about learning.",
            "subject": "What people see in their inbox, for example “Learning news: spring 2026”.",
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoping.editable_units(user)
        self.fields["unit"].empty_label = None
        self.fields["kind"].choices = Mailing.Kind.choices
        if self.instance.pk is None:
            units = self.fields["unit"].queryset
            self.fields["unit"].initial = units.order_by("-depth", "path").values_list("pk", flat=True).first()

    def clean_subject(self) -> str:
        subject = " ".join(self.cleaned_data["subject"].split())
        if not subject:
            raise forms.ValidationError("Enter the email subject")
        return subject


class NeededForItsKind:
    """A field one kind of audience needs: shown without "(optional)", left empty for the other kinds (the form's
    clean() asks for it when its kind is chosen)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["required"] = True
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Any:
        if value in getattr(self, "empty_values", ()) or value == []:
            return None
        return super().clean(value)  # type: ignore[misc]


class UnitChoiceField(NeededForItsKind, forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.kind.name.lower()})"


class ChoicesField(NeededForItsKind, forms.ModelMultipleChoiceField):
    pass


class ModelChoice(NeededForItsKind, forms.ModelChoiceField):
    pass


class WorkplaceChoiceField(ChoicesField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}, {obj.employer.name}"


class ActivityChoiceField(ModelChoice):
    def label_from_instance(self, obj: Activity) -> str:  # type: ignore[override]
        return f"{obj.title} ({obj.unit.name})"


AUDIENCE_FIELDS: dict[str, list[str]] = {
    Mailing.AudienceKind.UNIT: ["audience_unit"],
    Mailing.AudienceKind.EMPLOYERS: ["audience_employers"],
    Mailing.AudienceKind.WORKPLACES: ["audience_workplaces"],
    Mailing.AudienceKind.REPS: [],
    Mailing.AudienceKind.LEARNERS: ["audience_activity"],
    Mailing.AudienceKind.SURVEY_SUBJECT: ["audience_survey", "audience_subject"],
}
REQUIRED_MESSAGES = {
    "audience_unit": "Select the branch or region",
    "audience_employers": "Select at least one employer",
    "audience_workplaces": "Select at least one workplace",
    "audience_activity": "Select the activity",
    "audience_survey": "Select the survey",
    "audience_subject": "Select the subject people asked for",
}


class AudienceForm(GovukFormMixin, forms.Form):
    """Who the mailing goes to. Every choice is one the user can see, under the mailing's unit."""

    audience_kind = forms.ChoiceField(
        label="Who is it for?", choices=Mailing.AudienceKind.choices, widget=forms.RadioSelect
    )
    audience_unit = UnitChoiceField(label="Branch or region", queryset=OrgUnit.objects.none())
    audience_employers = ChoicesField(
        label="Employers",
        queryset=Employer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="People whose workplace belongs to one of these employers.",
    )
    audience_workplaces = WorkplaceChoiceField(
        label="Workplaces", queryset=Workplace.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    audience_activity = ActivityChoiceField(
        label="Activity",
        queryset=Activity.objects.none(),
        help_text="Everyone signed up for any of its sessions (not those who cancelled).",
    )
    audience_survey = ModelChoice(
        label="Survey",
        queryset=Survey.objects.none(),
        help_text="Only identified surveys: an anonymous survey's answers are not linked to anyone.",
    )
    audience_subject = ModelChoice(label="Subject they asked for", queryset=Subject.objects.all())
    members_only = forms.BooleanField(
        label="Members only", required=False, help_text="Leave out non-members, lapsed and retired members."
    )

    def __init__(self, *args: Any, user: User, mailing: Mailing, **kwargs: Any) -> None:
        if "initial" not in kwargs:
            kwargs["initial"] = {
                "audience_kind": mailing.audience_kind or Mailing.AudienceKind.UNIT,
                "audience_unit": mailing.audience_unit_id or mailing.unit_id,
                "audience_employers": list(mailing.audience_employers.values_list("pk", flat=True)),
                "audience_workplaces": list(mailing.audience_workplaces.values_list("pk", flat=True)),
                "audience_activity": mailing.audience_activity_id,
                "audience_survey": mailing.audience_survey_id,
                "audience_subject": mailing.audience_subject_id,
                "members_only": mailing.members_only,
            }
        super().__init__(*args, **kwargs)
        unit = mailing.unit
        self.fields["audience_unit"].queryset = scoping.mailing_audience_units(user, unit).order_by("path")
        self.fields["audience_employers"].queryset = scoping.mailing_audience_employers(user, unit).order_by("name")
        self.fields["audience_workplaces"].queryset = scoping.mailing_audience_workplaces(user, unit).order_by(
            "employer__name", "name"
        )
        self.fields["audience_activity"].queryset = (
            scoping.visible_activities(user).exclude(status=Activity.Status.DRAFT).order_by("title", "pk")
        )
        self.fields["audience_survey"].queryset = scoping.mailing_audience_surveys(user).order_by("-created_at")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = str(data.get("audience_kind") or "")
        for name in AUDIENCE_FIELDS.get(kind, []):
            if name not in self.errors and not data.get(name):
                self.add_error(name, REQUIRED_MESSAGES[name])
        return data


class ArticleBlockForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = MailingBlock
        fields = ["heading", "text"]
        labels = {"text": "Article"}
        widgets = {"text": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["heading"].required = True
        self.fields["text"].required = True
        self.fields["heading"].error_messages["required"] = "Enter a heading for the article"
        self.fields["text"].error_messages["required"] = "Enter the article"


class ActivityPicker(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Activity) -> str:  # type: ignore[override]
        upcoming = getattr(obj, "upcoming", [])
        when = f"next {session_when(upcoming[0])}" if upcoming else "no dates yet"
        return f"{obj.title} ({obj.unit.name}; {when})"


def upcoming_activities(user: User, chosen: QuerySet[Activity] | None = None) -> QuerySet[Activity]:
    """Published activities the user can see with a session still to come (and those already chosen)."""
    coming = Session.objects.filter(activity=OuterRef("pk"), is_cancelled=False, starts_at__gt=timezone.now())
    q = Q(Exists(coming))
    if chosen is not None:
        q |= Q(pk__in=chosen.values("pk"))
    return (
        scoping.mailing_block_activities(user)
        .filter(q)
        .prefetch_related(Prefetch("sessions", queryset=upcoming_sessions(), to_attr="upcoming"))
        .order_by("title", "pk")
    )


class ActivitiesBlockForm(GovukFormMixin, forms.ModelForm):
    activities = ActivityPicker(
        label="Activities",
        queryset=Activity.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Published activities with dates still to come. Each shows its next date and a link to sign up.",
        error_messages={"required": "Select at least one activity"},
    )

    class Meta:
        model = MailingBlock
        fields = ["heading"]
        help_texts = {"heading": "For example “Coming up this spring”. Leave it blank for “Coming up”."}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = self.instance.activities.all() if self.instance.pk else None
        self.fields["activities"].queryset = upcoming_activities(user, chosen)
        if self.instance.pk:
            self.fields["activities"].initial = list(self.instance.activities.values_list("pk", flat=True))


class ResourcePicker(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.get_kind_display().lower()})"


class ResourcesBlockForm(GovukFormMixin, forms.ModelForm):
    resources = ResourcePicker(
        label="Resources",
        queryset=Resource.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Resources anyone may open (members-only ones need a login, so they cannot go in a mailing).",
        error_messages={"required": "Select at least one resource"},
    )

    class Meta:
        model = MailingBlock
        fields = ["heading"]
        help_texts = {"heading": "Leave it blank for “Resources”."}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resources"].queryset = scoping.mailing_block_resources(user).order_by("title", "pk")
        if self.instance.pk:
            self.fields["resources"].initial = list(self.instance.resources.values_list("pk", flat=True))


BLOCK_FORMS: dict[str, type[forms.ModelForm]] = {
    MailingBlock.Kind.ARTICLE: ArticleBlockForm,
    MailingBlock.Kind.ACTIVITIES: ActivitiesBlockForm,
    MailingBlock.Kind.RESOURCES: ResourcesBlockForm,
}


class RecipientFilterForm(GovukFormMixin, forms.Form):
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Recipient.Status.choices])
