"""Backups and restore (core/backups.py): exact round trips on whichever database the suite runs on (SQLite, or
PostgreSQL when DATABASE_URL is set), encryption that refuses tampering, the daily schedule, and what
administrators see."""

from __future__ import annotations

import base64
import datetime
import io
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from psycopg import sql

from learningdesk.core import backup_crypto, backups
from learningdesk.core.backup_crypto import BackupError
from learningdesk.core.models import BackupRun
from tests.conftest import World, client_for
from tests.learning import derby_session, make_activity, make_session, sign_up

KEY = bytes(range(32))
KEY_TEXT = base64.b64encode(KEY).decode()
Status = BackupRun.Status
ON_SQLITE = django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
# Tests that back up the test database: on SQLite outside a test transaction, since SQLite cannot copy through a
# connection that is writing. (pg_dump, another process, copies what is committed: the tables, there.)
backs_up = pytest.mark.django_db(transaction=ON_SQLITE)


@pytest.fixture
def backup_settings(settings, tmp_path: Path) -> Path:
    """Backups go to a folder of the test's own, encrypted with a known key."""
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEY = KEY_TEXT
    settings.BACKUP_KEEP_DAYS = 14
    return settings.BACKUP_DIR


# A database to restore into ------------------------------------------------------------------------------------


def _admin_connection() -> psycopg.Connection[Any]:
    """A connection of its own, outside any test transaction, for CREATE and DROP DATABASE."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator[Callable[[], dict[str, Any]]]:
    """Makes settings for a new, empty database of the same kind as the test database; dropped afterwards."""
    made: list[str] = []

    def make() -> dict[str, Any]:
        name = f"{connection.settings_dict['NAME']}_restore{len(made) + 1}"
        made.append(name)
        if connection.vendor == "sqlite":
            return {**connection.settings_dict, "NAME": str(tmp_path / f"restore{len(made)}.sqlite3")}
        with _admin_connection() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return {**connection.settings_dict, "NAME": name}

    yield make
    if connection.vendor == "postgresql":
        with _admin_connection() as admin:
            for name in made:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def scratch_database(new_database) -> dict[str, Any]:
    return new_database()


def every_row(settings_dict: dict[str, Any] | None = None) -> dict[str, list[tuple]]:
    """Every row of every table (and, on PostgreSQL, every sequence's position), read through a Django connection
    so both sides' values come back as the same Python types."""
    database = (
        connection if settings_dict is None else connections["default"].__class__(settings_dict, alias="restored")
    )
    tables_query = (
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        if database.vendor == "sqlite"
        else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    )
    try:
        with database.cursor() as cursor:
            cursor.execute(tables_query)
            tables = sorted(name for (name,) in cursor.fetchall())
            rows = {}
            for table in tables:
                cursor.execute(f"SELECT * FROM {database.ops.quote_name(table)}")  # noqa: S608 (names from the catalogue)
                rows[table] = sorted(cursor.fetchall(), key=repr)
            if database.vendor == "postgresql":
                cursor.execute("SELECT sequencename, last_value FROM pg_sequences ORDER BY 1")
                rows["(sequences)"] = cursor.fetchall()
        return rows
    finally:
        if database is not connection:
            database.close()


def table_count(settings_dict: dict[str, Any]) -> int:
    return len([table for table in every_row(settings_dict) if not table.startswith(("sqlite_", "("))])


def learning_records(world: World) -> None:
    """A learning programme on top of the personas: activities, sessions, sign-ups (and their emails' records)."""
    session = derby_session(world)
    sign_up(session, world.derby_person)
    sign_up(session, world.depot_person)
    sign_up(session, first="Walk", last="In", email="walk.in@example.org")
    evening = make_session(make_activity(world.derby, title="Digital skills"), capacity=1)
    sign_up(evening, first="Ana", last="First", email="ana@example.org")
    sign_up(evening, first="Ben", last="Waiting", email="ben@example.org")  # on the waiting list


# Round trips -------------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # pg_dump sees only committed rows, never a test transaction's
def test_restoring_a_backup_into_an_empty_database_gives_back_every_row(world, backup_settings, new_database):
    learning_records(world)
    source = every_row()
    assert len(source) > 50 and sum(len(rows) for rows in source.values()) > 200  # a real database, not an empty one

    for key in (None, KEY):
        path = backup_settings / ("encrypted" if key else "plain")
        backups.write_backup(path, key=key)
        assert backup_crypto.is_encrypted(path.read_bytes()[:8]) == (key is not None)
        target = new_database()

        backups.restore_backup(path, settings_dict=target)

        restored = every_row(target)
        assert sorted(restored) == sorted(source)
        assert [table for table in source if restored[table] != source[table]] == []


@pytest.mark.slow
@pytest.mark.skipif(not ON_SQLITE, reason="SQLite's backup API; PostgreSQL has pg_dump")
def test_sqlite_backup_is_consistent_while_another_connection_writes(tmp_path, django_db_blocker):
    """A writer adds a row to one table and counts it in another in each transaction, as the app writes while
    the backup runs:
    every copy has both sides of every transfer, and the writer is never refused."""
    source = tmp_path / "live.sqlite3"
    with sqlite3.connect(source) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, padding BLOB)")
        setup.execute("CREATE TABLE totals (total INTEGER)")
        setup.execute("INSERT INTO totals VALUES (0)")
        # Some megabytes, so that each copy takes long enough for the writer to commit during it.
        setup.executemany("INSERT INTO ledger (padding) VALUES (?)", ((os.urandom(400),) for _ in range(20_000)))
        setup.execute("UPDATE totals SET total = 20000")
    stop, errors, commits = threading.Event(), [], [0]

    def write() -> None:
        writer = sqlite3.connect(source, timeout=5, isolation_level=None)
        try:
            while not stop.is_set():
                writer.execute("BEGIN IMMEDIATE")
                writer.execute("INSERT INTO ledger (padding) VALUES (x'00')")
                writer.execute("UPDATE totals SET total = total + 1")
                writer.execute("COMMIT")
                commits[0] += 1
        except sqlite3.Error as error:
            errors.append(error)
        finally:
            writer.close()

    database = connections["default"].__class__({**connection.settings_dict, "NAME": str(source)}, alias="live")
    thread = threading.Thread(target=write)
    thread.start()
    written_during = []
    try:
        for attempt in range(8):
            before = commits[0]
            with django_db_blocker.unblock():  # a database of this test's own, not the test database
                backups.write_backup(tmp_path / f"copy-{attempt}.sqlite3", key=None, database=database)
            written_during.append(commits[0] - before)
    finally:
        stop.set()
        thread.join(timeout=30)
        database.close()

    assert not errors, errors
    assert max(written_during) > 0, "the writer never committed while a copy was being made"
    for attempt in range(8):
        with sqlite3.connect(tmp_path / f"copy-{attempt}.sqlite3") as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            rows = copy.execute("SELECT count(*) FROM ledger").fetchone()[0]
            total = copy.execute("SELECT total FROM totals").fetchone()[0]
            assert rows == total >= 20_000


