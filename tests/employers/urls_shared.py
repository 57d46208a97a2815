"""An employer contact's own pages (owner: the committee and sharing helper). The Nottingham co-ordinator is
nobody's contact: the shared pages show them nothing (404)."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import World
from tests.employers.urls_committees import derby_finding

DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "shared:finding_pdf": lambda w: {"pk": derby_finding(w).pk},
}
SCOPED_LISTS = {"shared:home"}
