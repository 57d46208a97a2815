"""URLs of reps/views/support.py for tests/test_every_url.py: a Derby record for each URL that names one,
and the pages without a record."""

from __future__ import annotations

from collections.abc import Callable

from learningdesk.reps.models import Action
from tests.conftest import World
from tests.reps import derby_rep


def derby_action(world: World) -> Action:
    """An open action in Maria Alberts's (Derby) action plan."""
    rep = derby_rep(world)
    return Action.objects.create(
        unit=world.derby, rep=rep, is_plan=True, owner=rep.person, description="Run a stall at the Council House"
    )


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "reps:support_add": lambda w: {"pk": derby_rep(w).pk},
    "reps:plan_add": lambda w: {"pk": derby_rep(w).pk},
    "reps:recognition_add": lambda w: {"pk": derby_rep(w).pk},
    "reps:action_done": lambda w: {"pk": derby_action(w).pk},
}
SCOPED_LISTS: set[str] = {"reps:actions"}
