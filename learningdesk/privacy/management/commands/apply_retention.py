"""`manage.py apply_retention`: remove or anonymise what has passed its retention period (privacy/retention.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from learningdesk.privacy import retention
from learningdesk.privacy.models import RetentionRun


class Command(BaseCommand):
    help = (
        "Apply the retention rules (settings.RETENTION) now, and store what was done as a retention run. "
        "--dry-run counts without changing anything. --if-due instead queues the daily run for the task worker "
        "when it is due: run it hourly (scripts/hourly.sh does)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-due", action="store_true", help="queue the daily run for the task worker if due")
        parser.add_argument("--dry-run", action="store_true", help="count what has passed its period; change nothing")

    def handle(self, *args: Any, if_due: bool, dry_run: bool, **options: Any) -> None:
        if if_due:
            if dry_run:
                raise CommandError("--if-due queues the real daily run: use --dry-run on its own to check.")
            run = retention.queue_if_due()
            if run is None:
                self.stdout.write("Not due: the daily retention run has run in the last day, or is waiting to run.")
                return
            self._report(run)
            return
        self._report(retention.run_now(dry_run=dry_run, trigger=RetentionRun.Trigger.COMMAND))

    def _report(self, run: RetentionRun) -> None:
        if run.status == RetentionRun.Status.QUEUED:
            self.stdout.write(f"Queued the daily retention run at {timezone.localtime(run.queued_at):%d/%m/%Y %H:%M}.")
            return
        did = retention.described(run)
        verb = "Would remove or anonymise" if run.dry_run else "Removed or anonymised"
        lines = [f"  {label}: {count}" for label, count in did] or ["  nothing had passed its period"]
        self.stdout.write(f"{verb}:\n" + "\n".join(lines))
        if run.status == RetentionRun.Status.FAILED:
            raise CommandError(f"Some rules failed (tried again next time):\n{run.error}")
