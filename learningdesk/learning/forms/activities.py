"""Forms for the activity catalogue: the list's filters, activities, helpers, sessions, providers and types."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from learningdesk.accounts.models import User
from learningdesk.core.forms import GovukFormMixin
from learningdesk.learning.activities import ActivityFilter
from learningdesk.learning.models import (
    Activity,
    ActivityType,
    Provider,
    ProviderContact,
    Session,
    Subject,
)
from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit, Person


def _or_current(queryset: QuerySet, current_pk: int | None) -> QuerySet:
    """The choices, plus the record's current value even if it is no longer offered (a retired type)."""
    if current_pk is None:
        return queryset
    return queryset.model.objects.filter(Q(pk__in=queryset.values("pk")) | Q(pk=current_pk))


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})" if obj.code else obj.name


# The list -----------------------------------------------------------------------------------------


class ActivityFilterForm(GovukFormMixin, forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100, help_text="Words in the title")
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Activity.Status.choices])
    type = forms.ModelChoiceField(
        label="Type", queryset=ActivityType.objects.all(), required=False, empty_label="Any type"
    )
    subject = forms.ModelChoiceField(
        label="Subject", queryset=Subject.objects.all(), required=False, empty_label="Any subject"
    )
    unit = UnitChoiceField(label="Branch or unit", queryset=OrgUnit.objects.none(), required=False, empty_label="Any")
    show = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "All activities"), ("full", "Full, with people on the waiting list")],
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(type="search", autocomplete="off", spellcheck="false")
        # Only the units that have activities the user can see: a short list even for a national view.
        units_with_activities = scoping.visible_activities(user).values("unit")
        self.fields["unit"].queryset = OrgUnit.objects.filter(pk__in=units_with_activities).order_by("path")

    def filters(self) -> ActivityFilter:
        if not self.is_valid():
            return ActivityFilter()
        data = self.cleaned_data
        return ActivityFilter(
            query=" ".join((data["q"] or "").split()),
            status=data["status"] or "",
            type=data["type"],
            subject=data["subject"],
            unit=data["unit"],
            full_only=data["show"] == "full",
        )


# Activities ---------------------------------------------------------------------------------------


def find_person(people: QuerySet[Person], text: str) -> Person:
    """The one person among `people` with this membership number or email address."""
    text = text.strip()
    if "@" in text:
        matches = list(people.filter(email_key=text.lower())[:2])
        if len(matches) > 1:
            raise forms.ValidationError("More than one person has that email address: enter their membership number")
    else:
        matches = list(people.filter(membership_number=text.upper())[:1])
    if not matches:
        raise forms.ValidationError("No one you can see has that membership number or email address")
    return matches[0]


