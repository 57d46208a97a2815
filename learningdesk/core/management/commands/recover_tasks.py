"""`manage.py recover_tasks`: run again, or fail, the tasks left running by task workers that died."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from learningdesk.core import tasks_recovery


class Command(BaseCommand):
    help = (
        "Tasks left running by a task worker that died: run them again or mark them failed. Workers do this "
        "themselves for their own machine; use --host for a machine that is gone for good."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host",
            action="append",
            default=[],
            help="a machine whose task workers are all stopped (for example one that was switched off); repeatable",
        )

    def handle(self, *args: object, **options: Any) -> None:
        recovered = tasks_recovery.recover_abandoned_tasks(gone_hosts=frozenset(options["host"]))
        for item in recovered:
            outcome = "queued again" if item.retried else "marked failed"
            self.stdout.write(f"{item.task_path} ({item.task_id}), left by worker {item.worker_id}: {outcome}")
        self.stdout.write(f"{len(recovered)} task{'' if len(recovered) == 1 else 's'} recovered.")
