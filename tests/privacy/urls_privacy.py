"""URLs of the privacy app for tests/test_every_url.py: Maria Alberts of Derby, whose data rights only Derby's
co-ordinators (and those above them) may act on, and her own pages reached by a signed link (no login)."""

from __future__ import annotations

from collections.abc import Callable

from learningdesk.privacy import self_service
from tests.conftest import World

DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "privacy:subject_access": lambda w: {"pk": w.derby_person.pk},
    "privacy:send_link": lambda w: {"pk": w.derby_person.pk},
    "privacy:remove": lambda w: {"pk": w.derby_person.pk},
    "privacy:anonymise": lambda w: {"pk": w.derby_person.pk},
}
# National administrators only: the outsider gets 404.
SCOPED_LISTS: set[str] = {"privacy:retention", "privacy:retention_check"}
PUBLIC: set[str] = {"privacy_public:request", "privacy_public:details", "privacy_public:confirm_email"}
PUBLIC_ARGS: dict[str, Callable[[World], dict]] = {
    "privacy_public:details": lambda w: {"token": self_service.make_token(w.derby_person)},
    "privacy_public:confirm_email": lambda w: {
        "token": self_service.make_confirm_token(w.derby_person, "maria.new@example.net")
    },
}