class ActivityForm(GovukFormMixin, forms.ModelForm):
    # A lookup, not a select: a national administrator can see a million people.
    organiser_lookup = forms.CharField(
        label="Who runs it",
        required=False,
        max_length=254,
        help_text="The membership number or email address of the ULR or co-ordinator who runs it. "
        "Leave blank if no one is named yet.",
    )

    class Meta:
        model = Activity
        fields = [
            "title",
            "description",
            "type",
            "subject",
            "level",
            "qualification",
            "awarding_body",
            "provider",
            "unit",
            "audience",
            "funding",
            "cost",
            "status",
        ]
        labels = {
            "unit": "Branch or unit that runs it",
            "type": "Type of activity",
            "qualification": "Accredited qualification",
            "cost": "Cost to the branch (£)",
        }
        help_texts = {
            "title": "What learners will see, for example “Maths for work”.",
            "description": "What it is, who it is for and what learners need to bring. Needed to publish it.",
            "qualification": "If it leads to one, for example “Functional Skills Maths Level 2”.",
            "awarding_body": "Who awards the qualification, for example “City & Guilds”.",
            "provider": "Leave blank if the branch runs it itself.",
            "status": "Published activities are shown on the public learning pages, with a sign-up form.",
            "cost": "0 if it costs nothing.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "audience": forms.RadioSelect(),
            "status": forms.RadioSelect(),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        instance: Activity = self.instance
        current = instance.pk is not None
        self.fields["type"].queryset = _or_current(
            ActivityType.objects.filter(is_active=True), instance.type_id if current else None
        )
        self.fields["subject"].empty_label = "None"
        self.fields["level"].choices = [("", "No level"), *self.fields["level"].choices[1:]]
        self.fields["provider"].queryset = _or_current(
            scoping.visible_providers(user).filter(is_active=True), instance.provider_id if current else None
        ).order_by("name")
        self.fields["provider"].empty_label = "None (the branch runs it)"
        units = _or_current(scoping.units_for_activities(user), instance.unit_id if current else None)
        self.fields["unit"] = UnitChoiceField(
            label=self.fields["unit"].label, queryset=units.order_by("path"), empty_label=None
        )
        self.fields["audience"].choices = Activity._meta.get_field("audience").choices
        self.fields["status"].choices = Activity.Status.choices
        self.fields["cost"].widget.attrs.update(inputmode="decimal")
        self.fields["cost"].widget.attrs["class"] += " govuk-input--width-10"
        if current and instance.organiser is not None:
            organiser = instance.organiser
            self.fields["organiser_lookup"].initial = organiser.membership_number or organiser.email
            self.fields["organiser_lookup"].help_text += f" Now: {organiser.full_name}."
        self.order_fields([*self.Meta.fields[:-1], "organiser_lookup", "status"])

    def clean_organiser_lookup(self) -> Person | None:
        text = self.cleaned_data.get("organiser_lookup") or ""
        if not text.strip():
            return None
        organiser = self.instance.organiser if self.instance.pk else None
        if organiser is not None and text.strip().upper() in (
            (organiser.membership_number or "").upper(),
            organiser.email.upper(),
        ):
            return organiser  # unchanged: they may be outside what the user can see now
        return find_person(scoping.visible_people(self.user), text)

    def save_to_instance(self) -> Activity:
        """The activity with the form's values set, not saved (the service saves it)."""
        activity: Activity = self.save(commit=False)
        activity.organiser = self.cleaned_data["organiser_lookup"]
        return activity

    def changed_fields(self) -> list[str]:
        return ["organiser" if name == "organiser_lookup" else name for name in self.changed_data]


# Helpers ------------------------------------------------------------------------------------------


class HelperForm(GovukFormMixin, forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    task = forms.CharField(
        label="What they will do",
        max_length=120,
        required=False,
        help_text="For example: staffing the stall at lunchtime.",
    )


# Sessions -----------------------------------------------------------------------------------------

# The zones organisers are in: the UK and Ireland, and members abroad (Labour International's members).
COMMON_TIME_ZONES: list[tuple[str, str]] = [
    ("Europe/London", "UK (London)"),
    ("Europe/Dublin", "Ireland (Dublin)"),
    ("Europe/Lisbon", "Portugal (Lisbon)"),
    ("Europe/Paris", "France (Paris)"),
    ("Europe/Madrid", "Spain (Madrid)"),
    ("Europe/Berlin", "Germany (Berlin)"),
    ("Europe/Brussels", "Belgium (Brussels)"),
    ("Europe/Athens", "Greece (Athens)"),
    ("Africa/Lagos", "Nigeria (Lagos)"),
    ("Africa/Nairobi", "Kenya (Nairobi)"),
    ("Africa/Johannesburg", "South Africa (Johannesburg)"),
    ("Asia/Dubai", "UAE (Dubai)"),
    ("Asia/Kolkata", "India (Kolkata)"),
    ("Asia/Singapore", "Singapore"),
    ("Asia/Hong_Kong", "Hong Kong"),
    ("Asia/Tokyo", "Japan (Tokyo)"),
    ("Australia/Perth", "Australia (Perth)"),
    ("Australia/Sydney", "Australia (Sydney)"),
    ("Pacific/Auckland", "New Zealand (Auckland)"),
    ("America/St_Johns", "Canada (Newfoundland)"),
    ("America/Toronto", "Canada (Toronto)"),
    ("America/New_York", "US Eastern (New York)"),
    ("America/Chicago", "US Central (Chicago)"),
    ("America/Denver", "US Mountain (Denver)"),
    ("America/Los_Angeles", "US Pacific (Los Angeles)"),
    ("America/Sao_Paulo", "Brazil (São Paulo)"),
    ("UTC", "UTC"),
]

# The session's own fields the form sets; the times come from date, start and end.
SESSION_FIELD_OF = {"starts_at": "start", "ends_at": "end"}


class WorkplaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}, {obj.employer.name}"


class RoomChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        seats = f" ({obj.capacity} seats)" if obj.capacity else ""
        return f"{obj.name}, {obj.centre.name}{seats}"


class SessionForm(GovukFormMixin, forms.ModelForm):
    date = forms.DateField(label="Date", widget=forms.DateInput())
    start = forms.TimeField(label="Start time", widget=forms.TimeInput(format="%H:%M"), help_text="For example, 12:30")
    end = forms.TimeField(label="End time", widget=forms.TimeInput(format="%H:%M"))

    class Meta:
        model = Session
        fields = ["time_zone", "venue", "workplace", "room", "address", "online_url", "capacity"]
        labels = {
            "time_zone": "Time zone",
            "venue": "Where",
            "workplace": "Workplace",
            "room": "Learning centre room",
            "address": "Address",
            "online_url": "Online link",
            "capacity": "Places",
        }
        help_texts = {
            "time_zone": "The times above are in this zone: the organiser’s. Learners abroad see their own beside it.",
            "venue": "Then fill in the matching field below. The others are ignored.",
            "workplace": "If it is at a workplace.",
            "room": "If it is in a learning centre room. A room cannot be booked twice at the same time.",
            "address": "If it is somewhere else: the full address, with the room.",
            "online_url": "If it is online: the link learners use to join. Only confirmed learners see it.",
            "capacity": "How many people can come. When it is full, people join the waiting list.",
        }
        widgets = {
            "venue": forms.RadioSelect(),
            "address": forms.Textarea(attrs={"rows": 3}),
            "time_zone": forms.Select(),
        }

    def __init__(self, *args: Any, user: User, activity: Activity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        session: Session = self.instance
        for name in ("start", "end"):
            self.fields[name].widget.input_type = "time"
            self.fields[name].widget.attrs["class"] += " govuk-input--width-5"
        zones = list(COMMON_TIME_ZONES)
        if session.time_zone not in dict(zones):
            zones.insert(0, (session.time_zone, session.time_zone))
        self.fields["time_zone"] = forms.ChoiceField(
            label="Time zone", choices=zones, initial="Europe/London", help_text=self.fields["time_zone"].help_text
        )
        self.fields["venue"].choices = Session.Venue.choices
        workplaces = scoping.visible_workplaces(user).filter(branch__path__startswith=activity.unit.path)
        self.fields["workplace"] = WorkplaceChoiceField(
            queryset=_or_current(workplaces, session.workplace_id).select_related("employer").order_by("name"),
            required=False,
            label="Workplace",
            empty_label="Choose a workplace",
            help_text=self.fields["workplace"].help_text,
        )
        self.fields["room"] = RoomChoiceField(
            queryset=_or_current(scoping.bookable_rooms(user), session.room_id)
            .select_related("centre")
            .order_by("centre__name", "name"),
            required=False,
            label="Learning centre room",
            empty_label="Choose a room",
            help_text=self.fields["room"].help_text,
        )
        self.fields["capacity"].widget.attrs["class"] += " govuk-input--width-5"
        self.fields["online_url"].widget.attrs.update(spellcheck="false")
        if session.pk is not None:
            self.initial.update(
                date=session.local_start.date(),
                start=session.local_start.strftime("%H:%M"),
                end=session.local_end.strftime("%H:%M"),
            )
        self.order_fields(["date", "start", "end", "time_zone", *self.Meta.fields[1:]])

    def clean_time_zone(self) -> str:
        zone = self.cleaned_data["time_zone"]
        if zone not in zoneinfo.available_timezones():
            raise forms.ValidationError("Choose a time zone from the list")
        return zone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", "The end time must be after the start time")
        return data

    def save_to_instance(self) -> Session:
        """The session with the form's values and aware times set, not saved (the service saves it)."""
        session: Session = self.save(commit=False)
        zone = zoneinfo.ZoneInfo(self.cleaned_data["time_zone"])
        day: datetime.date = self.cleaned_data["date"]
        session.starts_at = datetime.datetime.combine(day, self.cleaned_data["start"], tzinfo=zone)
        session.ends_at = datetime.datetime.combine(day, self.cleaned_data["end"], tzinfo=zone)
        return session


# Providers ----------------------------------------------------------------------------------------


class ProviderForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Provider
        fields = ["name", "kind", "unit", "website", "email", "phone", "address", "notes", "is_active"]
        labels = {"unit": "Branch or unit that uses it", "kind": "What kind of provider"}
        help_texts = {
            "unit": "Providers of a region or nationally are offered to every branch below.",
            "is_active": "Untick when the branch no longer uses them: they stop being offered for new activities.",
        }
        widgets = {"kind": forms.RadioSelect(), "address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Provider.Kind.choices
        current = self.instance.unit_id if self.instance.pk else None
        units = _or_current(scoping.units_for_activities(user), current).order_by("path")
        self.fields["unit"] = UnitChoiceField(queryset=units, label=self.fields["unit"].label, empty_label=None)
        self.fields["unit"].help_text = self.Meta.help_texts["unit"]
        if self.instance.pk is None:
            del self.fields["is_active"]


class ProviderContactForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = ProviderContact
        fields = ["name", "job_title", "email", "phone", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


# Activity types -----------------------------------------------------------------------------------


class ActivityTypeForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = ActivityType
        fields = ["name", "description", "order", "is_active"]
        labels = {"order": "Position in lists", "is_active": "In use"}
        help_texts = {
            "order": "Lower numbers come first.",
            "is_active": "Untick to retire it: it is no longer offered for new activities, "
            "but activities of this type keep it.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order"].widget.attrs["class"] += " govuk-input--width-4"
