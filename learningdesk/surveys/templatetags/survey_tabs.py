"""The tabs of one survey's pages, only those the signed-in user may open."""

from __future__ import annotations

from typing import Any

from django import template

from learningdesk.org import scoping
from learningdesk.surveys.models import Survey

register = template.Library()


@register.inclusion_tag("surveys/_areas.html", takes_context=True)
def survey_tabs(context: dict[str, Any], survey: Survey, current: str) -> dict[str, Any]:
    user = context["request"].user
    return {
        "survey": survey,
        "current": current,
        "can_run": scoping.runnable_surveys(user).filter(pk=survey.pk).exists(),
    }
