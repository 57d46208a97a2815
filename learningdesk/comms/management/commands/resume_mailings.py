"""Carry on sending mailings whose sending stopped: a worker that died for good, a mail server that was down."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from learningdesk.comms import sending


class Command(BaseCommand):
    help = (
        "Start sending again any mailing whose batches have stopped (no batch for a while), and mark messages "
        "whose sending stopped part way as not known if sent. Nobody gets a message twice however often this "
        "runs: run it hourly from cron or a systemd timer."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        resumed = sending.resume_stalled()
        self.stdout.write(f"{resumed} mailing{'' if resumed == 1 else 's'} resumed.")
