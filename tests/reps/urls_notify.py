"""URLs of reps/views/notify.py for tests/test_every_url.py: a Derby record for each URL that names one,
and the pages without a record."""

from __future__ import annotations

from collections.abc import Callable

from learningdesk.reps import services
from learningdesk.reps.models import EmployerNotification
from tests.conftest import World
from tests.reps import days_ago, derby_rep


def derby_notification(world: World) -> EmployerNotification:
    """The letter telling Derby City Council that Maria Alberts is a ULR."""
    return services.rep_notify(
        acting_user=world.coordinator,
        rep=derby_rep(world),
        employer=world.council,
        sent_on=days_ago(10),
        contact={"contact_name": "Pat Manager", "contact_job_title": "Head of HR"},
    )


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "reps:notify": lambda w: {"pk": derby_rep(w).pk},
    "reps:notification": lambda w: {"pk": derby_notification(w).pk},
    "reps:letter_pdf": lambda w: {"pk": derby_notification(w).pk},
    "reps:letter_docx": lambda w: {"pk": derby_notification(w).pk},
}
SCOPED_LISTS: set[str] = {"reps:settings"}
