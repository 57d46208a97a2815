"""Remind those invited to an open survey who have not answered, a week after their last email."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from learningdesk.surveys.invitations import send_due_reminders


class Command(BaseCommand):
    help = (
        "Email a reminder to everyone invited to an open survey who has not answered, once their invitation "
        "or last reminder is 7 days old. Each reminder goes once however often this runs: run it daily from "
        "cron or a systemd timer; `make run` runs it every hour."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = send_due_reminders()
        for survey, sent in report.items():
            self.stdout.write(f"{survey}: {sent} reminder{'' if sent == 1 else 's'}")
        total = sum(report.values())
        self.stdout.write(f"Sent {total} survey reminder{'' if total == 1 else 's'}.")
