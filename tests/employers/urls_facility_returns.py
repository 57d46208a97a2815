"""URLs of employers/views/facility_returns.py for tests/test_every_url.py: Derby City Council's facility-time
figures for a year, with Maria Alberts as an official."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from learningdesk.employers.models import FacilityTimeReturn, ReturnOfficial
from tests.conftest import World
from tests.reps import derby_rep


def derby_return(world: World) -> FacilityTimeReturn:
    """Derby City Council's figures for April 2025 to March 2026, with Maria Alberts as an official."""
    facility_return, created = FacilityTimeReturn.objects.get_or_create(
        employer=world.council, year=2025, defaults={"total_pay_bill": Decimal("10000000")}
    )
    if created:
        ReturnOfficial.objects.create(
            facility_return=facility_return,
            rep=derby_rep(world),
            hours_per_week=Decimal("37"),
            hourly_cost=Decimal("20"),
            hours_checked=True,
        )
    return facility_return


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "employers:return_detail": lambda w: {"pk": derby_return(w).pk},
    "employers:return_edit": lambda w: {"pk": derby_return(w).pk},
    "employers:return_officials": lambda w: {"pk": derby_return(w).pk},
    "employers:return_csv": lambda w: {"pk": derby_return(w).pk},
    "employers:return_pdf": lambda w: {"pk": derby_return(w).pk},
}
SCOPED_LISTS: set[str] = {"employers:return_list", "employers:return_add"}
