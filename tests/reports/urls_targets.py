"""URLs of reports/views/targets.py for tests/test_every_url.py: a Derby target for this year."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from learningdesk.reports.models import Measure, Target
from tests.conftest import World


def derby_target(world: World) -> Target:
    """Derby's target of 120 learners this year."""
    year = timezone.localdate().year
    target, _created = Target.objects.get_or_create(
        unit=world.derby,
        measure=Measure.LEARNERS,
        starts_on=datetime.date(year, 1, 1),
        ends_on=datetime.date(year, 12, 31),
        defaults={"value": 120},
    )
    return target


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "reports:target_edit": lambda w: {"pk": derby_target(w).pk},
    "reports:target_delete": lambda w: {"pk": derby_target(w).pk},
}
# The list, the drill-down and the forms show the user's own units: tests/reports/test_targets_views.py checks that
# asking for Derby's unit by its id answers 404 to Nottingham's co-ordinator.
SCOPED_LISTS: set[str] = {
    "reports:targets",
    "reports:target_add",
    "reports:targets_template",
    "reports:target_drilldown",
}
