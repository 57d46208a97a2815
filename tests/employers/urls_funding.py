"""URLs of employers/views/funding.py for tests/test_every_url.py: a Derby bid with Derby City Council."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from learningdesk.employers.models import FundingBid
from tests.conftest import World


def derby_bid(world: World) -> FundingBid:
    """Derby's bid to the union learning fund for maths and English at the Council House."""
    bid, _created = FundingBid.objects.get_or_create(
        unit=world.derby,
        title="Maths and English at the Council House",
        defaults={
            "employer": world.council,
            "source": FundingBid.Source.UNION_LEARNING_FUND,
            "amount": Decimal("4500.00"),
            "status": FundingBid.Status.PLANNED,
        },
    )
    return bid


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "employers:funding_detail": lambda w: {"pk": derby_bid(w).pk},
    "employers:funding_edit": lambda w: {"pk": derby_bid(w).pk},
}
# The export without ?period= answers 404; tests/employers/test_costs.py checks what it exports to whom.
SCOPED_LISTS: set[str] = {
    "employers:funding_list",
    "employers:funding_add",
    "employers:costs",
    "employers:costs_export",
}
