"""Members' data rights: the record of each retention run, and the people kept only as anonymous placeholders.

Subject access and erasure hold nothing of their own: each is one audit event (accounts.AuditEvent) with ids and
counts, never the data it exported or removed.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone


class RetentionRun(models.Model):
    """One pass of the retention rules (privacy/retention.py): what it removed or anonymised, by kind of record."""

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", "Daily task"
        COMMAND = "command", "Command"
        PAGE = "page", "Checked from the retention page"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for the task worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    dry_run = models.BooleanField(
        default=False, help_text="Counted what has passed its period without removing or anonymising anything."
    )
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Kind of record (retention.RULES) -> how many records were removed or anonymised (or would be, in a dry run).
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        indexes = [models.Index(fields=["trigger", "dry_run", "-queued_at"], name="privacy_run_due")]

    def __str__(self) -> str:
        return f"Retention run {self.pk} ({self.status})"

    @property
    def total(self) -> int:
        return sum(int(value) for value in self.counts.values())

    @property
    def duration(self) -> datetime.timedelta | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class AnonymisedPerson(models.Model):
    """Marks a person record that erasure turned into an anonymous placeholder: kept so that what they took part
    in still counts, with nothing left to tell who they were. Retention skips them; the person's page says so."""

    person = models.OneToOneField("org.Person", on_delete=models.CASCADE, related_name="anonymised")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Person {self.person_id}, anonymised"
