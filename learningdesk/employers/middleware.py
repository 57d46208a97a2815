"""An employer contact signed in reaches their shared pages and nothing else, however they guess URLs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from learningdesk.accounts.middleware import OWN_ACCOUNT_PAGES
from learningdesk.org import scoping

# Pages every signed-in user needs, whatever their role: signing out, their password, two-step sign-in, sessions.
ALWAYS_OPEN = frozenset({"logout", "accounts:password_change"}) | OWN_ACCOUNT_PAGES


class EmployerContactMiddleware:
    """Answers 404 for every page but the shared ones when the user is signed in only as an employer contact.

    Scoping already gives such a user an empty view of everything; this makes it certain (and keeps them off
    pages that would show them empty lists of union records), in one place.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not getattr(view_func, "login_required", True):
            return None
        if not scoping.get_scope(user).is_employer_contact_only:  # type: ignore[arg-type]
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        if name.startswith("shared:") or name in ALWAYS_OPEN:
            return None
        if name == "home":
            return redirect("shared:home")
        raise Http404
