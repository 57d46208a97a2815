"""The learner's own page (from their email link): choosing another session of the same activity."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from learningdesk.core.forms import GovukFormMixin
from learningdesk.learning.models import Session


def session_choice_label(session: Session) -> str:
    """'Tue 1 Dec 2026, 12:30 to 13:30 (UK time), Council House: 3 places left' (or the waiting list)."""
    from learningdesk.learning.emails import session_when

    if session.is_full:
        room = "full, you would join the waiting list"
    else:
        room = f"{session.places_left} place{'' if session.places_left == 1 else 's'} left"
    return f"{session_when(session)}, {session.place}: {room}"


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return session_choice_label(obj)


class ChangeSessionForm(GovukFormMixin, forms.Form):
    session = SessionChoiceField(
        label="Which session would you like instead?",
        queryset=Session.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the session you would like instead"},
        help_text="If the session you choose is full you join its waiting list, and give up your place at this one.",
    )

    def __init__(self, *args: Any, sessions: QuerySet[Session], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
