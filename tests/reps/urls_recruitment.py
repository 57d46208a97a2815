"""URLs of reps/views/recruitment.py for tests/test_every_url.py: a Derby record for each URL that names one,
and the pages without a record."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from learningdesk.reps.models import RecruitmentTarget
from tests.conftest import World


def derby_target(world: World) -> RecruitmentTarget:
    """Derby's target of 8 new reps this year."""
    year = datetime.date.today().year
    target, _ = RecruitmentTarget.objects.get_or_create(
        unit=world.derby,
        starts_on=datetime.date(year, 1, 1),
        defaults={"ends_on": datetime.date(year, 12, 31), "target": 8, "created_by": world.coordinator},
    )
    return target


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "reps:target_edit": lambda w: {"pk": derby_target(w).pk},
    "reps:target_delete": lambda w: {"pk": derby_target(w).pk},
}
SCOPED_LISTS: set[str] = {"reps:recruitment", "reps:target_add"}
