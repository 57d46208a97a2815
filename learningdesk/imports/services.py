"""Member imports from upload to result: the steps a user (or the import_members command) takes."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial
from itertools import islice

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.imports import engine, reading
from learningdesk.imports.mapping import guess_mapping, remember
from learningdesk.imports.models import MemberImport, SavedMapping
from learningdesk.org.models import OrgUnit

logger = logging.getLogger(__name__)

Status = MemberImport.Status
PREVIEW_ROWS = 3


def import_start(
    *, acting_user: User | None, unit: OrgUnit, file_name: str, content: UploadedFile | Iterable[bytes]
) -> MemberImport:
    """Keep an uploaded member file, work out its format and guess its columns.

    Raises FileProblem, keeping nothing, when the file cannot be read as a member list.
    """
    with transaction.atomic():
        member_import = MemberImport.objects.create(created_by=acting_user, unit=unit, file_name=file_name[:255])
        member_import.file_size = reading.store_file(member_import, content)
        try:
            found = reading.detect(reading.file_head(member_import))
            member_import.file_kind, member_import.encoding, member_import.delimiter = (
                found.kind,
                found.encoding,
                found.delimiter,
            )
            member_import.headers = _headers(member_import)
        except reading.FileProblem:
            raise  # out of the transaction: nothing is kept
        remembered = _remembered(acting_user)
        member_import.mapping = guess_mapping(member_import.headers, remembered)
        member_import.save()
    return member_import


def _headers(member_import: MemberImport) -> list[str]:
    try:
        for row in reading.read_rows(member_import):
            if not reading.is_blank(row):
                return [cell.strip()[:120] for cell in row]
    except reading.EncodingChanged:
        member_import.encoding = "cp1252"
        return _headers(member_import)
    raise reading.FileProblem("The file has no rows. Export the member list again and upload that file.")


def _remembered(user: User | None) -> dict[str, str]:
    if user is None:
        return {}
    saved = SavedMapping.objects.filter(user=user).first()
    return dict(saved.mapping) if saved else {}


def preview_rows(member_import: MemberImport) -> list[list[str]]:
    """The first few rows under the header, for the screen where columns are matched to fields."""
    rows = (row for row in reading.read_rows(member_import) if not reading.is_blank(row))
    try:
        return [list(row) for row in islice(rows, 1, 1 + PREVIEW_ROWS)]
    except (reading.FileProblem, reading.EncodingChanged):
        return []


def import_check_start(
    *, acting_user: User | None, member_import: MemberImport, mapping: dict[str, str]
) -> MemberImport:
    """Save the confirmed columns (and remember them for the user's next file), then check in the background."""
    from learningdesk.imports.tasks import check_member_import

    with transaction.atomic():
        member_import.mapping = mapping
        member_import.status = Status.CHECKING
        member_import.rows_done = 0
        member_import.rows_total = 0
        member_import.error = ""
        member_import.cancel_requested = False
        member_import.save()
        if acting_user is not None:
            saved, _created = SavedMapping.objects.get_or_create(user=acting_user)
            saved.mapping = remember(saved.mapping, member_import.headers, mapping)
            saved.updated_at = timezone.now()
            saved.save()
        transaction.on_commit(partial(check_member_import.enqueue, import_id=member_import.pk))
    return member_import


def import_confirm(
    *, member_import: MemberImport, mark_left: bool, conflicts: str, acting_user: User | None = None
) -> MemberImport:
    """The user has seen the check: import in the background. Only the first confirmation of a check counts."""
    from learningdesk.imports.tasks import apply_member_import

    with transaction.atomic():
        # Conditional, so that two clicks (or two tabs) at once cannot import the file twice.
        confirmed = MemberImport.objects.filter(pk=member_import.pk, status=Status.CHECKED).update(
            mark_left=mark_left, conflicts=conflicts, status=Status.IMPORTING, confirmed_by=acting_user
        )
        if not confirmed:
            member_import.refresh_from_db()
            return member_import
        member_import.mark_left = mark_left
        member_import.conflicts = conflicts
        member_import.status = Status.IMPORTING
        member_import.confirmed_by = acting_user
        transaction.on_commit(partial(apply_member_import.enqueue, import_id=member_import.pk))
    return member_import


def import_cancel(*, member_import: MemberImport) -> MemberImport:
    """Stop an import before it changes anything: a running check stops at its next chunk."""
    if member_import.status == Status.CHECKING:
        MemberImport.objects.filter(pk=member_import.pk).update(cancel_requested=True)
        member_import.cancel_requested = True
        return member_import
    if member_import.status in (Status.UPLOADED, Status.CHECKED):
        _finish(member_import, Status.CANCELLED)
    return member_import


def _finish(member_import: MemberImport, status: str, error: str = "") -> None:
    """An import that will not go further: its staged rows and its copy of the file are no longer needed."""
    engine.discard_staged(member_import)
    engine.discard_file(member_import)
    member_import.status = status
    member_import.error = error
    member_import.save(update_fields=["status", "error"])


def run_check(import_id: int) -> MemberImport | None:
    """The check, as the worker runs it; whatever happens, the import ends checked, stopped or failed."""
    member_import = MemberImport.objects.select_related("unit").filter(pk=import_id).first()
    if member_import is None or member_import.status != Status.CHECKING:
        return member_import
    member_import.rows_total = reading.estimate_rows(member_import)
    member_import.save(update_fields=["rows_total"])
    try:
        engine.check(member_import)
    except engine.ImportStopped:
        _finish(member_import, Status.CANCELLED)
        return member_import
    except reading.FileProblem as problem:
        _finish(member_import, Status.FAILED, str(problem))
        return member_import
    except Exception:
        logger.exception("Checking member import %s failed", import_id)
        _finish(member_import, Status.FAILED, _went_wrong(member_import))
        return member_import
    member_import.status = Status.CHECKED
    member_import.save(update_fields=["status"])
    return member_import


def run_apply(import_id: int) -> MemberImport | None:
    """The import, as the worker runs it: all of it, or (on any failure) none of it."""
    member_import = (
        MemberImport.objects.select_related("unit", "created_by", "confirmed_by").filter(pk=import_id).first()
    )
    if member_import is None or member_import.status != Status.IMPORTING:
        return member_import
    try:
        engine.apply(member_import)
    except Exception:
        logger.exception("Member import %s failed", import_id)
        member_import.refresh_from_db()
        _finish(member_import, Status.FAILED, _went_wrong(member_import))
        return member_import
    engine.discard_staged(member_import)
    engine.discard_file(member_import)
    return member_import


def import_stopped(import_id: int) -> None:
    """The worker checking or importing the file stopped part way, too often to try again: the import fails."""
    member_import = MemberImport.objects.filter(pk=import_id, status__in=MemberImport.RUNNING).first()
    if member_import is None:
        return
    step = "checking" if member_import.status == Status.CHECKING else "importing"
    _finish(
        member_import,
        Status.FAILED,
        f"The import stopped part way through {step} the file (the background worker running it stopped), "
        "and nothing was changed. Try the import again; if it stops again, tell your administrator that import "
        f"number {member_import.pk} stopped.",
    )


def _went_wrong(member_import: MemberImport) -> str:
    return (
        "Something went wrong on our side and nothing was changed. Try the import again; if it fails again, "
        f"tell your administrator that import number {member_import.pk} failed."
    )
