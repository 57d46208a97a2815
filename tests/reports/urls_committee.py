"""URLs of reports/views/committee.py for tests/test_every_url.py: a draft committee report of Derby's."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from learningdesk.reports.models import CommitteeReport
from tests.conftest import World


def derby_report(world: World, *, title: str = "Learning report to the Derby City committee") -> CommitteeReport:
    """Derby's draft report for July to September 2026, started by its co-ordinator."""
    report, _created = CommitteeReport.objects.get_or_create(
        unit=world.derby,
        title=title,
        defaults={
            "starts_on": datetime.date(2026, 7, 1),
            "ends_on": datetime.date(2026, 9, 30),
            "created_by": world.coordinator,
            "commentary": "A good quarter at the Council House.",
        },
    )
    return report


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    name: lambda w: {"pk": derby_report(w).pk}
    for name in (
        "reports:committee_detail",
        "reports:committee_edit",
        "reports:committee_issue",
        "reports:committee_equality",
        "reports:committee_pdf",
        "reports:committee_docx",
        "reports:committee_delete",
    )
}
SCOPED_LISTS: set[str] = {"reports:committee_list", "reports:committee_add"}
