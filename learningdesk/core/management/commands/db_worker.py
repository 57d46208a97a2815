"""`manage.py db_worker`: django_tasks_db's task worker, which also recovers tasks whose worker died.

This command takes the place of django_tasks_db's own (learningdesk.core comes first in INSTALLED_APPS, as
staticfiles' runserver takes the place of Django's), so every way of starting a worker gets it. It adds:
- a worker id naming this process (core/tasks_recovery.py), so that other processes can tell it has died;
- at start and every CHECK_SECONDS, tasks left RUNNING by a dead worker on this machine are run again or failed;
- when the database goes away (PostgreSQL restarted), the worker waits for it and carries on, instead of
  exiting with the task it was running stuck as RUNNING; that task is recovered like a dead worker's.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.db import OperationalError, close_old_connections, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from learningdesk.core import tasks_recovery

logger = logging.getLogger(__name__)

DATABASE_WAIT_SECONDS = 2


class Command(db_worker.Command):
    help = "Run a database background worker, recovering tasks whose worker died (learningdesk.core)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        # None: named after this process when it starts (an explicit --worker-id cannot be checked for life).
        parser.set_defaults(worker_id=None)

    def handle(self, *args: Any, **options: Any) -> None:
        # With --reload, only the child process the reloader starts runs tasks (as in django_tasks_db).
        if options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            super().handle(*args, **options)
            return
        options["worker_id"] = options["worker_id"] or tasks_recovery.this_worker_id()
        try:
            tasks_recovery.recover_abandoned_tasks()
        except OperationalError as error:
            logger.warning("Worker %s cannot reach the database (%s): waiting for it", options["worker_id"], error)
            self._wait_for_database(options["worker_id"])
        threading.Thread(target=_check_now_and_then, name="recover-tasks", daemon=True).start()
        while True:
            try:
                super().handle(*args, **options)
                return
            except OperationalError as error:
                logger.warning("Worker %s lost the database (%s): waiting for it", options["worker_id"], error)
                self._wait_for_database(options["worker_id"])

    def _wait_for_database(self, worker_id: str) -> None:
        """Once the database answers, recover the task this worker was running when it went away."""
        while True:
            connections.close_all()
            time.sleep(DATABASE_WAIT_SECONDS)
            try:
                tasks_recovery.recover_abandoned_tasks(also_abandoned_by=worker_id)
            except OperationalError:
                continue
            logger.warning("Worker %s has the database back", worker_id)
            return


def _check_now_and_then() -> None:
    """Every CHECK_SECONDS, in a thread of its own (its own database connection, closed between checks)."""
    while True:
        time.sleep(tasks_recovery.CHECK_SECONDS)
        try:
            close_old_connections()
            tasks_recovery.recover_abandoned_tasks()
        except Exception:  # a database restart, say: try again next time; the worker itself carries on
            logger.exception("Checking for tasks of stopped workers failed")
        finally:
            connections.close_all()
