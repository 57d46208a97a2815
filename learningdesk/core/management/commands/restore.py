"""`manage.py restore PATH`: put a backup made by `manage.py backup` back into the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from learningdesk.core import backups


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` (decrypting it with BACKUP_KEY if it is encrypted) into "
        "the database that DATABASE_URL (or SQLITE_PATH) names, which must be empty unless --force is given. "
        "Stop the web processes and task workers first; run `manage.py migrate` after."
    )
    # The database may be empty or half-way: nothing here needs the app's checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the backup file")
        parser.add_argument(
            "--force", action="store_true", help="restore even though the database has tables, replacing them"
        )

    def handle(self, *args: Any, path: Path, force: bool, **options: Any) -> None:
        connections.close_all()  # nothing of ours holds the database while it is replaced
        try:
            restored = backups.restore_backup(path, force=force)
        except backups.BackupError as error:
            raise CommandError(f"{error} Nothing was restored.") from None
        backups.settle_restored_runs(path)
        replaced = f", replacing its {restored.replaced} tables" if restored.replaced else ""
        self.stdout.write(self.style.SUCCESS(f"Restored {path} into {restored.database}{replaced}."))
        self.stdout.write("Next: `manage.py migrate`, in case the backup is from an older version of Learning Desk.")
