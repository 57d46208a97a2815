"""What the support and meetings sections of a rep's page show: `{% load reps_support %}`, then
`{% rep_support rep as support %}` or `{% rep_meetings rep as record %}`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import template
from django.utils import timezone

from learningdesk.reps import meetings, support
from learningdesk.reps.models import Action, Recognition, Rep, SupportContact

register = template.Library()

# Done steps of an action plan stay on the rep's page this long, so the next 1-2-1 can talk about them.
PLAN_DONE_SHOWN_DAYS = 90


@dataclass(frozen=True)
class RepSupport:
    contact: support.ContactStatus
    contacts: list[SupportContact]
    contact_count: int
    plan: list[Action]
    actions: list[Action]
    recognitions: list[Recognition]


def _today(context: template.Context) -> datetime.date:
    today = context.get("today")
    return today if isinstance(today, datetime.date) else timezone.localdate()


def _may_tick(context: template.Context, rep: Rep) -> bool:
    """Co-ordinators tick any action of their reps; a rep ticks their own (scoping.changeable_actions)."""
    if context.get("can_edit"):
        return True
    user = getattr(context.get("request"), "user", None)
    return bool(user is not None and getattr(user, "person_id", None) and user.person_id == rep.person_id)


@register.simple_tag(takes_context=True)
def rep_support(context: template.Context, rep: Rep) -> RepSupport:
    today = _today(context)
    can_tick = _may_tick(context, rep)
    shown_since = today - datetime.timedelta(days=PLAN_DONE_SHOWN_DAYS)
    plan = list(
        rep.actions.filter(is_plan=True)
        .exclude(done_on__lt=shown_since)
        .select_related("owner")
        .order_by("done_on", "due_on", "id")
    )
    actions = list(
        rep.actions.filter(is_plan=False, done_on__isnull=True)
        .select_related("owner", "meeting")
        .order_by("due_on", "id")
    )
    for action in (*plan, *actions):
        action.can_tick = can_tick  # type: ignore[attr-defined]
    contacts = list(rep.support_contacts.select_related("recorded_by")[:5])
    return RepSupport(
        contact=support.contact_status(rep, today),
        contacts=contacts,
        contact_count=len(contacts) if len(contacts) < 5 else rep.support_contacts.count(),
        plan=plan,
        actions=actions,
        recognitions=list(rep.recognitions.all()[:5]),
    )


@register.simple_tag
def rep_meetings(rep: Rep) -> meetings.RepMeetingRecord:
    return meetings.rep_meeting_record(rep)


@register.filter
def contact_tag_colour(level: str) -> str:
    """The govuk-tag modifier for a contact level from support.ContactStatus."""
    return {"amber": "govuk-tag--yellow", "red": "govuk-tag--red", "none": "govuk-tag--yellow"}.get(level, "")


@register.filter
def attendance_tag_colour(attendance: Any) -> str:
    return {
        "attended": "govuk-tag--green",
        "apologies": "govuk-tag--yellow",
        "absent": "govuk-tag--red",
        "invited": "govuk-tag--grey",
    }.get(str(attendance), "")
