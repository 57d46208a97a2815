"""Backups of the whole database, restoring them, and the daily scheduled backup.

- SQLite: an online copy through SQLite's backup API, consistent while the app runs and writes (WAL mode).
- PostgreSQL: `pg_dump --format=custom` of DATABASE_URL's database; `pg_restore` puts it back.
- Encrypted with BACKUP_KEY when asked (always for the scheduled backup when the key is set): see backup_crypto.
- A backup is written under a hidden `.partial` name and renamed when complete, so a file with a backup's
  name is always a whole backup. The files hold members' special category data (UK GDPR Art. 9): they are
  created readable by their owner only.
- Each run is recorded (BackupRun); administrators see the last success, and any failure since, on the
  System page. docs/deploy.md "Backups and restore" is the operator's side of this.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from psycopg.conninfo import make_conninfo

from learningdesk.accounts.models import User
from learningdesk.core import backup_crypto
from learningdesk.core.backup_crypto import BackupError
from learningdesk.core.models import BackupRun
from learningdesk.org import scoping

__all__ = ["BackupError"]

logger = logging.getLogger(__name__)

Status = BackupRun.Status

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
DATABASE_LABEL = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
STAMP = "%Y%m%dT%H%M%SZ"
# Our backup files, the only ones pruning deletes: learningdesk-20250601T020000Z.sqlite3 (or .pgdump), .enc added
# when encrypted; and the hidden partial files of a backup or restore that stopped half-way.
BACKUP_NAME = re.compile(r"^learningdesk-(?P<stamp>\d{8}T\d{6}Z)\.(sqlite3|pgdump)(\.enc)?$")
PARTIAL_NAME = re.compile(r"^\.(learningdesk-\d{8}T\d{6}Z\.|restore-).+\.partial$")
# The daily backup is due 23 hours after the last one was queued: checked hourly, it then runs at the same hour
# every day rather than creeping an hour later each day.
DUE_AFTER = timedelta(hours=23)
# A backup queued or running for longer than this has stopped: the worker is down, or its process was killed.
GIVE_UP_AFTER = timedelta(hours=12)
# Administrators are told when the last good backup is older than this: a day missed, and the hourly retries too.
OVERDUE_AFTER = timedelta(hours=26)
# A partial file older than this belongs to no backup still running.
PARTIAL_KEPT = timedelta(days=1)
READ_SIZE = 1024 * 1024
PG_DUMP = ["--format=custom", "--no-password"]
# Ownership and grants name roles the new server may not have; the app's user owns what it restores.
# One transaction: if anything fails, the database is left as it was.
PG_RESTORE = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "--no-password"]


# Configuration -------------------------------------------------------------------------------------------------


def backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)


def configured_key() -> bytes:
    """The encryption key from BACKUP_KEY; BackupError if it is missing or malformed."""
    if not settings.BACKUP_KEY:
        raise BackupError(f"Set BACKUP_KEY in the environment to encrypt or decrypt backups. {backup_crypto.KEY_HELP}")
    return backup_crypto.parse_key(settings.BACKUP_KEY)


def _keep_days() -> int:
    if settings.BACKUP_KEEP_DAYS < 1:
        raise BackupError(f"BACKUP_KEEP_DAYS is {settings.BACKUP_KEEP_DAYS}: it must be 1 or more.")
    return int(settings.BACKUP_KEEP_DAYS)


def _vendor(settings_dict: dict[str, Any]) -> str:
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"Backups work with SQLite and PostgreSQL, not {engine}.")


def _describe(settings_dict: dict[str, Any]) -> str:
    return f'{DATABASE_LABEL[_vendor(settings_dict)]} database "{settings_dict["NAME"]}"'


# Files ------------------------------------------------------------------------------------------------------------


def backup_path(directory: Path, *, vendor: str, encrypted: bool, now: datetime) -> Path:
    """Where a backup made now goes: a name that sorts by time and that pruning recognises."""
    suffix = ".sqlite3" if vendor == "sqlite" else ".pgdump"
    return directory / f"learningdesk-{now.astimezone(UTC).strftime(STAMP)}{suffix}{'.enc' if encrypted else ''}"


@contextmanager
def _private_files(*paths: Path) -> Iterator[None]:
    """Create each path new and empty, readable by this user only; delete whichever of them still exist at the end.

    A path that exists already is another backup's file at work: BackupError, and it is left alone.
    """
    created: list[Path] = []
    try:
        for path in paths:
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                raise BackupError(f"{path} exists already: is another backup being written to the same name?") from None
            created.append(path)
        yield
    finally:
        for path in created:
            path.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    """Flush a file (or a folder's entries) to disk, so a crash after the rename cannot leave an empty backup."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _head(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(len(SQLITE_MAGIC))


# Backing up -------------------------------------------------------------------------------------------------------


def write_backup(path: Path, *, key: bytes | None, database: BaseDatabaseWrapper = connection) -> int:
    """Write a consistent backup of `database` to `path` (encrypted when `key` is given); returns its size in bytes.

    The backup is written to a hidden partial file beside `path` and renamed only when complete.
    """
    vendor = _vendor(database.settings_dict)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists():
        raise BackupError(f"{path} exists already: a backup never replaces another.")
    partial = path.with_name(f".{path.name}.partial")
    plain = path.with_name(f".{path.name}.plain.partial")
    with _private_files(partial, *([plain] if vendor == "sqlite" and key else [])):
        if vendor == "sqlite":
            _copy_sqlite(database, plain if key else partial)
            if key:
                with plain.open("rb") as source, partial.open("wb") as target:
                    backup_crypto.encrypt(source, target, key)
        elif key:
            with partial.open("wb") as target:
                _pg_dump_encrypted(database.settings_dict, target, key)
        else:
            _run_pg_tool("pg_dump", [*PG_DUMP, "--file", str(partial)], database.settings_dict)
        _fsync(partial)
        partial.rename(path)
        _fsync(path.parent)
    return path.stat().st_size


def _copy_sqlite(database: BaseDatabaseWrapper, target: Path) -> None:
    if database.in_atomic_block:
        # SQLite refuses to copy through a connection that is writing, and Python's backup() waits for ever.
        raise BackupError("A SQLite backup cannot be made inside a database transaction.")
    database.ensure_connection()
    with closing(sqlite3.connect(target)) as copy:
        # In one step (pages=-1), so under one read transaction: a consistent snapshot, while in WAL mode the app's
        # writers carry on. A copy in several steps starts again whenever another connection writes.
        database.connection.backup(copy, pages=-1)
        # One self-contained file: reading it later makes no -wal or -shm files beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        result = copy.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"The copy of the database failed SQLite's check ({result}); it was not kept.")


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The environment for pg_dump and pg_restore: the connection from DATABASE_URL, the password never on the
    command line (where other users of the machine could read it)."""
    env = dict(os.environ)
    for name, variable in (
        ("NAME", "PGDATABASE"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings_dict.get(name):
            env[variable] = str(settings_dict[name])
    options = settings_dict.get("OPTIONS") or {}
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if options.get(option):
            env[f"PG{option.upper()}"] = str(options[option])
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install the postgresql-client package, no older than the PostgreSQL server."
        )
    return found


def _pg_failure(name: str, code: int, errors: bytes) -> BackupError:
    detail = errors.decode(errors="replace").strip()[-2000:] or "no message"
    return BackupError(f"{name} failed (exit status {code}): {detail}")


def _run_pg_tool(name: str, arguments: list[str], settings_dict: dict[str, Any]) -> None:
    finished = subprocess.run(  # noqa: S603 (a fixed program and our own arguments, no shell)
        [_pg_tool(name), *arguments],
        env=_pg_env(settings_dict),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    if finished.returncode:
        raise _pg_failure(name, finished.returncode, finished.stderr)


def _pg_dump_encrypted(settings_dict: dict[str, Any], target: BinaryIO, key: bytes) -> None:
    """pg_dump's output encrypted as it comes: the plain dump never touches the disk."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 (a fixed program and our own arguments, no shell)
            [_pg_tool("pg_dump"), *PG_DUMP],
            env=_pg_env(settings_dict),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        assert process.stdout is not None
        try:
            writer = backup_crypto.EncryptingWriter(target, key)
            while data := process.stdout.read(READ_SIZE):
                writer.write(data)
            writer.close()
        except BaseException:
            process.kill()
            process.wait()
            raise
        finally:
            process.stdout.close()
        if code := process.wait():
            errors.seek(0)
            raise _pg_failure("pg_dump", code, errors.read())


# Restoring --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    database: str  # 'the SQLite database "…"'
    replaced: int  # how many tables the database had before (0 unless --force)


def restore_backup(path: Path, *, force: bool = False, settings_dict: dict[str, Any] | None = None) -> Restored:
    """Restore a backup made by write_backup into a database (by default the app's own).

    Refuses, changing nothing, when the database has tables (unless `force`), when the file is not a backup of
    the database's kind, or when an encrypted file does not authenticate: it is decrypted in full, to a private
    temporary file, before the database is touched. The web and task processes must be stopped first.
    """
    settings_dict = settings_dict or connection.settings_dict
    vendor = _vendor(settings_dict)
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    tables = _table_count(settings_dict)
    if tables and not force:
        raise BackupError(
            f"The {_describe(settings_dict)} is not empty (it has {tables} tables). Restore into a "
            "new, empty database, or add --force to replace what is in this one."
        )
    with _plain_backup(path) as plain:
        head = _head(plain)
        kind = "sqlite" if head.startswith(SQLITE_MAGIC) else "postgresql" if head.startswith(PGDUMP_MAGIC) else ""
        if not kind:
            raise BackupError(
                f"{path} is not a Learning Desk backup: neither a SQLite database, nor a pg_dump custom-format "
                "file, nor one of those encrypted."
            )
        if kind != vendor:
            raise BackupError(
                f"{path} is a backup of a {DATABASE_LABEL[kind]} database, but it would go into "
                f"the {_describe(settings_dict)}. Restore it into a {DATABASE_LABEL[kind]} database."
            )
        if vendor == "sqlite":
            _restore_sqlite(plain, Path(settings_dict["NAME"]))
        else:
            arguments = [
                *PG_RESTORE,
                *(["--clean", "--if-exists"] if tables else []),
                "--dbname",
                settings_dict["NAME"],
            ]
            _run_pg_tool("pg_restore", [*arguments, str(plain)], settings_dict)
    return Restored(database=f"the {_describe(settings_dict)}", replaced=tables)


@contextmanager
def _plain_backup(path: Path) -> Iterator[Path]:
    """The backup itself, or, for an encrypted one, a private temporary file with it decrypted and authenticated."""
    if not backup_crypto.is_encrypted(_head(path)):
        yield path
        return
    key = configured_key()
    directory = backup_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=".restore-", suffix=".partial", dir=directory)  # mode 0600
    decrypted = Path(name)
    try:
        with path.open("rb") as source, os.fdopen(descriptor, "wb") as target:
            backup_crypto.decrypt(source, target, key)
        yield decrypted
    finally:
        decrypted.unlink(missing_ok=True)


