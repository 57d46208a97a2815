"""Is this process ready for traffic? What /readyz answers, for the proxy or load balancer and for monitoring."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

OK = "ok"


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return OK


def _task_queue() -> str:
    # The workers take their tasks from this table (django_tasks_db): it must be there and answer.
    DBTaskResult.objects.order_by().values_list("pk").first()
    return OK


def _migrations() -> str:
    # About 4 ms once the migration files are imported: cheap enough for every probe, and it reads the
    # migrations of the code this process runs, which is what an upgrade half-done gets wrong.
    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return OK if not unapplied else f"{len(unapplied)} not applied"


CHECKS = {"database": _database, "task_queue": _task_queue, "migrations": _migrations}


def readiness() -> dict[str, str]:
    """Each check's outcome: "ok", or what is wrong in words safe to show anyone (the details go to the log).

    If the database does not answer, the other checks are not tried.
    """
    outcome: dict[str, str] = {}
    for name, check in CHECKS.items():
        if outcome and outcome.get("database") != OK:
            outcome[name] = "not checked"
            continue
        try:
            outcome[name] = check()
        except DatabaseError:
            # The exception names hosts, ports and tables: for the log, not for whoever asks.
            logger.warning("readiness check %s failed", name, exc_info=True)
            outcome[name] = "unreachable" if name == "database" else "not answering"
    return outcome
