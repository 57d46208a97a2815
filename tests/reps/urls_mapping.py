"""URLs of reps/views/mapping.py for tests/test_every_url.py: a Derby record for each URL that names one,
and the pages without a record."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import World

DERBY_RECORD: dict[str, Callable[[World], dict]] = {}
# The export without ?format= answers 404; tests/reps/test_mapping.py checks what it exports to whom.
SCOPED_LISTS: set[str] = {"reps:mapping", "reps:mapping_export"}
