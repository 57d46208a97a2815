"""URLs of reps/views/facility.py for tests/test_every_url.py: a Derby record for each URL that names one,
and the pages without a record."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import World
from tests.reps import derby_rep

DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "reps:allowance_add": lambda w: {"pk": derby_rep(w).pk},
}
# The log pages open for the user's own role (the outsider has none); the report shows the user's scope.
SCOPED_LISTS: set[str] = {"reps:time_log", "reps:conversation_log", "reps:facility"}
