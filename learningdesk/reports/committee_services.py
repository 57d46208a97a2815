"""A committee report's life: start a draft, change it, let the equality officer add the equality figures, issue
it (the snapshot frozen, the PDF and the Word file stored with their SHA-256, in one transaction), delete a draft;
and the files themselves. Every change is audited in its own transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.core.pdf import render_pdf
from learningdesk.org.models import OrgUnit
from learningdesk.reports import committee_docx, committee_sections
from learningdesk.reports.committee import (
    EQUALITY_ADDED_BY,
    LONGEST_PERIOD_DAYS,
    default_title,
    equality_added_by,
    gather,
    may_add_equality,
    report_snapshot,
)
from learningdesk.reports.models import CommitteeReport

# The files ---------------------------------------------------------------------------------------


def file_stem(report: CommitteeReport) -> str:
    """learning-report-Derby-City-2026-07-01-to-2026-09-30"""
    plain_name = unicodedata.normalize("NFKD", report.unit.name).encode("ascii", "ignore").decode()
    words = "-".join(re.findall(r"[A-Za-z0-9]+", plain_name))[:50].strip("-") or "unit"
    what = "progress-report" if report.kind == CommitteeReport.Kind.STEERING else "learning-report"
    return f"{what}-{words}-{report.starts_on:%Y-%m-%d}-to-{report.ends_on:%Y-%m-%d}"


def pdf_context(snapshot: dict[str, Any], *, title: str, is_draft: bool) -> dict[str, Any]:
    return {
        "snapshot": snapshot,
        "title": title,
        "is_draft": is_draft,
        "about": committee_sections.about_line(snapshot, is_draft=is_draft),
        "sections": committee_sections.sections(snapshot, charts=committee_sections.snapshot_charts(snapshot)),
    }


def report_pdf(snapshot: dict[str, Any], *, title: str, is_draft: bool = False) -> bytes:
    """The report as an A4 PDF to hand round the committee table: branded, paged, with the charts."""
    return render_pdf("reports/committee/report_pdf.html", pdf_context(snapshot, title=title, is_draft=is_draft))


def report_docx(snapshot: dict[str, Any], *, title: str, is_draft: bool = False) -> bytes:
    return committee_docx.snapshot_docx(snapshot, title=title, is_draft=is_draft)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# A report's life ---------------------------------------------------------------------------------

ISSUED_MESSAGE = "This report has been issued: it is kept exactly as it was sent and can no longer be changed."


def _refuse_if_issued(report: CommitteeReport) -> None:
    if report.is_issued:
        raise ValidationError(ISSUED_MESSAGE)


def check_kind(unit: OrgUnit, kind: str) -> None:
    """A steering group's progress report compares the units below: the unit must have some."""
    if kind == CommitteeReport.Kind.STEERING and unit.numchild == 0:
        raise ValidationError(
            {
                "kind": f"A progress report compares the units below {unit.name}, and it has none. "
                "Choose a committee report."
            }
        )


def check_period(starts_on: datetime.date, ends_on: datetime.date) -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The period must end on or after the day it starts."})
    if (ends_on - starts_on).days > LONGEST_PERIOD_DAYS:
        raise ValidationError(
            {"ends_on": "A report covers at most three years. Choose a later start or an earlier end."}
        )


@transaction.atomic
def report_create(
    *,
    acting_user: User,
    unit: OrgUnit,
    kind: str,
    title: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> CommitteeReport:
    """Start a draft report for the unit and period; without a title, one saying what and when."""
    check_kind(unit, kind)
    check_period(starts_on, ends_on)
    report = CommitteeReport(
        unit=unit,
        kind=kind,
        title=title.strip() or default_title(kind, starts_on, ends_on),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=acting_user,
    )
    report.full_clean()
    report.save()
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CREATED,
        target=report,
        unit_id=unit.pk,
        changes={"fields": ["unit", "kind", "title", "starts_on", "ends_on"]},
    )
    return report


CHANGEABLE_FIELDS = ("title", "starts_on", "ends_on", "commentary", "budget_request")


@transaction.atomic
def report_update(*, acting_user: User, report: CommitteeReport, data: dict[str, Any]) -> CommitteeReport:
    """Change a draft's title, period, commentary or budget request (an issued report refuses)."""
    locked = CommitteeReport.objects.select_for_update().select_related("unit").get(pk=report.pk)
    _refuse_if_issued(locked)
    changed = [name for name in CHANGEABLE_FIELDS if name in data and getattr(locked, name) != data[name]]
    for name in changed:
        value = data[name]
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    if not changed:
        return locked
    check_period(locked.starts_on, locked.ends_on)
    if not locked.title:
        locked.title = default_title(locked.kind, locked.starts_on, locked.ends_on)
    locked.updated_at = timezone.now()
    locked.full_clean()
    locked.save(update_fields=[*changed, "title", "updated_at"])
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CHANGED,
        target=locked,
        unit_id=locked.unit_id,
        changes={"fields": changed},
    )
    return locked


