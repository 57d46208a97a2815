"""What every app shares: the record of each backup of the database."""

from __future__ import annotations

import datetime
from pathlib import PurePath

from django.db import models
from django.utils import timezone


class BackupRun(models.Model):
    """One backup of the whole database: the daily scheduled one (run by the task worker) or one run by hand."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for the task worker"
        RUNNING = "running", "Running"
        OK = "ok", "Done"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        MANUAL = "manual", "By hand"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Where the file was written; set before the copy starts, so a restored database knows its own backup.
    path = models.CharField(max_length=1000, blank=True)
    encrypted = models.BooleanField(default=False)
    size = models.PositiveBigIntegerField(null=True, blank=True)  # bytes
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]

    def __str__(self) -> str:
        return f"Backup {self.pk} ({self.status})"

    @property
    def file_name(self) -> str:
        return PurePath(self.path).name if self.path else ""

    @property
    def duration(self) -> datetime.timedelta | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at
