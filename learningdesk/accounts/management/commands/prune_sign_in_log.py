"""Apply the sign-in log's retention: old rows deleted, emails typed at failed sign-ins blanked."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from learningdesk.accounts.security import prune


class Command(BaseCommand):
    help = (
        "Delete sign-in and access log rows and ended sessions older than SIGN_IN_LOG_DAYS (365), and blank the email "
        "typed at failed sign-ins older than SIGN_IN_EMAIL_DAYS (30). Safe to run as often as you like: run it daily "
        "or hourly from cron or a systemd timer."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for what, count in prune().items():
            self.stdout.write(f"{count} {what}")
