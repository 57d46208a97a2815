"""URLs of employers/views/contacts.py for tests/test_every_url.py: a contact of Derby City Council."""

from __future__ import annotations

from collections.abc import Callable

from learningdesk.employers.models import EmployerContact
from tests.conftest import World


def derby_contact(world: World) -> EmployerContact:
    """Harriet, in HR at Derby City Council."""
    contact, _created = EmployerContact.objects.get_or_create(
        employer=world.council,
        name="Harriet Hughes",
        defaults={"kind": EmployerContact.Kind.HR, "email": "harriet.hughes@derby.gov.example"},
    )
    return contact


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "employers:contact_add": lambda w: {"employer_pk": w.council.pk},
    "employers:contact_detail": lambda w: {"pk": derby_contact(w).pk},
    "employers:contact_edit": lambda w: {"pk": derby_contact(w).pk},
    "employers:contact_note_add": lambda w: {"pk": derby_contact(w).pk},
    "employers:contact_invite": lambda w: {"pk": derby_contact(w).pk},
    "employers:contact_access_end": lambda w: {"pk": derby_contact(w).pk},
}
SCOPED_LISTS: set[str] = set()
