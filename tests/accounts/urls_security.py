"""URLs of sign-in security (accounts/security_views.py) for tests/test_every_url.py: a Derby login (the ULR) and one
of the Derby co-ordinator's sessions, which the Nottingham co-ordinator must not reach."""

from __future__ import annotations

from collections.abc import Callable

from learningdesk.accounts.models import UserSession
from tests.conftest import World


def derby_session(world: World) -> UserSession:
    return UserSession.objects.create(user=world.coordinator, session_key="derby-coordinator-session-key-000")


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "accounts:session_end": lambda w: {"pk": derby_session(w).pk},
    "accounts:login_security": lambda w: {"pk": w.ulr.pk},
    "accounts:login_reset_two_step": lambda w: {"pk": w.ulr.pk},
    "accounts:login_end_sessions": lambda w: {"pk": w.ulr.pk},
}
# Each user's own account pages, and the security log (of the user's scope).
SCOPED_LISTS: set[str] = {
    "accounts:account",
    "accounts:two_step_verify",
    "accounts:two_step_setup",
    "accounts:recovery_codes",
    "accounts:recovery_codes_new",
    "accounts:two_step_off",
    "accounts:sessions",
    "accounts:sessions_end_others",
    "accounts:security_log",
}
