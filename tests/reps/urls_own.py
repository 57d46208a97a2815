"""URLs of reps/views/own.py for tests/test_every_url.py: a Derby record for each URL that names one,
and the pages without a record."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import World

DERBY_RECORD: dict[str, Callable[[World], dict]] = {}
SCOPED_LISTS: set[str] = {"reps:own"}
