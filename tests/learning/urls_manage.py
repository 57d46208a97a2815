"""URLs of learning/views/manage.py for tests/test_every_url.py: the organiser's cancel (a Derby sign-up) and
the learner's own pages from their email link (no login, a real token)."""

from __future__ import annotations

from collections.abc import Callable

from learningdesk.learning import tokens
from tests.conftest import World
from tests.learning import derby_sign_up


def derby_token(world: World) -> dict:
    return {"token": tokens.make(tokens.SIGN_UP, derby_sign_up(world).pk)}


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "learning:sign_up_cancel": lambda w: {"pk": derby_sign_up(w).pk},
}
SCOPED_LISTS: set[str] = set()
PUBLIC: set[str] = {
    "learn:manage",
    "learn:manage_cancel",
    "learn:manage_change",
    "learn:manage_accept",
    "learn:manage_decline",
    "learn:manage_ics",
}
PUBLIC_ARGS: dict[str, Callable[[World], dict]] = {name: derby_token for name in PUBLIC}
