"""URLs of reports/views/budget.py for tests/test_every_url.py: Derby's budget for 2026 and a line spent from it."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

from learningdesk.reports.models import Budget, Spend
from tests.conftest import World

YEAR = 2026


def derby_spend(world: World) -> Spend:
    """Room hire for Derby's maths course, from Derby's 2026 budget."""
    budget, _created = Budget.objects.get_or_create(
        unit=world.derby, starts_on=datetime.date(YEAR, 1, 1), defaults={"from_branch": Decimal("1500.00")}
    )
    spend, _created = Spend.objects.get_or_create(
        budget=budget,
        description="Room hire at the Council House",
        defaults={"amount": Decimal("45.00"), "spent_on": datetime.date(YEAR, 3, 2)},
    )
    return spend


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "reports:budget_edit": lambda w: {"unit_pk": w.derby.pk, "year": YEAR},
    "reports:spend_add": lambda w: {"unit_pk": w.derby.pk, "year": YEAR},
    "reports:spend_delete": lambda w: {"pk": derby_spend(w).pk},
}
# The page without ?unit= shows the user's own unit; tests/reports/test_budget.py asks for Derby's as the outsider.
SCOPED_LISTS: set[str] = {"reports:budget"}
