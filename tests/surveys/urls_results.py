"""URLs of surveys/views/results.py for tests/test_every_url.py: Derby's survey, its text question, and the
privacy page (national administrators only, so a branch co-ordinator gets 403 like a record out of scope)."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import World
from tests.surveys import derby_survey, q

DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "surveys:results": lambda w: {"pk": derby_survey(w).pk},
    "surveys:breakdown": lambda w: {"pk": derby_survey(w).pk},
    "surveys:answers": lambda w: {"pk": q(derby_survey(w), 6).pk},
    "surveys:privacy": lambda w: {},
}
SCOPED_LISTS: set[str] = set()
