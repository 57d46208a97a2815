"""Template context every page gets."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# (label, url name) in the order the service navigation shows them.
NAVIGATION = [
    ("Home", "home"),
    ("People", "org:person_list"),
    ("Organisation", "org:unit_list"),
    ("Employers", "org:employer_list"),
    ("Team", "accounts:team"),
    ("Audit log", "accounts:audit_log"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The service navigation for signed-in users: `nav_items`, each {"label", "url", "current"}.

    A page whose URL is not there yet is left out, rather than breaking every page.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, name in NAVIGATION:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        current = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "current": current})
    return {"nav_items": items}
