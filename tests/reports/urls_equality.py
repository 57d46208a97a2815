"""URLs of reports/views/equality.py for tests/test_every_url.py: the equality page names no record (the unit is
chosen in its query string), so it is a scoped list; the Nottingham co-ordinator has no equality role and gets 404."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import World

DERBY_RECORD: dict[str, Callable[[World], dict]] = {}
SCOPED_LISTS: set[str] = {"reports:equality"}
