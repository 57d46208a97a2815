"""Email co-ordinators the ULR training-deadline warnings and weekly digests that are due."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from learningdesk.reps.reminders import send_rep_reminders
from learningdesk.reps.tasks import send_rep_reminders as send_rep_reminders_task


class Command(BaseCommand):
    help = (
        "Email co-ordinators the training-deadline warnings (60, 30 and 7 days before a ULR's six-month "
        "deadline, and once when it has passed) and the weekly digest (once per ISO week). Each email is "
        "sent once, however often this runs: run it daily from cron or a systemd timer (for example "
        "'0 7 * * * .venv/bin/python manage.py send_rep_reminders'); `make run` runs it every hour."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Print what would be sent; send nothing.")
        parser.add_argument(
            "--enqueue", action="store_true", help="Hand the work to the task worker instead of doing it now."
        )

    def handle(self, *args: Any, dry_run: bool, enqueue: bool, **options: Any) -> None:
        if enqueue and not dry_run:
            result = send_rep_reminders_task.enqueue()
            self.stdout.write(f"Queued for the task worker ({result.id}).")
            return
        report = send_rep_reminders(dry_run=dry_run)
        verb = "Would send" if dry_run else "Sent"
        for email in report.emails:
            # A dry run is read by a person at a terminal; a real run's output ends up in the system log (the hourly
            # timer's journal), which must not hold emails or the reps' names in the subjects: the user's id only.
            if dry_run:
                self.stdout.write(f"{verb} to {email.to.email}: {email.subject}")
            else:
                self.stdout.write(f"{verb} a {email.kind.replace('_', ' ')} email to user {email.to.pk}")
        for key in report.skipped_no_recipient:
            self.stderr.write(f"Nobody to warn about {key}: the rep's branch and region have no co-ordinator.")
        self.stdout.write(f"{verb} {len(report.emails)} email{'' if len(report.emails) == 1 else 's'}.")
