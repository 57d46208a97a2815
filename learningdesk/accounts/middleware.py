"""Sign-in security on every request: session time limits, the two-step check, and the log of refused pages.

Placed after django-otp's OTPMiddleware (which says whether this session passed two-step sign-in) and Django's
LoginRequiredMiddleware (which sends visitors who are not signed in to the sign-in page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from learningdesk.accounts import sessions, sign_in_log, two_factor
from learningdesk.accounts.models import SignInEvent

# Every signed-in user's own account pages, whatever their roles (an employer contact's too: employers/middleware.py
# should let these through with its ALWAYS_OPEN).
OWN_ACCOUNT_PAGES = frozenset(
    {
        "accounts:account",
        "accounts:two_step_verify",
        "accounts:two_step_setup",
        "accounts:recovery_codes",
        "accounts:recovery_codes_new",
        "accounts:two_step_off",
        "accounts:sessions",
        "accounts:session_end",
        "accounts:sessions_end_others",
    }
)
# Pages a signed-in user may open before passing (or setting up) two-step sign-in.
BEFORE_TWO_STEP = frozenset(
    {"accounts:two_step_verify", "accounts:two_step_setup", "accounts:recovery_codes", "logout"}
)


def _signed_in(request: HttpRequest) -> bool:
    """Whether the session says someone is signed in (reading the session, not the user: no query for the user)."""
    session = getattr(request, "session", None)
    return session is not None and SESSION_KEY in session


def _to(request: HttpRequest, name: str) -> HttpResponse:
    url = reverse(name)
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    if request.headers.get("HX-Request"):
        # htmx would swap the whole page into a fragment: ask it to load the page instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class SignInSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _signed_in(request):
            self._end_if_expired(request)
        response = self.get_response(request)
        if _signed_in(request):
            sessions.sync_key(request)
            if response.status_code in (403, 404):
                self._log_refusal(request)
        return response

    def _end_if_expired(self, request: HttpRequest) -> None:
        reason = sessions.expiry(request)
        if reason is None:
            return
        user = request.user
        # Ended from elsewhere (its row closed) without its session being deleted: say so, rather than "expired".
        ended_elsewhere = reason == sessions.EndReason.ENDED_BY_USER
        sessions.mark_ended(request, reason)
        sign_in_log.record(
            request,
            SignInEvent.Kind.SESSION_ENDED if ended_elsewhere else SignInEvent.Kind.SESSION_EXPIRED,
            user=user if user.is_authenticated else None,  # type: ignore[arg-type]
            detail=sessions.EndReason(reason).label,
        )
        request.session.flush()
        request.session[sessions.ENDED_BECAUSE] = reason
        request.user = AnonymousUser()

    def _log_refusal(self, request: HttpRequest) -> None:
        """A signed-in user was refused a page that exists (403, or the 404 of a record outside their scope)."""
        match = request.resolver_match
        if match is None or not getattr(match.func, "login_required", True):
            return
        user = request.user
        if user.is_authenticated:
            sign_in_log.record(request, SignInEvent.Kind.ACCESS_DENIED, user=user)  # type: ignore[arg-type]

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or not getattr(view_func, "login_required", True):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in BEFORE_TWO_STEP:
            return None
        if user.is_verified():  # type: ignore[union-attr,attr-defined]
            return None
        if request.session.get(two_factor.PENDING_KEY):
            return _to(request, "accounts:two_step_verify")
        if two_factor.needs_two_step(user):  # type: ignore[arg-type]
            return _to(request, "accounts:two_step_setup")
        return None
