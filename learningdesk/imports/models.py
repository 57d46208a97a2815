"""Member imports: the uploaded file, its rows while they are checked, and what was wrong with them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from learningdesk.org.models import OrgUnit


class MemberImport(models.Model):
    """One upload of a member file, from the upload through the check (dry run) to the import."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Columns to match"
        CHECKING = "checking", "Checking rows"
        CHECKED = "checked", "Checked: waiting for you to confirm"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed: nothing was changed"
        CANCELLED = "cancelled", "Stopped: nothing was changed"

    class Conflicts(models.TextChoices):
        KEEP = "keep", "Keep the changes made on Learning Desk"
        OVERWRITE = "overwrite", "Use the values in the file"

    RUNNING = (Status.CHECKING, Status.IMPORTING)
    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # who said "import" after the check: perhaps not who uploaded the file
    # The unit the import is for: a branch, or a region or the nation for a file with a branch column.
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    file_kind = models.CharField(max_length=8, default="csv")  # csv or xlsx
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    headers = models.JSONField(default=list)
    # Column number (as a string: JSON keys) -> field name; columns not listed are not imported.
    mapping = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    mark_left = models.BooleanField(default=False)
    conflicts = models.CharField(max_length=10, choices=Conflicts.choices, default=Conflicts.KEEP)

    rows_total = models.PositiveIntegerField(default=0)  # an estimate while the file is read
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    conflicting = models.PositiveIntegerField("rows with conflicts", default=0)
    missing = models.PositiveIntegerField("members not in the file", default=0)
    marked_left = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField("rows changed on Learning Desk after the check", default=0)
    new_employers = models.JSONField(default=list)
    new_workplaces = models.JSONField(default=list)  # [[branch code, workplace, employer], ...]
    error = models.TextField(blank=True)  # why the whole file could not be checked or imported

    checked_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "-created_at"])]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent_done(self) -> int:
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total) if self.is_running else 100

    @property
    def rows_to_import(self) -> int:
        return self.created + self.updated


class ImportFileChunk(models.Model):
    """The uploaded file, kept in the database in pieces, so that any worker process can read it.

    Deleted once the import has finished or stopped: the file is a copy of the membership list.
    """

    member_import = models.ForeignKey(MemberImport, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["member_import", "number"], name="imports_chunk_unique")]

    def __str__(self) -> str:
        return f"{self.member_import_id} part {self.number}"


class ImportRow(models.Model):
    """A checked row of the file, waiting to be imported: what the person's record will become.

    Written in bulk by the check and read in bulk by the import (imports/engine.py); deleted afterwards.
    """

    class Action(models.TextChoices):
        CREATE = "create", "New"
        UPDATE = "update", "Changed"
        UNCHANGED = "unchanged", "Unchanged"
        REJECTED = "rejected", "Rejected"

    member_import = models.ForeignKey(MemberImport, on_delete=models.CASCADE, related_name="+", db_index=False)
    row_number = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    person_id = models.BigIntegerField(null=True)
    person_updated_at = models.DateTimeField(null=True)  # as the check saw it: a later edit wins
    membership_number = models.CharField(max_length=30)
    title = models.CharField(max_length=20)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    email = models.CharField(max_length=254)
    phone = models.CharField(max_length=30)
    branch_id = models.BigIntegerField(null=True)
    workplace_id = models.BigIntegerField(null=True)
    workplace_name = models.CharField(max_length=160)  # a workplace the import creates
    employer_name = models.CharField(max_length=160)
    status = models.CharField(max_length=16)
    joined_on = models.DateField(null=True)
    job_title = models.CharField(max_length=120)
    edited_fields = models.CharField(max_length=250)  # fields kept as changed here, over the file's values

    class Meta:
        # Only this index: an index on the membership number, kept up to date row by row, made the check of a
        # large file several times slower (duplicates and "not in the file" are found by one query each).
        indexes = [
            models.Index(fields=["member_import", "action", "row_number"], name="imports_row_action"),
        ]

    def __str__(self) -> str:
        return f"Row {self.row_number}: {self.action}"


class ImportProblem(models.Model):
    """A row the import leaves out and what to fix, or a field changed both here and in the file."""

    class Kind(models.TextChoices):
        ERROR = "error", "Rejected"
        CONFLICT = "conflict", "Changed on Learning Desk"

    member_import = models.ForeignKey(MemberImport, on_delete=models.CASCADE, related_name="problems")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ERROR)
    row_number = models.PositiveIntegerField()
    column = models.CharField(max_length=120, blank=True)  # the file's header, as written there
    field = models.CharField(max_length=30, blank=True)
    message = models.CharField(max_length=300)
    # For a conflict: the person, and the file's value that was not applied.
    person_id = models.BigIntegerField(null=True, blank=True)
    value = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["row_number", "id"]
        indexes = [models.Index(fields=["member_import", "kind", "row_number"], name="imports_problem_kind")]

    def __str__(self) -> str:
        return f"Row {self.row_number}: {self.message}"


class SavedMapping(models.Model):
    """How a user matched columns to fields last time, by header: offered again for the next file."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mapping = models.JSONField(default=dict)  # normalised header -> field name ("" for "do not import")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Columns remembered for user {self.user_id}"