# Restore refuses, changing nothing ---------------------------------------------------------------------------


@backs_up
def test_restore_refuses_a_database_that_has_tables(world, backup_settings, scratch_database):
    path = backup_settings / "backup"
    backups.write_backup(path, key=None)
    backups.restore_backup(path, settings_dict=scratch_database)
    before = every_row(scratch_database)

    with pytest.raises(BackupError, match=r"is not empty \(it has \d+ tables\)\. .* or add --force"):
        backups.restore_backup(path, settings_dict=scratch_database)

    assert every_row(scratch_database) == before


def test_restore_command_says_nothing_was_restored_when_it_refuses(db, tmp_path):
    with pytest.raises(CommandError, match=r"There is no backup file at .*missing\.pgdump\. Nothing was restored\."):
        call_command("restore", str(tmp_path / "missing.pgdump"))


@backs_up
def test_restore_refuses_a_tampered_backup_and_leaves_the_database_empty(db, backup_settings, scratch_database):
    path = backup_settings / "backup.enc"
    backups.write_backup(path, key=KEY)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))

    with pytest.raises(BackupError, match="damaged, cut short or was changed"):
        backups.restore_backup(path, settings_dict=scratch_database)

    assert table_count(scratch_database) == 0
    assert [p.name for p in backup_settings.iterdir()] == ["backup.enc"]  # the decrypted part was removed


def test_restore_refuses_a_file_that_is_not_a_backup(db, tmp_path, scratch_database):
    path = tmp_path / "members.csv"
    path.write_text("Member No,Forename,Surname\n1,Maria,Alberts\n")

    with pytest.raises(BackupError, match="is not a Learning Desk backup"):
        backups.restore_backup(path, settings_dict=scratch_database)


