"""A task for the tests of workers killed part way (test_task_recovery.py), run by real `db_worker` processes."""

from __future__ import annotations

import time
from pathlib import Path

from django.db import connection, transaction
from django.tasks import task

from learningdesk.core import tasks_recovery

MARKS_TABLE = "test_recovery_marks"


@task()
def write_then_wait(*, note: str, inside: str, hold: str) -> None:
    """In one transaction: write a mark, say so by creating the file `inside`, wait while the file `hold` exists."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {MARKS_TABLE} (note) VALUES (%s)", [note])  # noqa: S608
        Path(inside).touch()
        while Path(hold).exists():
            time.sleep(0.05)


tasks_recovery.recoverable(write_then_wait, retry=True)
