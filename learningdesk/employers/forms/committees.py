"""Forms for the joint learning committee: setting one up, its meetings, the actions agreed, and sharing survey
findings with the employer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.core.forms import GovukFormMixin
from learningdesk.employers.committees import union_side_suggestions
from learningdesk.employers.models import (
    CommitteeAction,
    CommitteeMeeting,
    EmployerContact,
    LearningAgreement,
    LearningCommittee,
)
from learningdesk.org import scoping
from learningdesk.org.models import Person
from learningdesk.org.selectors import people_matching
from learningdesk.surveys.models import Survey

# How many people the union-side list offers without a search: a branch's reps at one employer fit easily.
SUGGESTIONS = 60
SEARCH_RESULTS = 20


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "govuk-input--width-5", **(attrs or {})}, format="%H:%M")


class CommitteeForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = LearningCommittee
        fields = ["name", "agreement"]
        labels = {"agreement": "The learning agreement that sets it up"}
        help_texts = {"name": "What both sides call it."}

    def __init__(self, *args: Any, agreements: QuerySet[LearningAgreement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = "Enter the committee’s name"
        self.fields["agreement"].queryset = agreements
        self.fields["agreement"].empty_label = "None, or not agreed yet"
        self.fields["agreement"].label_from_instance = lambda agreement: (
            f"{agreement.title} ({agreement.get_status_display().lower()}"
            + (f", signed {agreement.signed_on.day} {agreement.signed_on:%B %Y}" if agreement.signed_on else "")
            + ")"
        )


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:  # type: ignore[override]
        return f"{obj.full_name}, {obj.workplace.name}" if obj.workplace_id else obj.full_name  # type: ignore[union-attr]


class ContactChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: EmployerContact) -> str:  # type: ignore[override]
        return f"{obj.name}, {obj.job_title or obj.get_kind_display()}"


class MeetingForm(GovukFormMixin, forms.ModelForm):
    """A committee meeting. The union side is ticked from a short list (the reps at the employer's workplaces
    and earlier attendees); anyone else the user may see is found with the search field, which works without
    JavaScript: its button posts the form back with the people found added to the list."""

    union_attendees = PersonChoiceField(
        queryset=Person.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label="Union side"
    )
    find = forms.CharField(
        label="Find someone else for the union side",
        required=False,
        max_length=100,
        help_text="Type their name, then choose Search. They are added to the list above for you to tick.",
    )
    employer_attendees = ContactChoiceField(
        queryset=EmployerContact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Employer side",
    )

    class Meta:
        model = CommitteeMeeting
        fields = [
            "held_on",
            "starts_at",
            "place",
            "union_attendees",
            "employer_attendees",
            "other_attendees",
            "agenda",
            "minutes",
        ]
        widgets = {
            "held_on": forms.DateInput(),
            "starts_at": TimeInput(),
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "minutes": forms.Textarea(attrs={"rows": 10}),
        }
        labels = {"held_on": "Date", "starts_at": "Start time", "place": "Where"}
        help_texts = {
            "agenda": "One item a line.",
            "minutes": "What was discussed and agreed. Add the actions on the meeting’s page.",
            "other_attendees": "Anyone else there: a provider, a full-time officer.",
        }

    def __init__(self, *args: Any, user: User, committee: LearningCommittee, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_on"].error_messages["required"] = "Enter the date of the meeting"
        self.search = str(self._raw("find") or "").strip()
        self.found: list[Person] = []
        visible = scoping.visible_people(user)
        if self.search:
            self.found = list(
                people_matching(visible, self.search).order_by("last_name", "first_name", "pk")[:SEARCH_RESULTS]
            )
        suggested = list(union_side_suggestions(user, committee).values_list("pk", flat=True)[:SUGGESTIONS])
        chosen = self._ids("union_attendees")
        offered = set(suggested) | {person.pk for person in self.found} | chosen
        self.fields["union_attendees"].queryset = (
            visible.filter(pk__in=offered).select_related("workplace").order_by("last_name", "first_name", "pk")
        )
        contacts = committee.employer.contacts.filter(Q(is_current=True) | Q(pk__in=self._ids("employer_attendees")))
        self.fields["employer_attendees"].queryset = contacts.order_by("name", "pk")
        self.fields["union_attendees"].help_text = (
            "Reps at the employer’s workplaces and people who came before."
            if offered
            else "No reps at the employer’s workplaces yet: find people with the search below."
        )

    def _raw(self, name: str) -> Any:
        if self.is_bound:
            return self.fields[name].widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        return self.initial.get(name)

    def _ids(self, name: str) -> set[int]:
        """The people or contacts ticked: as posted, else as the meeting has them."""
        if self.is_bound or name in self.initial:
            values = self._raw(name) or []
        elif self.instance.pk is not None:
            values = getattr(self.instance, name).values_list("pk", flat=True)
        else:
            values = []
        return {int(value) for value in values if str(value).isdigit()}

    @classmethod
    def after_search(cls, data: QueryDict, **kwargs: Any) -> MeetingForm:
        """The form as posted, unbound so nothing shows as an error: the user only asked to search."""
        posted = cls(data, **kwargs)
        initial = {name: posted._raw(name) for name in posted.fields}
        return cls(initial=initial, **kwargs)


UNION_PREFIX, CONTACT_PREFIX, SOMEONE_ELSE = "person-", "contact-", "other"


class ActionForm(GovukFormMixin, forms.ModelForm):
    """An action and who owns it: someone at the meeting from the union side, one of the employer's contacts, or a
    name typed in (then say whose side they are on)."""

    who = forms.ChoiceField(label="Who will do it")

    class Meta:
        model = CommitteeAction
        fields = ["description", "owner_name", "side", "due_on", "status", "done_on"]
        widgets = {
            "due_on": forms.DateInput(),
            "done_on": forms.DateInput(),
            "side": forms.RadioSelect,
            "status": forms.RadioSelect,
        }
        labels = {
            "description": "What was agreed",
            "owner_name": "Their name",
            "side": "Whose side are they on",
            "due_on": "By when",
            "done_on": "Date it was done",
        }
        help_texts = {
            "owner_name": "Only if they are not in the list.",
            "side": "Only for a name you typed.",
            "done_on": "Leave blank for today.",
        }

    def __init__(self, *args: Any, meeting: CommitteeMeeting, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action: CommitteeAction = self.instance
        self.field_order = ["description", "who", "owner_name", "side", "due_on", "status", "done_on"]
        self.order_fields(self.field_order)
        people = list(meeting.union_attendees.order_by("last_name", "first_name", "pk"))
        own = user.person
        if own is not None and scoping.visible_people(user).filter(pk=own.pk).exists():
            people.append(own)
        if action.owner_person_id:
            people.append(action.owner_person)  # type: ignore[arg-type]
        contacts = list(meeting.committee.employer.contacts.filter(is_current=True).order_by("name", "pk"))
        if action.owner_contact_id:
            contacts.append(action.owner_contact)  # type: ignore[arg-type]
        self.people = {f"{UNION_PREFIX}{person.pk}": person for person in people}
        self.contacts = {f"{CONTACT_PREFIX}{contact.pk}": contact for contact in contacts}
        groups: list[tuple[str, Any]] = [("", "Choose who")]
        if self.people:
            groups.append(("Union side", [(key, person.full_name) for key, person in self.people.items()]))
        if self.contacts:
            groups.append(("Employer side", [(key, contact.name) for key, contact in self.contacts.items()]))
        groups.append((SOMEONE_ELSE, "Someone else: type their name"))
        self.fields["who"].choices = groups
        self.fields["who"].error_messages["required"] = "Choose who will do it"
        self.fields["description"].error_messages["required"] = "Enter what was agreed"
        if action.owner_person_id:
            self.initial["who"] = f"{UNION_PREFIX}{action.owner_person_id}"
        elif action.owner_contact_id:
            self.initial["who"] = f"{CONTACT_PREFIX}{action.owner_contact_id}"
        elif action.owner_name:
            self.initial["who"] = SOMEONE_ELSE
        if action.pk is None:
            # A new action is open; its status is changed later.
            del self.fields["status"], self.fields["done_on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        who = data.get("who")
        if who == SOMEONE_ELSE and not data.get("owner_name", "").strip():
            self.add_error("owner_name", "Enter the name of who will do it")
        done_on = data.get("done_on")
        if done_on and done_on > timezone.localdate():
            self.add_error("done_on", "The date it was done must be today or in the past")
        # The owner comes from "who"; the model's fields are set from the cleaned data after this.
        action: CommitteeAction = self.instance
        action.owner_person = self.people.get(who or "")
        action.owner_contact = self.contacts.get(who or "")
        if who != SOMEONE_ELSE:
            data["owner_name"] = ""
        return data


class ShareForm(GovukFormMixin, forms.Form):
    """Share an action with the employer, or stop: the button says which, so posting twice changes nothing."""

    share = forms.TypedChoiceField(
        choices=[("yes", "Share"), ("no", "Stop sharing")],
        coerce=lambda value: value == "yes",
        widget=forms.HiddenInput,
    )


class FindingShareForm(GovukFormMixin, forms.Form):
    survey = forms.ModelChoiceField(
        queryset=Survey.objects.none(),
        label="Which survey",
        empty_label="Choose a survey",
        help_text="Its findings report is made now, from the responses you may count: figures only, never answers "
        "from anyone, and small numbers hidden.",
    )
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="What the employer sees it called. Leave blank to use the survey’s title.",
    )
    summary = forms.CharField(
        label="A few lines for the employer",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the findings show, and what you would like to do about them together.",
    )

    def __init__(self, *args: Any, surveys: QuerySet[Survey], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = surveys
        self.fields["survey"].error_messages["required"] = "Choose the survey whose findings you are sharing"

    def share_title(self) -> str:
        return self.cleaned_data["title"].strip() or f"Findings of the survey: {self.cleaned_data['survey'].title}"
