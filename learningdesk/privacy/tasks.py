"""Background work for members' data rights, run by the task worker (django.tasks, database backend)."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from learningdesk.core import tasks_recovery


@task()
def send_details_links(*, person_ids: list[int]) -> int:
    """Email each person the link to their own details page. Queued with ids, never an email address: a task's
    arguments stay in the database after it has run."""
    from learningdesk.privacy import self_service

    return self_service.send_links(person_ids)


@task()
def apply_retention(*, run_id: int) -> dict[str, Any] | None:
    """The daily retention run, queued by `manage.py apply_retention --if-due` (privacy/retention.py)."""
    from learningdesk.privacy import retention

    run = retention.run_queued(run_id=run_id)
    return None if run is None else {"status": run.status, "counts": run.counts}


def _retention_stopped(*, run_id: int) -> None:
    from learningdesk.privacy import retention

    retention.run_stopped(run_id=run_id)


# Each rule commits on its own: a worker that dies part way leaves some rules done. The run is marked failed, and
# the next hourly check queues a new one, which finds only what is still past its period.
tasks_recovery.recoverable(apply_retention, retry=False, on_given_up=_retention_stopped)
