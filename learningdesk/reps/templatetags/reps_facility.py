"""Facility time and a rep's own summary for the shared pages: `{% load reps_facility %}`, then
`{% rep_facility rep as facility %}` (a rep's page) or `{% own_summary own_reps as own %}` (the home page)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone

from learningdesk.reps import facility
from learningdesk.reps.models import Rep

register = template.Library()


def _today(context: template.Context) -> datetime.date:
    today = context.get("today")
    return today if isinstance(today, datetime.date) else timezone.localdate()


@register.simple_tag(takes_context=True)
def rep_facility(context: template.Context, rep: Rep) -> facility.RepFacility:
    """A rep's agreed time, time used and recent entries, with their last five conversations."""
    return facility.rep_facility(rep, _today(context), conversations=5)


@register.simple_tag(takes_context=True)
def own_summary(context: template.Context, reps: Any) -> facility.OwnSummary:
    """What the signed-in rep needs on the home page: deadlines, next meeting, open actions."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    return facility.own_summary(user, list(reps or []), _today(context))  # type: ignore[arg-type]


@register.filter
def hours(value: Decimal | float | int | None) -> str:
    """Hours without trailing zeros: `{{ entry.hours|hours }}` shows 1.50 as "1.5"."""
    return facility.format_hours(value)


@register.filter
def hours_label(value: Decimal | float | int | None) -> str:
    """ "1 hour", "1.5 hours", "0 hours"."""
    text = hours(value)
    return f"{text} hour" if text == "1" else f"{text} hours"
