"""URLs of learning/views/records.py for tests/test_every_url.py: a person's learning record (signed in) and
the learner's own record through an emailed link (no login)."""

from __future__ import annotations

from collections.abc import Callable

from learningdesk.learning import tokens
from tests.conftest import World

DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "learning:person_record": lambda w: {"pk": w.derby_person.pk},
    "learning:person_record_pdf": lambda w: {"pk": w.derby_person.pk},
}
SCOPED_LISTS: set[str] = set()
PUBLIC: set[str] = {"learn:record_request", "learn:record", "learn:record_pdf"}
PUBLIC_ARGS: dict[str, Callable[[World], dict]] = {
    "learn:record": lambda w: {"token": tokens.make(tokens.RECORD, w.derby_person.pk)},
    "learn:record_pdf": lambda w: {"token": tokens.make(tokens.RECORD, w.derby_person.pk)},
}
