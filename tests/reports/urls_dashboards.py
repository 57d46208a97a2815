"""URLs of reports/views/dashboards.py for tests/test_every_url.py: comparing units takes the unit in the query
string, so it is a scoped page (the Nottingham co-ordinator may open it, for their own branch)."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import World

DERBY_RECORD: dict[str, Callable[[World], dict]] = {}

SCOPED_LISTS = {"reports:compare"}
