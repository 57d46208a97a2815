"""URLs of learning/views/centres.py for tests/test_every_url.py: Derby's learning centre and its room."""

from __future__ import annotations

from collections.abc import Callable

from learningdesk.learning.models import LearningCentre, Room
from tests.conftest import World


def derby_centre(world: World) -> LearningCentre:
    """Derby's learning centre at the Council House."""
    centre, _created = LearningCentre.objects.get_or_create(
        unit=world.derby,
        name="Council House learning centre",
        defaults={"workplace": world.town_hall, "opening_hours": "Monday to Friday, 8am to 6pm"},
    )
    return centre


def derby_room(world: World) -> Room:
    room, _created = Room.objects.get_or_create(centre=derby_centre(world), name="IT suite", defaults={"capacity": 12})
    return room


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "learning:centre_detail": lambda w: {"pk": derby_centre(w).pk},
    "learning:centre_edit": lambda w: {"pk": derby_centre(w).pk},
    "learning:room_add": lambda w: {"pk": derby_centre(w).pk},
    "learning:room_edit": lambda w: {"pk": derby_room(w).pk},
}
SCOPED_LISTS: set[str] = {"learning:centres", "learning:centre_add"}
