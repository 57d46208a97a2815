"""Small template helpers every template can use without {% load %} (a template builtin in settings)."""

from __future__ import annotations

from django import template
from django.core.paginator import Page

register = template.Library()

TAG_COLOURS = {
    "member": "govuk-tag--green",
    "lapsed": "govuk-tag--yellow",
    "non_member": "govuk-tag--grey",
    "nonmember": "govuk-tag--grey",
    "left": "govuk-tag--red",
    # Member imports: the ones waiting for someone stand out.
    "uploaded": "govuk-tag--yellow",
    "checked": "govuk-tag--yellow",
    "checking": "govuk-tag--light-blue",
    "importing": "govuk-tag--light-blue",
    "done": "govuk-tag--green",
    "failed": "govuk-tag--red",
    "cancelled": "govuk-tag--grey",
}


@register.filter
def govuk_tag_colour(status: object) -> str:
    """The govuk-tag modifier class for a status: `<strong class="govuk-tag {{ status|govuk_tag_colour }}">`."""
    key = str(status or "").strip().lower().replace("-", "_").replace(" ", "_")
    return TAG_COLOURS.get(key, "")


@register.filter
def elided_page_range(page: Page) -> list[int | None]:
    """The page numbers to offer around `page`, None where a run of numbers is left out (for pagination)."""
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    return [number if isinstance(number, int) else None for number in numbers]
