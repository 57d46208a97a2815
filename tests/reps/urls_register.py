"""URLs of reps/views/register.py for tests/test_every_url.py: a Derby record for each URL that names one,
and the pages without a record."""

from __future__ import annotations

from collections.abc import Callable

from learningdesk.reps import services
from tests.conftest import World
from tests.reps import days_ago, derby_rep


def _derby_training(world: World) -> dict:
    rep = derby_rep(world)
    record = services.training_add(
        acting_user=None, rep=rep, data={"course": "ULR stage 1", "on": days_ago(10), "completed": True}
    )
    return {"pk": rep.pk, "training_pk": record.pk}


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "reps:detail": lambda w: {"pk": derby_rep(w).pk},
    "reps:edit": lambda w: {"pk": derby_rep(w).pk},
    "reps:move": lambda w: {"pk": derby_rep(w).pk},
    "reps:training_add": lambda w: {"pk": derby_rep(w).pk},
    "reps:training_edit": _derby_training,
}
SCOPED_LISTS: set[str] = {"reps:register", "reps:add", "reps:kinds"}
