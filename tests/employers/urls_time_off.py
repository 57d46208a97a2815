"""URLs of employers/views/time_off.py for tests/test_every_url.py: Maria Alberts's refused request at Derby City
Council and its negotiation case."""

from __future__ import annotations

from collections.abc import Callable

from learningdesk.employers.models import NegotiationCase, TimeOffRequest
from tests.conftest import World
from tests.employers import make_time_off


def derby_request(world: World) -> TimeOffRequest:
    request = TimeOffRequest.objects.filter(person=world.derby_person).first()
    return request or make_time_off(world, manager_name="Pat Manager")


def derby_case(world: World) -> NegotiationCase:
    request = derby_request(world)
    case, _ = NegotiationCase.objects.get_or_create(request=request, defaults={"owner": world.coordinator})
    return case


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "employers:time_off_detail": lambda w: {"pk": derby_request(w).pk},
    "employers:time_off_decide": lambda w: {"pk": derby_request(w).pk},
    "employers:case_detail": lambda w: {"pk": derby_case(w).pk},
    "employers:case_close": lambda w: {"pk": derby_case(w).pk},
}
SCOPED_LISTS: set[str] = {"employers:time_off_list", "employers:time_off_add", "employers:case_list"}
