"""`manage.py backup`: back up the whole database now, or queue the daily backup when it is due."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from learningdesk.core import backups


def size_text(size: int) -> str:
    amount, unit = float(size), "bytes"
    for larger in ("KB", "MB", "GB", "TB"):
        if amount < 1024:
            break
        amount, unit = amount / 1024, larger
    return f"{size} bytes" if unit == "bytes" else f"{amount:.1f} {unit}"


class Command(BaseCommand):
    help = (
        "Back up the whole database: SQLite with its online backup API (safe while the app runs), PostgreSQL "
        "with pg_dump's custom format. The file goes to BACKUP_DIR (default var/backups) under a timestamped "
        "name. --if-due instead queues the daily backup for the task worker when it is due: run it hourly "
        "(scripts/run.sh does; production from a systemd timer, see docs/deploy.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, help="where to write it: a file name, or a folder for a timestamped name"
        )
        parser.add_argument("--encrypt", action="store_true", help="encrypt it with BACKUP_KEY from the environment")
        parser.add_argument(
            "--if-due",
            action="store_true",
            help="queue the daily backup for the task worker if it is due (encrypted when BACKUP_KEY is set), "
            "and delete scheduled backups older than BACKUP_KEEP_DAYS after it",
        )

    def handle(self, *args: Any, output: Path | None, encrypt: bool, if_due: bool, **options: Any) -> None:
        if if_due:
            if output or encrypt:
                raise CommandError("--if-due takes no other option: the daily backup goes to BACKUP_DIR.")
            self._if_due()
            return
        try:
            run = backups.backup_now(output=output, encrypt=encrypt)
        except (backups.BackupError, OSError) as error:  # OSError: a full disk, a folder we may not write to
            raise CommandError(f"Backup failed: {error}") from None
        except DatabaseError as error:
            raise CommandError(f"Backup failed: the database did not answer ({error}).") from None
        assert run.size is not None and run.duration is not None
        encrypted = "encrypted" if run.encrypted else "not encrypted"
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up to {run.path} ({size_text(run.size)}, {encrypted}) in {run.duration.total_seconds():.1f} s."
            )
        )
        if run.error:
            self.stderr.write(run.error)

    def _if_due(self) -> None:
        try:
            run = backups.backup_if_due()
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        if run is None:
            due = backups.next_due()
            if due is None:
                self.stdout.write("A backup is queued or running already.")
            else:
                self.stdout.write(
                    f"Not due: the next daily backup is due after {timezone.localtime(due):%d/%m/%Y %H:%M}."
                )
        elif run.status == run.Status.FAILED:
            raise CommandError(f"The daily backup failed: {run.error}")
        else:
            self.stdout.write(f"Daily backup: {run.get_status_display().lower()}.")
