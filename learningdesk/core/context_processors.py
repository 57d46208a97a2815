"""Template context every page gets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from learningdesk.org import scoping
from learningdesk.org.models import Role

# (label, url name, who sees it) in the order the service navigation shows them.
NAVIGATION: list[tuple[str, str, Callable[[scoping.Scope], bool]]] = [
    ("Home", "home", lambda scope: True),
    ("People", "org:person_list", lambda scope: not scope.is_empty),
    ("Reps", "reps:register", lambda scope: bool(scope.see)),
    ("My rep page", "reps:own", lambda scope: bool(scope.workplace_ids) and not scope.see),
    ("Learning", "learning:activities", lambda scope: not scope.is_empty),
    ("Surveys", "surveys:list", lambda scope: bool(scope.see)),
    ("Mailings", "comms:list", lambda scope: bool(scope.see)),  # co-ordinators write them, officers read them
    ("Organisation", "org:unit_list", lambda scope: not scope.is_empty),
    ("Employers", "org:employer_list", lambda scope: not scope.is_empty),
    ("Reports", "reports:index", lambda scope: bool(scope.see)),
    ("Shared with you", "shared:home", lambda scope: bool(scope.employer_ids)),
    ("Team", "accounts:team", lambda scope: bool(scope.see)),
    ("System", "system", lambda scope: any(a.role == Role.NATIONAL_ADMIN for a in scope.roles)),  # backups
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The service navigation for signed-in users: `nav_items`, each {"label", "url", "current"}.

    Only the pages the user's roles give them something on are listed.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    scope = scoping.get_scope(user)  # type: ignore[arg-type]
    items = []
    for label, name, shown in NAVIGATION:
        if not shown(scope):
            continue
        url = reverse(name)
        current = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "current": current})
    return {"nav_items": items}
