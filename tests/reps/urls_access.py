"""URLs of reps/views/access.py for tests/test_every_url.py."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import World
from tests.reps import derby_rep

DERBY_RECORD: dict[str, Callable[[World], dict]] = {"reps:give_login": lambda w: {"pk": derby_rep(w).pk}}
SCOPED_LISTS: set[str] = set()