def _table_count(settings_dict: dict[str, Any]) -> int:
    if _vendor(settings_dict) == "sqlite":
        if settings_dict["NAME"] == ":memory:" or "mode=memory" in str(settings_dict["NAME"]):
            raise BackupError("A backup is restored into a database file, not into a database in memory.")
        target = Path(settings_dict["NAME"])
        if not target.exists() or target.stat().st_size == 0:
            return 0
        with closing(sqlite3.connect(target)) as database:
            query = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            return int(database.execute(query).fetchone()[0])
    with closing(_pg_connect(settings_dict)) as database:
        query = "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        row = database.execute(query).fetchone()
        return int(row[0]) if row else 0


def _pg_connect(settings_dict: dict[str, Any]) -> psycopg.Connection[Any]:
    parameters = {
        "dbname": settings_dict["NAME"],
        "host": settings_dict.get("HOST"),
        "port": settings_dict.get("PORT"),
        "user": settings_dict.get("USER"),
        "password": settings_dict.get("PASSWORD"),
        **{key: value for key, value in (settings_dict.get("OPTIONS") or {}).items() if key.startswith("ssl")},
    }
    try:
        conninfo = make_conninfo(**{key: str(value) for key, value in parameters.items() if value})
        return psycopg.connect(conninfo, connect_timeout=10)
    except psycopg.OperationalError as error:
        raise BackupError(
            f"Cannot connect to the {_describe(settings_dict)} ({str(error).strip()}). Create it first "
            "(createdb) and check DATABASE_URL."
        ) from None


