"""A first load of many people rebuilds the search indexes instead of keeping them up to date row by row."""

from __future__ import annotations

from django.db import connection

from learningdesk.imports import engine
from learningdesk.imports.models import MemberImport
from learningdesk.org.models import Person
from tests.imports import HEADER, check, csv_bytes, import_file, people_state, start
from tests.imports import apply as run_apply


def _person_indexes() -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Person._meta.db_table)
    return {name for name, details in constraints.items() if details["index"] and not details["unique"]}


def test_a_big_first_load_imports_everyone_and_builds_the_indexes_again(world, monkeypatch):
    monkeypatch.setattr(engine, "BIG_LOAD", 3)
    before, foreign_keys = _person_indexes(), engine._foreign_keys()
    rows = [HEADER] + [[f"B{n:05d}", "Ann", f"Archer{n}", "", "", "", "01/02/2020"] for n in range(40)]

    done = import_file(world.derby, rows)

    assert done.status == MemberImport.Status.DONE, done.error
    assert done.created == 40
    assert Person.objects.filter(membership_number__startswith="B", branch=world.derby).count() == 40
    assert {index.name for index in Person._meta.indexes} <= _person_indexes()
    assert _person_indexes() == before
    assert engine._foreign_keys() == foreign_keys  # dropped for the load on PostgreSQL, then added back


def test_a_big_first_load_that_fails_leaves_people_and_indexes_as_they_were(world, monkeypatch):
    monkeypatch.setattr(engine, "BIG_LOAD", 3)
    before, indexes = people_state(), _person_indexes()

    def fail(step: str) -> None:
        if step == "created":
            raise RuntimeError("the worker was stopped")

    original = engine.apply
    monkeypatch.setattr(engine, "apply", lambda member_import, **kw: original(member_import, after_step=fail))
    rows = [HEADER] + [[f"C{n:05d}", "Bo", f"Baker{n}", "", "", "", ""] for n in range(10)]

    failed = run_apply(check(start(world.derby, csv_bytes(rows))))

    assert failed.status == MemberImport.Status.FAILED
    assert people_state() == before
    assert _person_indexes() == indexes
