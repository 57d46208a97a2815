"""Running `manage.py` in other processes against the test's own database, for tests of several processes at once
(task workers killed part way, a web process and a worker writing together).

Only committed rows are seen by another process: tests using this are `django_db(transaction=True)`. On SQLite the
test database lives in memory, so it is copied into a file first (SQLite's backup API) and the other processes
and the test both use the file (`query` reads it).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


@dataclass
class SharedDatabase:
    env: dict[str, str]
    sqlite_path: Path | None
    started: list[subprocess.Popen] = field(default_factory=list)

    def query(self, sql: str) -> list[tuple]:
        """Rows of a query, seen as another process sees them (no parameters: write literals)."""
        if self.sqlite_path is not None:
            with sqlite3.connect(self.sqlite_path) as database:
                return database.execute(sql).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def execute(self, sql: str) -> None:
        if self.sqlite_path is not None:
            with sqlite3.connect(self.sqlite_path) as database:
                database.execute(sql)
            return
        with connection.cursor() as cursor:
            cursor.execute(sql)

    def start(self, *args: str, log: Path, **env: str) -> subprocess.Popen:
        """`python args...` in the project folder, against this database; output to `log`."""
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, *args],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait()


def share_database(tmp_path: Path) -> SharedDatabase:
    """The test database as other processes can open it (call after the data they need is committed)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SQLITE_PATH", "DJANGO_SETTINGS_MODULE", "PYTEST_CURRENT_TEST"}
    }
    # Development settings: the database task backend, emails to files. No autoreload, DEBUG off (as in production).
    env |= {
        "DJANGO_SETTINGS_MODULE": "learningdesk.settings.dev",
        "DEBUG": "0",
        "LEARNINGDESK_VAR_DIR": str(tmp_path / "var"),
    }
    if connection.vendor == "sqlite":
        path = tmp_path / "shared.sqlite3"
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
        target.close()
        return SharedDatabase(env={**env, "SQLITE_PATH": str(path)}, sqlite_path=path)
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    url = f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return SharedDatabase(env={**env, "DATABASE_URL": url}, sqlite_path=None)
