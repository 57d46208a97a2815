"""Background work for member imports, run by the task worker (django.tasks with the database backend)."""

from __future__ import annotations

from django.tasks import task


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