def _restore_sqlite(backup: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)) as source:
        result = source.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"The backup failed SQLite's check ({result}): use another copy.")
        with closing(sqlite3.connect(target, timeout=20)) as copy:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=WAL")  # as the app runs it (settings/base.py)


def settle_restored_runs(path: Path) -> None:
    """After a restore into the app's database: the backup that was running when the copy was taken is the one
    just restored from, so it finished; any other unfinished run ended with the database it ran against."""
    if BackupRun._meta.db_table not in connection.introspection.table_names():
        return  # a backup from before backups were recorded
    now = timezone.now()
    active = BackupRun.objects.filter(status__in=BackupRun.ACTIVE)
    mine = active.filter(Q(path=path.name) | Q(path__endswith=f"{os.sep}{path.name}"))
    finished = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    mine.update(status=Status.OK, finished_at=finished, size=path.stat().st_size)
    active.update(status=Status.FAILED, finished_at=now, error=f"Stopped: the database was restored from {path.name}.")


# Runs: by hand, and the daily scheduled one -----------------------------------------------------------------------


def backup_now(*, output: Path | None = None, encrypt: bool = False) -> BackupRun:
    """Back up the database now (`manage.py backup`), recording the run. Raises BackupError, recorded too."""
    run = BackupRun.objects.create(trigger=BackupRun.Trigger.MANUAL, status=Status.RUNNING, started_at=timezone.now())
    return _perform(run, output=output, encrypt=encrypt)


