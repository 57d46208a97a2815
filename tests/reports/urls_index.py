"""URLs of reports/views/index.py for tests/test_every_url.py."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import World

DERBY_RECORD: dict[str, Callable[[World], dict]] = {}
SCOPED_LISTS: set[str] = {"reports:index"}
