"""The sign-in and access log: what is written, from Django's and django-axes' signals and the security middleware.

Only sign-ins that failed keep the email typed (the account may not exist, so there is no user to point at).
Writing is capped per address or user and kind of event, so nobody can fill the disk by failing to sign in or by
asking for pages they may not see; `security.prune` deletes rows past settings.SIGN_IN_LOG_DAYS.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from learningdesk.accounts import sessions, two_factor
from learningdesk.accounts.models import SignInEvent, User
from learningdesk.core import ratelimit
from learningdesk.core.logs import redact_path

Kind = SignInEvent.Kind

# At most this many rows an hour for one address or user and one kind of event; the rest are not written.
ROWS_PER_HOUR = 120
FAILURES = frozenset({Kind.FAILED_PASSWORD, Kind.LOCKED_OUT})


def record(
    request: HttpRequest | None, kind: str, *, user: User | None = None, email: str = "", detail: str = ""
) -> SignInEvent | None:
    """Write one event (None if the cap for this address or user was reached this hour)."""
    ip = sessions.client_ip(request) if request is not None else None
    who = f"user:{user.pk}" if user is not None else f"ip:{ip}"
    if ratelimit.count(f"sign-in-log:{kind}:{who}", 3600) > ROWS_PER_HOUR:
        return None
    return SignInEvent.objects.create(
        kind=kind,
        user=user,
        email_typed=email.strip()[:254] if kind in FAILURES else "",
        ip_address=ip,
        browser=sessions.request_browser(request) if request is not None else "",
        path=redact_path(request.path)[:200] if request is not None else "",
        detail=detail[:100],
    )


def _account(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).first() if email.strip() else None


# Signal receivers (connected in apps.AccountsConfig.ready) ---------------------------------------------------------


def on_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """The password was right: start the session's row, and note whether a two-step code is still owed."""
    if request is None or not hasattr(request, "session"):
        return
    sessions.start(request, user)
    if two_factor.has_two_step(user):
        request.session[two_factor.PENDING_KEY] = True
    record(request, Kind.SIGNED_IN, user=user)


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # A try while already locked out is written once, as "locked out", by on_locked_out.
    if request is None or getattr(request, "axes_locked_out", False):
        return
    email = str(credentials.get("username") or "")
    record(request, Kind.FAILED_PASSWORD, user=_account(email), email=email)


def on_locked_out(sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any) -> None:
    email = str(username or "")
    record(request, Kind.LOCKED_OUT, user=_account(email), email=email)


def on_logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if request is None or user is None or not getattr(user, "is_authenticated", False):
        return
    sessions.mark_ended(request, sessions.EndReason.SIGNED_OUT)
    record(request, Kind.SIGNED_OUT, user=user)
