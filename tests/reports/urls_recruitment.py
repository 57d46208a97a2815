"""URLs of reports/views/recruitment.py for tests/test_every_url.py: Derby's image card (its unit is in the URL),
and the recruitment and news pages, which show the user's own units."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import World

DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "reports:news_card": lambda w: {"unit_pk": w.derby.pk},
}
SCOPED_LISTS: set[str] = {"reports:recruitment", "reports:news_item"}