@backs_up
def test_restore_of_an_encrypted_backup_without_the_key_says_which_setting_to_set(
    db, backup_settings, settings, scratch_database
):
    path = backup_settings / "backup.enc"
    backups.write_backup(path, key=KEY)
    settings.BACKUP_KEY = ""

    with pytest.raises(BackupError, match="Set BACKUP_KEY"):
        backups.restore_backup(path, settings_dict=scratch_database)

    assert table_count(scratch_database) == 0


# Encryption --------------------------------------------------------------------------------------------------


def encrypted(data: bytes, *, key: bytes = KEY, chunk_size: int = 64) -> bytes:
    target = io.BytesIO()
    backup_crypto.encrypt(io.BytesIO(data), target, key, chunk_size=chunk_size)
    return target.getvalue()


def decrypted(data: bytes, *, key: bytes = KEY) -> bytes:
    target = io.BytesIO()
    backup_crypto.decrypt(io.BytesIO(data), target, key)
    return target.getvalue()


@hypothesis_settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=600), chunk_size=st.integers(min_value=1, max_value=200))
def test_encryption_round_trips_any_data_in_any_chunk_size(data, chunk_size):
    sealed = encrypted(data, chunk_size=chunk_size)
    assert decrypted(sealed) == data


def test_encrypted_backup_holds_nothing_readable():
    secret = b"Maria Alberts, UNISON member 1234567, equality: disabled " * 20
    sealed = encrypted(secret)
    assert b"Maria" not in sealed and b"1234567" not in sealed
    assert encrypted(secret) != sealed  # a fresh salt, so a fresh file key, every time


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda d: d[:-1], id="last byte cut off"),
        pytest.param(lambda d: d[: backup_crypto.HEADER.size + 2 * (64 + 16)], id="cut at a chunk boundary"),
        pytest.param(lambda d: d[: backup_crypto.HEADER.size], id="only the header left"),
        pytest.param(lambda d: d + b"\x00" * 80, id="data added at the end"),
        pytest.param(lambda d: _flip(d, backup_crypto.HEADER.size + 100), id="a byte changed in a chunk"),
        pytest.param(lambda d: _flip(d, 9), id="the header's chunk size changed"),
        pytest.param(lambda d: _swap_first_chunks(d), id="two chunks swapped"),
    ],
)
def test_a_damaged_or_changed_encrypted_file_is_refused(tamper):
    sealed = encrypted(os.urandom(64 * 5 + 10))

    with pytest.raises(BackupError, match="damaged"):
        decrypted(tamper(sealed))


