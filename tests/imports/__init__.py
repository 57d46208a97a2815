"""Helpers shared by the member import tests: build a file, take it through the check and the import."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence

from learningdesk.accounts.models import User
from learningdesk.imports import services
from learningdesk.imports.models import MemberImport
from learningdesk.org.models import OrgUnit, Person

HEADER = ["Membership number", "First name", "Last name", "Email", "Workplace", "Employer", "Date joined"]


def csv_bytes(rows: Sequence[Sequence[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    """A CSV file as a membership system would export it (CRLF line endings, quotes only where needed)."""
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows(rows)
    return text.getvalue().encode(encoding)


def start(unit: OrgUnit, content: bytes, *, user: User | None = None, file_name: str = "members.csv") -> MemberImport:
    """Upload a file (in small pieces, as the upload handler gives them)."""
    pieces = [content[i : i + 7_000] for i in range(0, len(content), 7_000)]
    return services.import_start(acting_user=user, unit=unit, file_name=file_name, content=pieces)


def check(member_import: MemberImport, mapping: dict[str, str] | None = None) -> MemberImport:
    """Run the check as the worker does, with the guessed columns unless others are given."""
    if mapping is not None:
        member_import.mapping = mapping
    member_import.status = MemberImport.Status.CHECKING
    member_import.save()
    services.run_check(member_import.pk)
    member_import.refresh_from_db()
    return member_import


def apply(member_import: MemberImport, *, mark_left: bool = False, conflicts: str = "keep") -> MemberImport:
    """Confirm a checked import and run it as the worker does."""
    member_import.mark_left = mark_left
    member_import.conflicts = conflicts
    member_import.status = MemberImport.Status.IMPORTING
    member_import.save()
    services.run_apply(member_import.pk)
    member_import.refresh_from_db()
    return member_import


def import_file(
    unit: OrgUnit, rows: Sequence[Sequence[str]], *, user: User | None = None, **options: object
) -> MemberImport:
    """Upload, check and import a CSV file made of these rows (the header first)."""
    checked = check(start(unit, csv_bytes(rows), user=user))
    assert checked.status == MemberImport.Status.CHECKED, checked.error
    return apply(checked, **options)  # type: ignore[arg-type]


PERSON_VALUES = (
    "pk", "membership_number", "title", "first_name", "last_name", "email", "phone", "branch_id", "workplace_id",
    "status", "joined_on", "job_title", "updated_at", "imported_at", "edited_fields",
)  # fmt: skip


def people_state() -> tuple[int, str]:
    """How many people there are and a checksum of everything an import could change about them."""
    rows = Person.objects.order_by("pk").values_list(*PERSON_VALUES)
    digest = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return Person.objects.count(), digest
