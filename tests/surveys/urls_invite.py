"""URLs of surveys/views/invite.py for tests/test_every_url.py: each names a Derby survey."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import World
from tests.surveys import derby_survey

DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "surveys:invitations": lambda w: {"pk": derby_survey(w).pk},
    "surveys:remind": lambda w: {"pk": derby_survey(w).pk},
    "surveys:qr": lambda w: {"pk": derby_survey(w).pk},
}
SCOPED_LISTS: set[str] = set()
