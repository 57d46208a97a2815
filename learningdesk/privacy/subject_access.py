"""Subject access (UK GDPR Art. 15): everything held on a person, as a ZIP of a readable PDF and the data in JSON.

Made while the co-ordinator waits: a person's records run to hundreds of rows at most, and the audit log about
them, the one section that grows without end, is listed in full in data.json but only its latest
`PDF_AUDIT_LIMIT` entries in the PDF. The export is logged (one audit event, with the section titles and counts).
"""

from __future__ import annotations

import datetime
import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.core.pdf import render_pdf
from learningdesk.org.models import Person
from learningdesk.privacy import personal_data
from learningdesk.privacy.personal_data import Section

PDF_AUDIT_LIMIT = 300
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def in_words(value: Any) -> str:
    """A JSON value as a person reads it: dates in words ("3 March 2025"), yes or no, lists joined."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        if ISO_DATE.match(value):
            return date_format(datetime.date.fromisoformat(value), "j F Y")
        if ISO_DATETIME.match(value):
            try:
                moment = datetime.datetime.fromisoformat(value)
            except ValueError:
                return value
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_format(moment, "j F Y, H:i")
        return value
    if isinstance(value, list):
        return ", ".join(filter(None, (in_words(item) for item in value)))
    if isinstance(value, dict):
        return "; ".join(f"{str(key).replace('_', ' ')}: {in_words(item)}" for key, item in value.items())
    return str(value)


@dataclass(frozen=True)
class ShownSection:
    """A section as the PDF shows it: each row a list of (label, value in words), empty values left out."""

    title: str
    rows: list[list[tuple[str, str]]]
    total: int  # rows held, which may be more than those shown


def shown(section: Section, limit: int | None = None) -> ShownSection:
    rows = section.rows if limit is None else section.rows[:limit]
    return ShownSection(
        title=section.title,
        rows=[
            [(section.label(name), words) for name, value in row.items() if (words := in_words(value))] for row in rows
        ],
        total=len(section.rows),
    )


def data_json(person: Person, sections: list[Section], made_at: datetime.datetime) -> bytes:
    document = {
        "about": "Everything Learning Desk holds on this person, as at the time below.",
        "person_id": person.pk,
        "made_at": timezone.localtime(made_at).isoformat(timespec="seconds"),
        "sections": {section.title: section.rows for section in sections},
    }
    return json.dumps(document, indent=2, ensure_ascii=False, default=str).encode()


def summary_pdf(person: Person, sections: list[Section], made_at: datetime.datetime) -> bytes:
    held = [
        shown(section, PDF_AUDIT_LIMIT if section.key == "accounts.auditevent" else None)
        for section in sections
        if section.rows
    ]
    empty = [section.title for section in sections if not section.rows]
    return render_pdf(
        "privacy/summary_pdf.html",
        {"person": person, "sections": held, "empty": empty, "made_at": made_at, "audit_limit": PDF_AUDIT_LIMIT},
    )


def file_name(person: Person, made_at: datetime.datetime) -> str:
    return f"subject-access-{person.pk}-{timezone.localtime(made_at):%Y-%m-%d}.zip"


def subject_access_zip(*, acting_user: User | None, person: Person) -> tuple[str, bytes]:
    """The ZIP (summary.pdf and data.json) of everything held on `person`, and its file name; logged."""
    made_at = timezone.now()
    sections = personal_data.everything(person)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("summary.pdf", summary_pdf(person, sections, made_at))
        archive.writestr("data.json", data_json(person, sections, made_at))
    with transaction.atomic():
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.EXPORTED,
            target=person,
            unit_id=person.branch_id,
            changes={"subject_access": {section.key: len(section.rows) for section in sections if section.rows}},
        )
    return file_name(person, made_at), buffer.getvalue()