def _flip(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= 0x80
    return bytes(changed)


def _swap_first_chunks(data: bytes) -> bytes:
    start, size = backup_crypto.HEADER.size, 64 + 16
    first, second = data[start : start + size], data[start + size : start + 2 * size]
    return data[:start] + second + first + data[start + 2 * size :]


def test_a_file_encrypted_with_another_key_is_told_apart_from_a_damaged_one():
    sealed = encrypted(b"backup", key=os.urandom(32))

    with pytest.raises(BackupError, match="different BACKUP_KEY"):
        decrypted(sealed)


@pytest.mark.parametrize("text", ["", "not base64 at all!", base64.b64encode(b"too short").decode()])
def test_an_unusable_key_says_how_to_make_one(text):
    with pytest.raises(BackupError, match="openssl rand -base64 32"):
        backup_crypto.parse_key(text)


def test_keys_in_either_base64_alphabet_are_accepted():
    key = bytes([251] * 32)  # encodes with + and / in standard base64, - and _ in the URL-safe one
    assert backup_crypto.parse_key(base64.b64encode(key).decode()) == key
    assert backup_crypto.parse_key(base64.urlsafe_b64encode(key).decode() + "\n") == key


# The command -------------------------------------------------------------------------------------------------


@backs_up
def test_backup_command_writes_a_timestamped_private_file_and_records_it(db, backup_settings, capsys):
    call_command("backup", "--encrypt")

    (path,) = backup_settings.iterdir()
    assert backups.BACKUP_NAME.match(path.name) and path.name.endswith(".enc")
    assert path.stat().st_mode & 0o777 == 0o600  # members' special category data
    run = BackupRun.objects.get()
    assert (run.status, run.trigger, run.path, run.size, run.encrypted) == (
        Status.OK,
        BackupRun.Trigger.MANUAL,
        str(path),
        path.stat().st_size,
        True,
    )
    assert f"Backed up to {path}" in capsys.readouterr().out


def test_backup_command_fails_honestly_and_records_the_failure(db, backup_settings, settings):
    settings.BACKUP_KEY = ""

    with pytest.raises(CommandError, match="Backup failed: Set BACKUP_KEY"):
        call_command("backup", "--encrypt")

    run = BackupRun.objects.get()
    assert run.status == Status.FAILED and "Set BACKUP_KEY" in run.error
    assert not backup_settings.exists() or not list(backup_settings.iterdir())


@backs_up
def test_a_backup_that_stops_half_way_leaves_no_file_that_looks_like_a_backup(db, backup_settings):
    real_write = backup_crypto.EncryptingWriter.write

    def disk_fills(self, data):
        real_write(self, data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    with (
        mock.patch.object(backup_crypto.EncryptingWriter, "write", disk_fills),
        pytest.raises(CommandError, match=r"Backup failed: .*No space left on device"),
    ):
        call_command("backup", "--encrypt", "--output", str(backup_settings / "big.enc"))

    assert list(backup_settings.iterdir()) == []  # neither the backup's name nor a partial file
    run = BackupRun.objects.get()
    assert run.status == Status.FAILED and "No space left on device" in run.error


# The daily schedule ------------------------------------------------------------------------------------------


def at(moment: datetime.datetime):
    """The clock at `moment` (the file names and run times follow it)."""
    return mock.patch.object(timezone, "now", return_value=moment)


@backs_up
def test_daily_backup_runs_once_a_day_and_again_after_a_day(db, backup_settings, capsys):
    morning = timezone.now().replace(microsecond=0)
    with at(morning):
        call_command("backup", "--if-due")
    with at(morning + datetime.timedelta(hours=1)):
        call_command("backup", "--if-due")
    with at(morning + datetime.timedelta(days=1)):
        call_command("backup", "--if-due")

    runs = list(BackupRun.objects.order_by("queued_at"))
    assert [(run.trigger, run.status, run.encrypted) for run in runs] == [
        (BackupRun.Trigger.SCHEDULED, Status.OK, True)
    ] * 2
    assert len(list(backup_settings.iterdir())) == 2
    assert "Not due: the next daily backup is due after" in capsys.readouterr().out


@backs_up
def test_a_failed_daily_backup_is_tried_again_the_next_hour(db, backup_settings, settings):
    settings.BACKUP_KEY = "not a key"
    morning = timezone.now()
    with at(morning), pytest.raises(CommandError, match="The daily backup failed: BACKUP_KEY is not valid base64"):
        call_command("backup", "--if-due")
    settings.BACKUP_KEY = KEY_TEXT
    with at(morning + datetime.timedelta(hours=1)):
        call_command("backup", "--if-due")

    assert [run.status for run in BackupRun.objects.order_by("queued_at")] == [Status.FAILED, Status.OK]


@backs_up
def test_backup_left_queued_or_running_by_a_stopped_worker_is_marked_failed(db, backup_settings):
    long_ago = timezone.now() - datetime.timedelta(hours=13)
    queued = BackupRun.objects.create(trigger="scheduled", status=Status.QUEUED, queued_at=long_ago)
    running = BackupRun.objects.create(trigger="scheduled", status=Status.RUNNING, queued_at=long_ago)

    run = backups.backup_if_due()

    queued.refresh_from_db()
    running.refresh_from_db()
    assert queued.status == running.status == Status.FAILED
    assert "check that the worker is running" in queued.error
    assert "stopped before it finished" in running.error
    assert run is not None and run.status == Status.OK


def test_the_task_worker_dying_during_a_backup_fails_it_at_once(db):
    run = BackupRun.objects.create(trigger="scheduled", status=Status.RUNNING)

    backups.backup_stopped(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == Status.FAILED and "tried again within the hour" in run.error


def test_old_backups_are_deleted_and_nothing_else(tmp_path):
    now = datetime.datetime(2025, 6, 20, 2, 0, tzinfo=datetime.UTC)
    names = {
        "learningdesk-20250601T020000Z.pgdump.enc": "old",
        "learningdesk-20250605T020000Z.sqlite3": "old",
        "learningdesk-20250607T020000Z.sqlite3": "recent",
        "learningdesk-20250620T020000Z.pgdump": "newest",
        "learningdesk-before-upgrade.sqlite3": "not ours",
        "notes.txt": "not ours",
        ".learningdesk-20250601T020000Z.pgdump.partial": "stopped",
        ".learningdesk-20250620T015959Z.pgdump.partial": "being written",
    }
    for name in names:
        (tmp_path / name).write_text(name)
    old_time = (now - datetime.timedelta(days=20)).timestamp()
    os.utime(tmp_path / ".learningdesk-20250601T020000Z.pgdump.partial", (old_time, old_time))
    os.utime(tmp_path / ".learningdesk-20250620T015959Z.pgdump.partial", (now.timestamp(), now.timestamp()))

    removed = backups.prune_backups(
        tmp_path, keep_days=14, now=now, keep=tmp_path / "learningdesk-20250620T020000Z.pgdump"
    )

    assert sorted(path.name for path in removed) == sorted(
        name for name, kind in names.items() if kind in ("old", "stopped")
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        name for name, kind in names.items() if kind in ("recent", "newest", "not ours", "being written")
    )


def test_a_restored_database_records_the_backup_it_came_from_as_done(db, tmp_path):
    made_at = "/var/lib/learningdesk/backups/learningdesk-20250620T020000Z.sqlite3"
    itself = BackupRun.objects.create(trigger="scheduled", status=Status.RUNNING, path=made_at)
    other = BackupRun.objects.create(trigger="manual", status=Status.RUNNING, path=str(tmp_path / "other.sqlite3"))
    copied = tmp_path / "new-server" / "learningdesk-20250620T020000Z.sqlite3"  # restored on another machine
    copied.parent.mkdir()
    copied.write_bytes(b"x" * 1234)

    backups.settle_restored_runs(copied)

    itself.refresh_from_db()
    other.refresh_from_db()
    assert (itself.status, itself.size) == (Status.OK, 1234)
    assert other.status == Status.FAILED and "restored from learningdesk-20250620T020000Z.sqlite3" in other.error


# What administrators see -------------------------------------------------------------------------------------


@backs_up
def test_national_administrator_sees_the_last_good_backup(world, backup_settings):
    call_command("backup", "--encrypt")
    run = BackupRun.objects.get()

    page = client_for(world.admin).get(reverse("system")).content.decode()

    assert "Last good backup" in page and run.file_name in page
    assert "Encrypted with the key in BACKUP_KEY" in page
    assert "govuk-tag--red" not in page
    home = client_for(world.admin).get(reverse("home")).content.decode()
    assert "The daily backup failed" not in home and "No backup" not in home  # nothing needs their attention


@backs_up
def test_a_daily_backup_failed_since_the_last_good_one_is_shown_in_red(world, backup_settings, settings):
    call_command("backup")
    settings.BACKUP_KEY = "not a key"
    with pytest.raises(CommandError):
        call_command("backup", "--if-due")

    page = client_for(world.admin).get(reverse("system")).content.decode()
    home = client_for(world.admin).get(reverse("home")).content.decode()

    assert "The daily backup has failed since the last good one" in page
    assert "govuk-tag--red" in page and "BACKUP_KEY is not valid base64" in page
    assert "The daily backup failed" in home and reverse("system") in home


@backs_up
def test_a_backup_by_hand_that_failed_is_listed_but_raises_no_alarm(world, backup_settings, settings):
    call_command("backup")
    settings.BACKUP_KEY = ""
    with pytest.raises(CommandError):
        call_command("backup", "--encrypt")

    page = client_for(world.admin).get(reverse("system")).content.decode()
    home = client_for(world.admin).get(reverse("home")).content.decode()

    assert "Set BACKUP_KEY" in page and "govuk-tag--red" in page  # in the list of recent backups
    assert "has failed since" not in page and "The daily backup failed" not in home
    assert "Not encrypted" in page  # the daily backups, without a key


def test_no_backup_for_over_a_day_needs_the_administrators_attention(world, backup_settings):
    BackupRun.objects.create(
        trigger="scheduled",
        status=Status.OK,
        queued_at=timezone.now() - datetime.timedelta(days=2),
        finished_at=timezone.now() - datetime.timedelta(days=2),
        path="/var/backups/learningdesk-20250601T020000Z.sqlite3",
        size=10,
    )

    home = client_for(world.admin).get(reverse("home")).content.decode()

    assert "No backup has succeeded for over a day" in home


@pytest.mark.parametrize("persona", ["regional", "coordinator", "ulr", "equality"])
def test_only_national_administrators_see_the_system_page(world, persona):
    client = client_for(getattr(world, persona))

    assert client.get(reverse("system")).status_code == 404
    assert 'href="/system/"' not in client.get(reverse("home")).content.decode()
    assert 'href="/system/"' in client_for(world.admin).get(reverse("home")).content.decode()
