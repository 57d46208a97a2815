"""Background work every app shares, run by the task worker (django.tasks with the database backend)."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from learningdesk.core import tasks_recovery


@task()
def run_scheduled_backup(*, run_id: int) -> dict[str, Any] | None:
    """The daily backup, queued by `manage.py backup --if-due` (core/backups.py)."""
    from learningdesk.core.backups import run_queued_backup

    run = run_queued_backup(run_id=run_id)
    return None if run is None else {"status": run.status, "path": run.path, "size": run.size}


def _backup_stopped(*, run_id: int) -> None:
    from learningdesk.core.backups import backup_stopped

    backup_stopped(run_id=run_id)


# A worker that dies part way leaves only a hidden partial file (pruned later), never a backup: the run is marked
# failed at once, and the next hourly `backup --if-due` queues a new one (core/tasks_recovery.py).
tasks_recovery.recoverable(run_scheduled_backup, retry=False, on_given_up=_backup_stopped)
