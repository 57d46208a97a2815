"""SQLite with two writers, as a branch runs Learning Desk on one machine: the public signing up through the web
process while the task worker imports the member list. Nobody may see "database is locked": each writer takes the
write lock when its transaction begins (BEGIN IMMEDIATE) and waits for the other (the busy timeout), settings/base.py.

Real processes on a real database file, as `make run` has them: `manage.py import_members` (what the worker's
import task runs) and a web process signing people up one after another.
"""

from __future__ import annotations

import json
import time

import pytest
from django.db import connection
from django.urls import reverse

from learningdesk.imports.models import MemberImport
from learningdesk.learning.models import SignUp
from tests.core.processes import share_database
from tests.imports import HEADER, csv_bytes
from tests.learning import derby_session

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock; PostgreSQL locks rows"),
]

MEMBERS = 10_000  # a large branch's member list: its import holds the write lock for a moment


def test_sign_ups_while_a_member_import_runs_all_succeed(world, tmp_path):
    session = derby_session(world)
    session.capacity = 100_000
    session.save(update_fields=["capacity"])
    url = reverse("learn:sign_up", kwargs={"code": "em-derby", "session_pk": session.pk})
    rows = [[f"W{n:06}", "Wendy", f"Writer{n}", f"wendy{n}@example.org", "", "", ""] for n in range(MEMBERS)]
    members = tmp_path / "members.csv"
    members.write_bytes(csv_bytes([HEADER, *rows]))
    stop, answers_file = tmp_path / "stop", tmp_path / "answers.json"
    shared = share_database(tmp_path)
    try:
        web = shared.start(
            "-m", "tests.core.sign_up_loop", url, str(stop), str(answers_file),
            log=tmp_path / "web.log", ALLOWED_HOSTS="testserver",
        )  # fmt: skip
        time.sleep(1)  # the web process signing people up before the import begins
        worker = shared.start(
            "manage.py", "import_members", str(members), "--branch", "EM-DERBY", log=tmp_path / "worker.log"
        )
        assert worker.wait(timeout=120) == 0, (tmp_path / "worker.log").read_text()
        worker_ended = time.time()
        time.sleep(0.5)
        stop.touch()
        assert web.wait(timeout=60) == 0, (tmp_path / "web.log").read_text()
    finally:
        shared.stop_all()

    answers = json.loads(answers_file.read_text())
    failed = [answer for answer in answers if answer["status"] != 302]
    assert failed == [], failed[0]["body"]
    logs = (tmp_path / "web.log").read_text() + (tmp_path / "worker.log").read_text()
    assert "database is locked" not in logs
    # Both wrote everything: every sign-up, and the whole import.
    assert shared.query(f"SELECT count(*) FROM {SignUp._meta.db_table}") == [(len(answers),)]  # noqa: S608
    imported = shared.query(f"SELECT status, created, imported_at FROM {MemberImport._meta.db_table}")  # noqa: S608
    assert [row[:2] for row in imported] == [("done", MEMBERS)]
    # Sign-ups were made while the import's one transaction held the lock (from its start to the worker's end).
    import_started = _timestamp(imported[0][2])
    during = [answer for answer in answers if answer["ended"] > import_started and answer["started"] < worker_ended]
    assert len(during) >= 3, (import_started, worker_ended, len(answers))


def _timestamp(value: str) -> float:
    import datetime

    return datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC).timestamp()
