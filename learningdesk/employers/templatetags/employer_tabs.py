"""The pages of the work with employers, across every employer: only those the signed-in user may open."""

from __future__ import annotations

from typing import Any

from django import template

from learningdesk.org import scoping

register = template.Library()


@register.inclusion_tag("employers/_areas.html", takes_context=True)
def employer_tabs(context: dict[str, Any], current: str) -> dict[str, Any]:
    scope = scoping.get_scope(context["request"].user)
    # Facility-time figures and funding are the co-ordinators' and officers' (a ULR has no unit to see).
    return {"current": current, "sees_units": bool(scope.see)}
