"""Background work for member imports, run by the task worker (django.tasks with the database backend)."""

from __future__ import annotations

from django.tasks import task

from learningdesk.core import tasks_recovery


@task()
def check_member_import(*, import_id: int) -> None:
    """Check a member file (the dry run) and stage its rows."""
    from learningdesk.imports.services import run_check

    run_check(import_id)


@task()
def apply_member_import(*, import_id: int) -> None:
    """Import a checked member file in one transaction."""
    from learningdesk.imports.services import run_apply

    run_apply(import_id)


def _stopped(*, import_id: int) -> None:
    from learningdesk.imports.services import import_stopped

    import_stopped(import_id)


# When the worker dies part way, both may run again from the start: the check starts again from the file, and the
# import is one transaction, which the dead worker's attempt left undone (core/tasks_recovery.py).
tasks_recovery.recoverable(check_member_import, retry=True, on_given_up=_stopped)
tasks_recovery.recoverable(apply_member_import, retry=True, on_given_up=_stopped)
