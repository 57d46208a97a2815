"""Forms for ULR meetings: scheduling, inviting, attendance and the actions agreed."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from learningdesk.core.forms import GovukFormMixin
from learningdesk.org.models import OrgUnit
from learningdesk.reps.models import MeetingInvite, Rep, RepMeeting


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "govuk-input--width-5", **(attrs or {})}, format="%H:%M")


class MeetingForm(GovukFormMixin, forms.Form):
    """A meeting's details; the date and times are in the UK's time (Europe/London, the site's zone)."""

    unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label="Whose meeting", empty_label=None)
    title = forms.CharField(max_length=160, initial="ULR meeting")
    date = forms.DateField(widget=forms.DateInput())
    starts = forms.TimeField(label="Start time", widget=TimeInput(), help_text="For example, 18:00.")
    ends = forms.TimeField(label="End time", widget=TimeInput())
    location = forms.CharField(
        label="Where", max_length=250, required=False, help_text="A room and address. Leave blank if it is online only."
    )
    online_link = forms.URLField(
        label="Online meeting link", required=False, assume_scheme="https", help_text="A Teams or Zoom link, if any."
    )
    agenda = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One item a line. Reps get it with their invitation.",
    )

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], meeting: RepMeeting | None = None, **kwargs: Any) -> None:
        if meeting is not None:
            starts_at, ends_at = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
            kwargs["initial"] = {
                "unit": meeting.unit,
                "title": meeting.title,
                "date": starts_at.date(),
                "starts": starts_at.time(),
                "ends": ends_at.time(),
                "location": meeting.location,
                "online_link": meeting.online_link,
                "agenda": meeting.agenda,
                "notes": meeting.notes,
                **kwargs.get("initial", {}),
            }
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if meeting is not None or len(units) < 2:
            # A branch co-ordinator has one unit; a meeting stays with the unit it was called for.
            del self.fields["unit"]
        self.fields["title"].label = "Title"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", "The end time must be after the start time")
        if "location" in data and "online_link" in data and not data["location"] and not data["online_link"]:
            self.add_error("location", "Enter where the meeting is, or an online meeting link")
        return data

    def meeting_data(self) -> dict[str, Any]:
        """The cleaned data as RepMeeting's fields (call after is_valid())."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        fields = {
            "title": data["title"],
            "starts_at": datetime.datetime.combine(data["date"], data["starts"], tzinfo=zone),
            "ends_at": datetime.datetime.combine(data["date"], data["ends"], tzinfo=zone),
            "location": data["location"],
            "online_link": data["online_link"],
            "agenda": data["agenda"],
        }
        if "notes" in self.fields:
            fields["notes"] = data["notes"]
        return fields


class MeetingEditForm(MeetingForm):
    notes = forms.CharField(
        label="Notes of the meeting",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What was discussed and decided. Add the actions agreed on the meeting’s page.",
    )


class RepChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Rep) -> str:  # type: ignore[override]
        label = f"{obj.person.full_name}, {obj.kind.name}"
        if obj.is_prospect:
            label += " (prospect)"
        if not obj.person.email:
            label += " – no email address"
        return label


class InviteForm(GovukFormMixin, forms.Form):
    reps = RepChoiceField(
        queryset=Rep.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Who to invite",
        help_text="Current reps are selected. Prospects are welcome too: a meeting is a good way in.",
    )

    def __init__(self, *args: Any, reps: QuerySet[Rep], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reps"].queryset = reps
        self.fields["reps"].error_messages["required"] = "Select the reps to invite"


ATTENDANCE_CHOICES = [
    (MeetingInvite.Attendance.ATTENDED, "Attended"),
    (MeetingInvite.Attendance.APOLOGIES, "Sent apologies"),
    (MeetingInvite.Attendance.ABSENT, "Did not come"),
]


class AttendanceForm(GovukFormMixin, forms.Form):
    """One radio group for each rep invited."""

    def __init__(self, *args: Any, invites: list[MeetingInvite], **kwargs: Any) -> None:
        self.invites = invites
        super().__init__(*args, **kwargs)
        for invite in invites:
            self.fields[f"invite_{invite.pk}"] = forms.ChoiceField(
                label=invite.rep.person.full_name,
                choices=ATTENDANCE_CHOICES,
                widget=forms.RadioSelect,
                initial=invite.attendance if invite.attendance != MeetingInvite.Attendance.INVITED else None,
                error_messages={"required": f"Select whether {invite.rep.person.full_name} came"},
            )

    def attendance(self) -> dict[int, str]:
        """Invitation id to attendance (call after is_valid())."""
        return {invite.pk: self.cleaned_data[f"invite_{invite.pk}"] for invite in self.invites}


OWNER_ME = "me"
OWNER_OTHER = "other"


class MeetingActionForm(GovukFormMixin, forms.Form):
    description = forms.CharField(label="What", max_length=250)
    who = forms.ChoiceField(label="Who")
    owner_name = forms.CharField(label="Their name", max_length=120, required=False, help_text="If it is someone else.")
    due_on = forms.DateField(label="By when", required=False, widget=forms.DateInput())

    def __init__(self, *args: Any, reps: list[Rep], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reps = {str(rep.pk): rep for rep in reps}
        self.fields["who"].choices = [
            (OWNER_ME, "You"),
            *((pk, rep.person.full_name) for pk, rep in self.reps.items()),
            (OWNER_OTHER, "Someone else"),
        ]
        self.fields["description"].error_messages["required"] = "Enter what was agreed"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("who") == OWNER_OTHER and not data.get("owner_name"):
            self.add_error("owner_name", "Enter who will do it")
        return data

    def action_data(self) -> dict[str, Any]:
        """Arguments for meetings.meeting_action_add (call after is_valid())."""
        data = self.cleaned_data
        who = data["who"]
        return {
            "description": data["description"],
            "due_on": data["due_on"],
            "rep": self.reps.get(who),
            "owner_name": data["owner_name"] if who == OWNER_OTHER else "",
        }