def report_issue(*, acting_user: User, report: CommitteeReport, today: datetime.date | None = None) -> CommitteeReport:
    """Issue a draft: freeze its snapshot, render the PDF and the Word file from it and store both with their
    SHA-256, all in one transaction. The slow part (gathering and rendering) runs before the transaction, so
    the database is not held while WeasyPrint works; the draft is checked again inside it."""
    _refuse_if_issued(report)
    snapshot = gather(
        unit=report.unit,
        kind=report.kind,
        starts_on=report.starts_on,
        ends_on=report.ends_on,
        author=acting_user,
        commentary=report.commentary,
        budget_request=report.budget_request,
        equality_added_by=equality_added_by(report),
        today=today,
    )
    snapshot["title"] = report.title
    pdf = report_pdf(snapshot, title=report.title)
    docx = report_docx(snapshot, title=report.title)
    stem = file_stem(report)
    stored: list[Any] = []
    try:
        with transaction.atomic():
            locked = CommitteeReport.objects.select_for_update().select_related("unit").get(pk=report.pk)
            _refuse_if_issued(locked)
            if any(getattr(locked, name) != getattr(report, name) for name in (*CHANGEABLE_FIELDS, "data")):
                raise ValidationError(
                    "Someone changed the report while it was being issued. Check it and issue it again."
                )
            locked.data = snapshot
            locked.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
            stored.append(locked.pdf)
            locked.docx.save(f"{stem}.docx", ContentFile(docx), save=False)
            stored.append(locked.docx)
            locked.pdf_sha256, locked.docx_sha256 = sha256(pdf), sha256(docx)
            locked.status = CommitteeReport.Status.ISSUED
            locked.issued_by = acting_user
            locked.issued_at = locked.updated_at = timezone.now()
            locked.save()
            audit_record(
                actor=acting_user,
                action=AuditEvent.Action.CHANGED,
                target=locked,
                unit_id=locked.unit_id,
                changes={"fields": ["status", "data", "pdf", "docx"], "issued": True},
            )
    except BaseException:
        for file in stored:  # nothing was issued: the files written for it go too
            file.storage.delete(file.name)
        raise
    return locked


@transaction.atomic
def report_delete(*, acting_user: User, report: CommitteeReport) -> None:
    """Delete a draft; an issued report is kept for good."""
    locked = CommitteeReport.objects.select_for_update().get(pk=report.pk)
    _refuse_if_issued(locked)
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.DELETED,
        target=locked,
        unit_id=locked.unit_id,
        changes={"fields": ["title"], "kind": locked.kind},
    )
    locked.delete()


def audit_download(*, user: User, report: CommitteeReport, file_format: str) -> None:
    """Downloading a report is recorded, like every export."""
    audit_record(
        actor=user,
        action=AuditEvent.Action.EXPORTED,
        target=report,
        unit_id=report.unit_id,
        changes={"format": file_format, "issued": report.is_issued},
    )


def stored_file(report: CommitteeReport, file_format: str) -> bytes:
    """The issued file, byte for byte as it was stored."""
    field = report.pdf if file_format == "pdf" else report.docx
    with field.open("rb") as handle:
        return handle.read()


def draft_file(report: CommitteeReport, file_format: str, *, user: User) -> bytes:
    """A draft's preview, marked as a draft, from figures gathered now."""
    snapshot = report_snapshot(report, user=user)
    render = report_pdf if file_format == "pdf" else report_docx
    return render(snapshot, title=report.title, is_draft=True)


@transaction.atomic
def equality_include(*, acting_user: User, report: CommitteeReport, include: bool) -> CommitteeReport:
    """An equality officer adds the unit's equality figures to a draft (or takes them out again)."""
    locked = CommitteeReport.objects.select_for_update().select_related("unit").get(pk=report.pk)
    _refuse_if_issued(locked)
    if not may_add_equality(acting_user, locked):
        raise ValidationError("Only the equality officer of the unit can add its equality figures.")
    locked.data = {EQUALITY_ADDED_BY: acting_user.pk} if include else {}
    locked.updated_at = timezone.now()
    locked.save(update_fields=["data", "updated_at"])
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CHANGED,
        target=locked,
        unit_id=locked.unit_id,
        changes={"fields": ["equality figures"], "included": include},
    )
    return locked