def backup_if_due(*, now: datetime | None = None) -> BackupRun | None:
    """Queue the daily backup for the task worker if it is due; returns the queued run, or None if not due.

    Run hourly (scripts/run.sh, the systemd timer): a backup that failed is tried again the next hour.
    """
    from learningdesk.core.tasks import run_scheduled_backup

    now = now or timezone.now()
    _give_up_on_stopped_runs(now)
    scheduled = BackupRun.objects.filter(trigger=BackupRun.Trigger.SCHEDULED)
    if scheduled.filter(Q(status__in=BackupRun.ACTIVE) | Q(status=Status.OK, queued_at__gt=now - DUE_AFTER)).exists():
        return None
    run = BackupRun.objects.create(trigger=BackupRun.Trigger.SCHEDULED, status=Status.QUEUED, queued_at=now)
    try:
        run_scheduled_backup.enqueue(run_id=run.pk)
    except Exception as error:
        _record_failure(run, error)
        raise BackupError(f"The backup could not be queued for the task worker: {run.error}") from error
    run.refresh_from_db()  # the immediate backend (tests) has run it already
    return run


def next_due(*, now: datetime | None = None) -> datetime | None:
    """When the next scheduled backup is due, if the last one succeeded recently; None when it is due now."""
    now = now or timezone.now()
    last = BackupRun.objects.filter(trigger=BackupRun.Trigger.SCHEDULED, status=Status.OK).first()
    if last is None or last.queued_at + DUE_AFTER <= now:
        return None
    return last.queued_at + DUE_AFTER


def run_queued_backup(*, run_id: int) -> BackupRun | None:
    """Run a queued scheduled backup (the task worker); None if it is not waiting any more (given up on, or run)."""
    with transaction.atomic():
        run = BackupRun.objects.select_for_update().filter(pk=run_id, status=Status.QUEUED).first()
        if run is None:
            return None
        run.status, run.started_at = Status.RUNNING, timezone.now()
        run.save(update_fields=["status", "started_at"])
    # Scheduled backups are encrypted whenever a key is set: the files leave the machine (docs/deploy.md).
    return _perform(run, output=None, encrypt=bool(settings.BACKUP_KEY))


def _perform(run: BackupRun, *, output: Path | None, encrypt: bool) -> BackupRun:
    started = run.started_at or timezone.now()
    try:
        keep_days = _keep_days()
        key = configured_key() if encrypt else None
        vendor = _vendor(connection.settings_dict)
        directory = backup_dir()
        if output is None or output.is_dir():
            path = backup_path(output or directory, vendor=vendor, encrypted=key is not None, now=started)
        else:
            path = output
        path = path.absolute()
        # Recorded before the copy starts, so the copy itself names its file (see settle_restored_runs).
        run.path, run.encrypted = str(path), key is not None
        run.save(update_fields=["path", "encrypted"])
        run.size = write_backup(path, key=key)
    except Exception as error:
        _record_failure(run, error)
        raise
    if path.parent == directory.absolute():
        try:
            prune_backups(directory, keep_days=keep_days, now=started, keep=path)
        except OSError as error:
            logger.warning("Old backups could not be deleted from %s: %s", directory, error)
            run.error = f"Backed up, but old backups could not be deleted: {error}"
    run.status, run.finished_at = Status.OK, timezone.now()
    run.save(update_fields=["status", "finished_at", "size", "error"])
    logger.info("Backed up to %s (%s bytes, %s)", path, run.size, "encrypted" if key else "not encrypted")
    return run


