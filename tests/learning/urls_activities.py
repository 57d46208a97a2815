"""URLs of learning/views/activities.py for tests/test_every_url.py: a Derby record for each URL that names one,
and the pages without a record."""

from __future__ import annotations

from collections.abc import Callable

from learningdesk.learning.models import ActivityType, Provider
from tests.conftest import World
from tests.learning import activity_type, derby_activity, derby_session


def derby_provider(world: World) -> Provider:
    """Derby College, a provider of the Derby branch."""
    provider, _ = Provider.objects.get_or_create(
        unit=world.derby, name="Derby College", defaults={"kind": Provider.Kind.COLLEGE}
    )
    return provider


def a_type(world: World) -> ActivityType:
    return activity_type()


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "learning:activity_detail": lambda w: {"pk": derby_activity(w).pk},
    "learning:activity_edit": lambda w: {"pk": derby_activity(w).pk},
    "learning:activity_helpers": lambda w: {"pk": derby_activity(w).pk},
    "learning:session_add": lambda w: {"pk": derby_activity(w).pk},
    "learning:session_edit": lambda w: {"pk": derby_session(w).pk},
    "learning:session_cancel": lambda w: {"pk": derby_session(w).pk},
    "learning:provider_detail": lambda w: {"pk": derby_provider(w).pk},
    "learning:provider_edit": lambda w: {"pk": derby_provider(w).pk},
    "learning:provider_contact_add": lambda w: {"pk": derby_provider(w).pk},
    # Activity types belong to the whole union: only a national administrator changes them, so the
    # Nottingham co-ordinator, like everyone else, gets 403.
    "learning:activity_type_edit": lambda w: {"pk": a_type(w).pk},
    "learning:activity_type_add": lambda w: {},
}
SCOPED_LISTS: set[str] = {
    "learning:activities",
    "learning:activity_add",
    "learning:providers",
    "learning:provider_add",
    "learning:activity_types",
}
