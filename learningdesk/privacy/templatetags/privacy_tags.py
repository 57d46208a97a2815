"""The "Data rights" section of a person's page, for co-ordinators who may act for the person's unit."""

from __future__ import annotations

from typing import Any

from django import template

from learningdesk.org import scoping
from learningdesk.org.models import Person
from learningdesk.privacy.models import AnonymisedPerson

register = template.Library()


@register.inclusion_tag("privacy/_person.html", takes_context=True)
def privacy_person_section(context: dict[str, Any], person: Person) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    may_act = user is not None and user.is_authenticated and scoping.may_act_on_data_rights(user, person)
    return {
        "person": person,
        "may_act": may_act,
        "anonymised": AnonymisedPerson.objects.filter(person=person).first() if may_act else None,
    }
