"""URLs of learning/views/public.py and stall.py for tests/test_every_url.py: the public pages (no login) with
a Derby record for each, and the signed-in stall mode and poster."""

from __future__ import annotations

from collections.abc import Callable

from learningdesk.learning import tokens
from tests.conftest import World
from tests.learning import derby_activity, derby_session, derby_sign_up

DERBY = "em-derby"

PUBLIC: set[str] = {
    "learn:unit",
    "learn:activity",
    "learn:sign_up",
    "learn:signed_up",
    "learn:unit_qr",
    "learn:activity_qr",
    "learn:calendar",
}
PUBLIC_ARGS: dict[str, Callable[[World], dict]] = {
    "learn:unit": lambda w: {"code": DERBY},
    "learn:unit_qr": lambda w: {"code": DERBY},
    "learn:calendar": lambda w: {"code": DERBY},
    "learn:activity": lambda w: {"code": DERBY, "pk": derby_activity(w).pk},
    "learn:activity_qr": lambda w: {"code": DERBY, "pk": derby_activity(w).pk},
    "learn:sign_up": lambda w: {"code": DERBY, "session_pk": derby_session(w).pk},
    "learn:signed_up": lambda w: {"token": tokens.make(tokens.SIGN_UP, derby_sign_up(w).pk)},
}
DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "learning:stall": lambda w: {"pk": derby_session(w).pk},
    "learning:poster": lambda w: {"pk": derby_activity(w).pk},
}
SCOPED_LISTS: set[str] = set()