def _record_failure(run: BackupRun, error: BaseException) -> None:
    if isinstance(error, BackupError):
        run.error = str(error)
    else:
        logger.exception("Backup %s failed", run.pk)
        run.error = f"{type(error).__name__}: {error}"
    run.status, run.finished_at = Status.FAILED, timezone.now()
    run.save(update_fields=["status", "finished_at", "error"])


def backup_stopped(*, run_id: int) -> None:
    """The task worker running a scheduled backup died (core/tasks_recovery.py): the backup failed."""
    BackupRun.objects.filter(pk=run_id, status__in=BackupRun.ACTIVE).update(
        status=Status.FAILED,
        finished_at=timezone.now(),
        error="The task worker stopped before the backup finished; it is tried again within the hour.",
    )


def _give_up_on_stopped_runs(now: datetime) -> None:
    stale = BackupRun.objects.filter(queued_at__lt=now - GIVE_UP_AFTER)
    stale.filter(status=Status.QUEUED).update(
        status=Status.FAILED,
        finished_at=now,
        error="The task worker did not start it within 12 hours: check that the worker is running.",
    )
    stale.filter(status=Status.RUNNING).update(
        status=Status.FAILED,
        finished_at=now,
        error="It stopped before it finished (the worker was stopped or the machine restarted).",
    )


def prune_backups(directory: Path, *, keep_days: int, now: datetime, keep: Path) -> list[Path]:
    """Delete our backup files made more than `keep_days` days ago, never `keep` (the newest), and partial files
    left by a backup or restore that stopped. Other files in the folder are never touched."""
    cutoff, partial_cutoff = now - timedelta(days=keep_days), now - PARTIAL_KEPT
    removed = []
    for entry in directory.iterdir():
        if entry.name == keep.name or entry.is_symlink() or not entry.is_file():
            continue
        if match := BACKUP_NAME.match(entry.name):
            old = datetime.strptime(match["stamp"], STAMP).replace(tzinfo=UTC) < cutoff
        elif PARTIAL_NAME.match(entry.name):
            old = datetime.fromtimestamp(entry.stat().st_mtime, UTC) < partial_cutoff
        else:
            continue
        if old:
            entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


# What administrators see ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupStatus:
    last_ok: BackupRun | None
    failed_since: list[BackupRun]  # daily backups failed after the last success, newest first
    active: BackupRun | None
    recent: list[BackupRun]
    overdue: bool  # no good backup for longer than a day and a bit
    encrypted: bool  # whether scheduled backups are encrypted (BACKUP_KEY is set)
    directory: Path
    keep_days: int

    @property
    def needs_attention(self) -> bool:
        return bool(self.failed_since) or self.overdue


RECENT_RUNS = 14


def backup_status(*, now: datetime | None = None) -> BackupStatus:
    """The state of the backups, for the System page and the national administrator's home page."""
    now = now or timezone.now()
    last_ok = BackupRun.objects.filter(status=Status.OK).first()
    # A backup by hand that failed told whoever ran it; the daily one failing is what nobody would otherwise see.
    failed = BackupRun.objects.filter(status=Status.FAILED, trigger=BackupRun.Trigger.SCHEDULED)
    if last_ok is not None:
        failed = failed.filter(queued_at__gt=last_ok.queued_at)
    return BackupStatus(
        last_ok=last_ok,
        failed_since=list(failed[:RECENT_RUNS]),
        active=BackupRun.objects.filter(status__in=BackupRun.ACTIVE).first(),
        recent=list(BackupRun.objects.all()[:RECENT_RUNS]),
        overdue=last_ok is None or (last_ok.finished_at or last_ok.queued_at) < now - OVERDUE_AFTER,
        encrypted=bool(settings.BACKUP_KEY),
        directory=backup_dir().absolute(),
        keep_days=settings.BACKUP_KEEP_DAYS,
    )


def backup_attention(user: User) -> list[dict[str, str]]:
    """For a national administrator's "Needs your attention": the daily backup failing, or none for over a day."""
    if not scoping.is_national_admin(user):
        return []
    status = backup_status()
    if status.failed_since:
        failed = status.failed_since[0]
        when = date_format(timezone.localtime(failed.queued_at), "j F Y, H:i")
        text = f"The daily backup failed ({when}): {failed.error}"
    elif status.overdue:
        text = "No backup has succeeded for over a day" if status.last_ok else "No backup has been made yet"
    else:
        return []
    return [{"url": reverse("system"), "text": text}]
