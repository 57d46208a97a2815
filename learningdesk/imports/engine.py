"""The member import: check a file into staged rows (the dry run), then apply them in one transaction.

The check streams the file in chunks: each row is cleaned, matched by membership number against the people
already here, and written to `ImportRow` as what the person's record will become, with every problem written
to `ImportProblem`. Nothing about people changes. The import then runs a few set-based SQL statements
(insert the new, update the changed, mark the missing as left) inside one transaction: it all happens or,
on any failure, none of it. Both steps keep memory bounded whatever the size of the file.

Raw SQL is used where the ORM would build a million model instances; it is plain SQL that SQLite (3.33+)
and PostgreSQL both run.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import batched
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.accounts.services import audit_record
from learningdesk.imports import reading
from learningdesk.imports.mapping import FIELDS_BY_NAME
from learningdesk.imports.models import ImportFileChunk, ImportProblem, ImportRow, MemberImport
from learningdesk.org.models import Employer, OrgUnit, Person, Workplace

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5_000
MAX_PROBLEMS = 10_000  # kept per kind; the counts stay exact beyond it
MAX_NEW_WORKPLACES = 1_000
BIG_LOAD = 100_000  # new people at or above which the search indexes are rebuilt rather than kept up to date

Status = Person.Status
Action = ImportRow.Action


def _max_length(model: type[models.Model], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, models.CharField)
    return field.max_length or 0


# Fields a file can set, with their most characters: the columns they go into.
MAX_LENGTHS = {
    **{
        name: _max_length(Person, name)
        for name in ("membership_number", "title", "first_name", "last_name", "email", "phone", "job_title")
    },
    "branch": _max_length(OrgUnit, "code"),
    "employer": _max_length(Employer, "name"),
    "workplace": _max_length(Workplace, "name"),
}
# What a person's record is compared on, in this order (ids for branch and workplace).
COMPARED = (
    "title",
    "first_name",
    "last_name",
    "email",
    "phone",
    "branch",
    "workplace",
    "status",
    "joined_on",
    "job_title",
)
MEMBERSHIP_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9/._-]*")
EMAIL = re.compile(r"[^@\s\"(),:;<>\[\]\\]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")
PHONE = re.compile(r"\+?[0-9 ()\-.]{6,}(?:\s*(?:ext|x)\.?\s*[0-9]+)?", re.IGNORECASE)
UK_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?")
# A status as membership systems write it (lower case, letters only) -> ours.
STATUSES = {
    **dict.fromkeys(("member", "current", "active", "fullmember", "live", "paying", "financial", "m"), Status.MEMBER),
    **dict.fromkeys(("lapsed", "arrears", "inarrears", "unfinancial", "suspended"), Status.LAPSED),
    **dict.fromkeys(("retired", "retiredmember", "retiree"), Status.RETIRED),
    **dict.fromkeys(("unemployed", "unwaged", "unemployedmember"), Status.UNEMPLOYED),
    **dict.fromkeys(("left", "resigned", "ceased", "former", "formermember", "expired", "cancelled"), Status.LEFT),
    **dict.fromkeys(("nonmember", "notamember", "non"), Status.NON_MEMBER),
}
STATUS_HELP = "Use Member, Lapsed, Retired, Unemployed, Left or Non-member."
LEFT_STATUSES_KEPT = (Status.LEFT, Status.NON_MEMBER)  # never "marked left": they are left already, or never joined


class ImportStopped(Exception):
    """The user stopped the check."""


# Where names in the file point ------------------------------------------------------------------------


@dataclass
class Places:
    """The branches, workplaces and employers the file's names are looked up in, loaded once per import."""

    unit: OrgUnit
    unit_ids: set[int]  # the import unit's subtree: the only people an import may touch
    branch_ids: dict[str, int]  # code (upper case) -> unit id, in the subtree
    codes: dict[int, str]
    default_branch_id: int | None  # the import unit, when no unit lies below it
    workplaces: dict[tuple[int, str], int]  # (branch id, lower-case name) -> id
    workplace_names: dict[int, str]
    employers: dict[str, int]  # lower-case name -> id
    has_branch_column: bool = False
    today: datetime.date = field(default_factory=timezone.localdate)
    new_workplaces: dict[tuple[int, str], tuple[str, str]] = field(default_factory=dict)  # -> (name, employer)
    new_employers: dict[str, tuple[str, int]] = field(default_factory=dict)  # -> (name, unit id)

    @classmethod
    def load(cls, unit: OrgUnit) -> Places:
        units = OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", "code")
        unit_ids, branch_ids, codes = set(), {}, {}
        for pk, code in units:
            unit_ids.add(pk)
            if code:
                branch_ids[code.upper()] = pk
                codes[pk] = code
        workplaces: dict[tuple[int, str], int] = {}
        names: dict[int, str] = {}
        for pk, branch_id, name in Workplace.objects.filter(branch__in=unit_ids).values_list("pk", "branch", "name"):
            workplaces.setdefault((branch_id, name.lower()), pk)
            names[pk] = name
        employers: dict[str, int] = {}
        for pk, name in Employer.objects.order_by("pk").values_list("pk", "name"):
            employers.setdefault(name.lower(), pk)
        return cls(
            unit=unit,
            unit_ids=unit_ids,
            branch_ids=branch_ids,
            codes=codes,
            default_branch_id=unit.pk if unit.numchild == 0 else None,
            workplaces=workplaces,
            workplace_names=names,
            employers=employers,
        )


# Cleaning one row -------------------------------------------------------------------------------------


class RowError(Exception):
    pass


def _quoted(value: str, limit: int = 40) -> str:
    return f"“{value if len(value) <= limit else value[: limit - 1] + '…'}”"


def _clean_membership_number(value: str) -> str:
    number = value.upper()
    # ASCII only: upper-casing some letters lengthens them ("ﬃ" -> "FFI"), past the 30 characters PostgreSQL keeps.
    if not value.isascii() or not MEMBERSHIP_NUMBER.fullmatch(number):
        raise RowError(f"{_quoted(value)} is not a membership number: use only letters, digits, - / and .")
    return number


def _clean_email(value: str) -> str:
    email = value.lower()
    if not EMAIL.fullmatch(email):
        raise RowError(f"{_quoted(value)} is not an email address: it needs an @ and a domain, like name@example.org.")
    if len(email) > MAX_LENGTHS["email"]:  # lower-casing "İ" gives two characters: checked again after it
        raise RowError(f"The email is {len(email):,} characters long: the most is {MAX_LENGTHS['email']}.")
    return email


def _clean_phone(value: str) -> str:
    if not PHONE.fullmatch(value):
        raise RowError(f"{_quoted(value)} is not a phone number: use digits, spaces and +, like 07700 900123.")
    return value


def parse_date(value: str) -> datetime.date:
    """A date as membership systems write it: dd/mm/yyyy (UK order), or yyyy-mm-dd from a spreadsheet."""
    if match := UK_DATE.fullmatch(value):
        day, month, year = (int(part) for part in match.groups())
    elif match := ISO_DATE.fullmatch(value):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise RowError(f"{_quoted(value)} is not a date we understand: write it as dd/mm/yyyy, like 31/01/2024.")
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        raise RowError(f"{_quoted(value)} is not a real date: check the day and the month (dd/mm/yyyy).") from None
    return date


def _clean_joined_on(value: str) -> str:
    return _joined_on(value, timezone.localdate())


@lru_cache(maxsize=1 << 16)
def _joined_on(value: str, today: datetime.date) -> str:
    # Cached: a member file has a few thousand different dates among a million rows.
    date = parse_date(value)
    if date > today:
        raise RowError(f"{_quoted(value)} is in the future: the date joined must be today or earlier.")
    if date.year < 1900:
        raise RowError(f"{_quoted(value)} is before 1900: check the year.")
    return date.isoformat()


@lru_cache(maxsize=1024)
def _clean_status(value: str) -> str:
    status = STATUSES.get(re.sub(r"[^a-z]", "", value.lower()))
    if status is None:
        raise RowError(f"{_quoted(value)} is not a status we know. {STATUS_HELP}")
    return status


CLEANERS: dict[str, Callable[[str], str]] = {
    "membership_number": _clean_membership_number,
    "email": _clean_email,
    "phone": _clean_phone,
    "joined_on": _clean_joined_on,
    "status": _clean_status,
}
REQUIRED_MESSAGES = {
    "membership_number": "Enter the membership number: people are matched by it.",
    "first_name": "Enter the first name.",
    "last_name": "Enter the last name.",
}


@dataclass(slots=True)
class CleanRow:
    number: int
    values: dict[str, str]  # field -> cleaned value, blank cells left out
    errors: list[tuple[str, str]]  # (field, message)
    membership_number: str  # as far as it could be read, even on a rejected row
    branch_id: int | None = None
    workplace_id: int | None = None
    workplace_name: str = ""
    employer_name: str = ""


def clean_row(number: int, cells: Sequence[str], columns: Sequence[tuple[int, str]], places: Places) -> CleanRow:
    """One row's values, cleaned, with what is wrong with them; blank cells are left out."""
    values: dict[str, str] = {}
    errors: list[tuple[str, str]] = []
    width = len(cells)
    for index, name, limit, cleaner, required in _column_specs(tuple(columns)):
        value = cells[index].strip() if index < width else ""
        if not value:
            if required:
                errors.append((name, required))
            continue
        if value[0] == "=":
            errors.append((name, f"{_quoted(value)} looks like a spreadsheet formula: enter the value itself."))
            continue
        if limit and len(value) > limit:
            label = FIELDS_BY_NAME[name].label.lower()
            errors.append((name, f"The {label} is {len(value):,} characters long: the most is {limit}."))
            continue
        if cleaner is not None:
            try:
                value = _joined_on(value, places.today) if cleaner is _clean_joined_on else cleaner(value)
            except RowError as error:
                errors.append((name, str(error)))
                continue
        values[name] = value
    row = CleanRow(number, values, errors, values.get("membership_number", ""))
    if not row.membership_number:
        raw = next((cells[i] for i, name in columns if name == "membership_number" and i < width), "")
        row.membership_number = raw.strip().upper()[:30]
    _place(row, places)
    return row


ColumnSpec = tuple[int, str, int, Callable[[str], str] | None, str]


@lru_cache(maxsize=64)
def _column_specs(columns: tuple[tuple[int, str], ...]) -> tuple[ColumnSpec, ...]:
    """Each mapped column with its limit, cleaner and required message, looked up once per file, not per cell."""
    return tuple(
        (index, name, MAX_LENGTHS.get(name, 0), CLEANERS.get(name), REQUIRED_MESSAGES.get(name, ""))
        for index, name in columns
    )


def _place(row: CleanRow, places: Places) -> None:
    """Find the row's branch and workplace; an employer or workplace not on Learning Desk yet is noted to be added."""
    code = row.values.pop("branch", "")
    if code:
        row.branch_id = places.branch_ids.get(code.upper())
        if row.branch_id is None:
            row.errors.append(
                ("branch", f"{_quoted(code)} is not the code of a branch in {places.unit.name}. Check the code.")
            )
            return
    elif places.default_branch_id is not None:
        row.branch_id = places.default_branch_id
    else:
        if places.has_branch_column and not any(name == "branch" for name, _m in row.errors):
            row.errors.append(("branch", f"Enter the branch code: the import is for all of {places.unit.name}."))
        return
    employer = row.values.pop("employer", "")
    name = row.values.pop("workplace", "")
    if employer and not row.errors and employer.lower() not in places.employers:
        if employer.lower() not in places.new_employers and len(places.new_employers) >= MAX_NEW_WORKPLACES:
            row.errors.append(
                (
                    "employer",
                    f"More than {MAX_NEW_WORKPLACES:,} employers in this file are new: check that the Employer "
                    "column is matched to the right column of the file.",
                )
            )
            return
        places.new_employers.setdefault(employer.lower(), (employer, row.branch_id))
    if not name:
        return
    key = (row.branch_id, name.lower())
    row.workplace_id = places.workplaces.get(key)
    if row.workplace_id is not None:
        return
    if not employer:
        row.errors.append(
            (
                "workplace",
                f"{_quoted(name)} is not a workplace of this branch yet: give its employer (an Employer column) "
                "so that it can be added, or add the workplace on Learning Desk first.",
            )
        )
        return
    if row.errors:
        return  # a rejected row adds no workplace
    if key not in places.new_workplaces:
        if len(places.new_workplaces) >= MAX_NEW_WORKPLACES:
            row.errors.append(
                (
                    "workplace",
                    f"More than {MAX_NEW_WORKPLACES:,} workplaces in this file are new: check that the Workplace "
                    "column is matched to the right column of the file.",
                )
            )
            return
        places.new_workplaces[key] = (name, employer)
    row.workplace_name, row.employer_name = places.new_workplaces[key]


# The check (dry run) --------------------------------------------------------------------------------------

STAGED_COLUMNS = (
    "member_import_id",
    "row_number",
    "action",
    "person_id",
    "person_updated_at",
    "membership_number",
    "title",
    "first_name",
    "last_name",
    "email",
    "phone",
    "branch_id",
    "workplace_id",
    "workplace_name",
    "employer_name",
    "status",
    "joined_on",
    "job_title",
    "edited_fields",
)
EXISTING_COLUMNS = (
    "id",
    "membership_number",
    "title",
    "first_name",
    "last_name",
    "email",
    "phone",
    "branch_id",
    "workplace_id",
    "status",
    "joined_on",
    "job_title",
    "updated_at",
    "imported_at",
    "edited_fields",
)


@contextmanager
def _bulk_cursor() -> Iterator[Any]:
    """A cursor without Django's debug wrapper, which (with DEBUG on) would keep every bulk statement's SQL."""
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = connection.create_cursor()
        try:
            yield cursor
        finally:
            cursor.close()


def _insert_many(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    with _bulk_cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: psycopg's executemany costs a round of parameter handling per row, ten times slower.
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)  # noqa: S608


def _existing(numbers: list[str]) -> dict[str, dict[str, Any]]:
    """The people already here with these membership numbers, as plain values."""
    if not numbers:
        return {}
    # One parameter holding the whole list: a statement with thousands of placeholders is slow to prepare.
    param: str | list[str]
    if connection.vendor == "sqlite":
        where, param = "membership_number IN (SELECT value FROM json_each(%s))", json.dumps(numbers)
    else:
        where, param = "membership_number = ANY(%s)", numbers
    sql = f"SELECT {', '.join(EXISTING_COLUMNS)} FROM org_person WHERE {where}"  # noqa: S608 (our own names)
    with _bulk_cursor() as cursor:
        cursor.execute(sql, [param])
        return {row[1]: dict(zip(EXISTING_COLUMNS, row, strict=True)) for row in cursor.fetchall()}


@dataclass
class CheckState:
    member_import: MemberImport
    places: Places
    columns: list[tuple[int, str]]
    headers: list[str]
    errors_kept: int = 0
    conflicts_kept: int = 0
    problems: list[ImportProblem] = field(default_factory=list)

    def column_name(self, name: str) -> str:
        for index, field_name in self.columns:
            if field_name == name:
                return self.headers[index] if index < len(self.headers) else ""
        return ""

    def error(self, row_number: int, name: str, message: str) -> None:
        if self.errors_kept >= MAX_PROBLEMS:
            return
        self.errors_kept += 1
        self.problems.append(
            ImportProblem(
                member_import=self.member_import,
                row_number=row_number,
                column=self.column_name(name)[:120],
                field=name,
                message=message[:300],
            )
        )

    def conflict(self, row_number: int, person_id: int, name: str, shown: str, value: str) -> None:
        if self.conflicts_kept >= MAX_PROBLEMS:
            return
        self.conflicts_kept += 1
        label = FIELDS_BY_NAME[name].label if name in FIELDS_BY_NAME else name
        self.problems.append(
            ImportProblem(
                member_import=self.member_import,
                kind=ImportProblem.Kind.CONFLICT,
                row_number=row_number,
                column=self.column_name(name)[:120],
                field=name,
                person_id=person_id,
                message=f"{label} was changed on Learning Desk; the file has {_quoted(shown, 60)}."[:300],
                value=value[:254],
            )
        )


@contextmanager
def temporary_data_on_disk() -> Iterator[None]:
    """SQLite sorts for big statements (building an index, finding duplicates) in temporary files, not memory.

    The project keeps SQLite's temporary data in memory for quick pages; a million-row sort would need
    hundreds of megabytes of it.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with _bulk_cursor() as cursor:
        cursor.execute("PRAGMA temp_store = FILE")
    try:
        yield
    finally:
        with _bulk_cursor() as cursor:
            cursor.execute("PRAGMA temp_store = MEMORY")


def check(member_import: MemberImport) -> MemberImport:
    """Read and check the whole file, staging each row as what it will do; people are not changed.

    Sets the import's counts, its new employers and workplaces, and its problems; raises FileProblem when
    the file as a whole cannot be read. Re-running it starts again from the file.
    """
    with temporary_data_on_disk():
        try:
            return _check(member_import)
        except reading.EncodingChanged:
            # UTF-8 at the start, but not further on: older Excel saves Windows-1252. Read it all again so.
            member_import.encoding = "cp1252"
            member_import.save(update_fields=["encoding"])
            return _check(member_import)


def _check(member_import: MemberImport) -> MemberImport:
    discard_staged(member_import, problems=True)
    places = Places.load(member_import.unit)
    columns = sorted((int(index), name) for index, name in member_import.mapping.items())
    places.has_branch_column = "branch" in member_import.mapping.values()
    state = CheckState(member_import, places, columns, list(member_import.headers))
    rows = reading.read_rows(member_import)
    header_row = _skip_header(rows)
    done = 0
    for chunk in batched(_numbered(rows, first=header_row + 1), CHUNK_ROWS):
        with transaction.atomic():
            _check_chunk(state, chunk)
            ImportProblem.objects.bulk_create(state.problems)
            state.problems.clear()
        done = chunk[-1][0] - header_row
        if _progress(member_import, done):
            raise ImportStopped
    _reject_duplicates(state)
    _count(member_import, places)
    member_import.rows_done = done
    member_import.rows_total = max(done, 0)
    member_import.checked_at = timezone.now()
    member_import.save()
    return member_import


def _skip_header(rows: Iterator[list[str]]) -> int:
    """Read past the header (the first row with something in it); its row number."""
    for number, row in enumerate(rows, start=1):
        if not reading.is_blank(row):
            return number
    return 1


def _numbered(rows: Iterator[list[str]], *, first: int) -> Iterator[tuple[int, list[str]]]:
    """Rows with their number as a spreadsheet shows it (the header is row 1), blank rows left out."""
    for number, row in enumerate(rows, start=first):
        if not reading.is_blank(row):
            yield number, row


def _progress(member_import: MemberImport, done: int) -> bool:
    """Publish how far the check has got; True when the user has asked it to stop."""
    MemberImport.objects.filter(pk=member_import.pk).update(rows_done=done)
    return bool(MemberImport.objects.filter(pk=member_import.pk).values_list("cancel_requested", flat=True).get())


def _check_chunk(state: CheckState, chunk: Sequence[tuple[int, list[str]]]) -> None:
    places = state.places
    cleaned = [clean_row(number, cells, state.columns, places) for number, cells in chunk]
    existing = _existing(list({row.membership_number for row in cleaned if not row.errors}))
    staged: list[tuple[Any, ...]] = []
    import_id = state.member_import.pk
    for row in cleaned:
        person = existing.get(row.membership_number) if not row.errors else None
        if person is not None and person["branch_id"] not in places.unit_ids:
            row.errors.append(
                (
                    "membership_number",
                    f"{row.membership_number} is the membership number of someone in another branch, outside "
                    f"{places.unit.name}. Ask the co-ordinator who looks after both branches to move them.",
                )
            )
        if row.errors:
            for name, message in row.errors:
                state.error(row.number, name, message)
            staged.append(_rejected(import_id, row))
            continue
        staged.append(_create(import_id, row) if person is None else _update(state, import_id, row, person))
    _insert_many(ImportRow._meta.db_table, STAGED_COLUMNS, staged)


def _rejected(import_id: int, row: CleanRow) -> tuple[Any, ...]:
    # Kept, with its number, so that "mark members missing from the file as left" does not touch them.
    return (import_id, row.number, Action.REJECTED, None, None, row.membership_number, "", "", "", "", "", None,
            None, "", "", "", None, "", "")  # fmt: skip


def _create(import_id: int, row: CleanRow) -> tuple[Any, ...]:
    values = row.values
    return (
        import_id, row.number, Action.CREATE, None, None, row.membership_number, values.get("title", ""),
        values["first_name"], values["last_name"], values.get("email", ""), values.get("phone", ""), row.branch_id,
        row.workplace_id, row.workplace_name, row.employer_name, values.get("status", Status.MEMBER),
        values.get("joined_on"), values.get("job_title", ""), "",
    )  # fmt: skip


def _update(state: CheckState, import_id: int, row: CleanRow, person: dict[str, Any]) -> tuple[Any, ...]:
    """What an existing person becomes: the file's values, except fields changed here since the last import.

    A blank cell leaves the field as it is. A field changed on Learning Desk since the last import (or any
    field of someone never imported, unless it was empty) is a conflict: kept, and shown to the user.
    """
    file_values: dict[str, Any] = dict(row.values)
    file_values["branch"] = row.branch_id
    if row.workplace_id is not None or row.workplace_name:
        file_values["workplace"] = row.workplace_id if row.workplace_id is not None else row.workplace_name
    current = {
        **{name: person[name] for name in COMPARED if name not in ("branch", "workplace", "joined_on")},
        "branch": person["branch_id"],
        "workplace": person["workplace_id"],
        "joined_on": str(person["joined_on"]) if person["joined_on"] else None,
    }
    edited = set(person["edited_fields"].split())
    never_imported = person["imported_at"] is None
    result = dict(current)
    changed = False
    kept: list[str] = []
    for name in COMPARED:
        new = file_values.get(name)
        if new is None or new == "" or new == current[name]:
            continue
        if current[name] not in (None, "") and (never_imported or name in edited):
            kept.append(name)
            state.conflict(row.number, person["id"], name, *_shown(name, new, row, state.places))
            continue
        result[name] = new
        changed = True
    # A workplace belongs to one branch: nobody is left at a workplace of another branch than their own (its
    # ULR would see them). The file's workplace is in the file's branch; the current one in the current branch.
    if result["workplace"] is not None and result["workplace"] != current["workplace"]:
        if result["branch"] != file_values["branch"]:  # their branch is kept against the file: so is the workplace
            kept.append("workplace")
            state.conflict(
                row.number, person["id"], "workplace", *_shown("workplace", result["workplace"], row, state.places)
            )
            result["workplace"] = current["workplace"]
            changed = result != current
    elif result["branch"] != current["branch"]:  # the file moves them: their old workplace stays behind
        result["workplace"] = None
    workplace = result["workplace"]
    new_workplace = isinstance(workplace, str)
    return (
        import_id, row.number, Action.UPDATE if changed else Action.UNCHANGED, person["id"], person["updated_at"],
        row.membership_number, result["title"], result["first_name"], result["last_name"], result["email"],
        result["phone"], result["branch"], None if new_workplace else workplace,
        row.workplace_name if new_workplace else "", row.employer_name if new_workplace else "", result["status"],
        result["joined_on"], result["job_title"], " ".join(sorted(edited & set(kept))),
    )  # fmt: skip


def _shown(name: str, new: Any, row: CleanRow, places: Places) -> tuple[str, str]:
    """How a conflicting file value is shown, and how it is stored to be applied later."""
    if name == "branch":
        return places.codes.get(new, str(new)), str(new)
    if name == "workplace":
        if isinstance(new, str):  # a new workplace: it has no id until the import adds it
            return new, ""
        return places.workplace_names.get(new, str(new)), str(new)
    return str(new), str(new)


def _reject_duplicates(state: CheckState) -> None:
    """A membership number on more than one row: the first row is used, the later ones rejected."""
    member_import = state.member_import
    rows = ImportRow.objects.filter(member_import=member_import)
    duplicated = (
        rows.exclude(action=Action.REJECTED)
        .values("membership_number")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("membership_number", flat=True)
    )
    for numbers in batched(duplicated.iterator(), 500):
        with transaction.atomic():
            first: dict[str, int] = {}
            later: list[tuple[int, str]] = []
            ordered = rows.filter(membership_number__in=numbers).exclude(action=Action.REJECTED)
            for number, row_number in ordered.order_by("row_number").values_list("membership_number", "row_number"):
                if number in first:
                    later.append((row_number, number))
                else:
                    first[number] = row_number
            row_numbers = [row_number for row_number, _number in later]
            for some in batched(row_numbers, 500):
                rows.filter(row_number__in=some).update(action=Action.REJECTED)
                ImportProblem.objects.filter(
                    member_import=member_import, kind=ImportProblem.Kind.CONFLICT, row_number__in=some
                ).delete()
            for row_number, number in later:
                state.error(
                    row_number,
                    "membership_number",
                    f"{number} is also on row {first[number]}: a membership number belongs to one person. "
                    "Remove the row that is wrong.",
                )
            ImportProblem.objects.bulk_create(state.problems)
            state.problems.clear()


def _count(member_import: MemberImport, places: Places) -> None:
    rows = ImportRow.objects.filter(member_import=member_import)
    counts = dict(rows.values_list("action").annotate(n=Count("pk")).order_by())
    member_import.created = counts.get(Action.CREATE, 0)
    member_import.updated = counts.get(Action.UPDATE, 0)
    member_import.unchanged = counts.get(Action.UNCHANGED, 0)
    member_import.rejected = counts.get(Action.REJECTED, 0)
    member_import.conflicting = (
        ImportProblem.objects.filter(member_import=member_import, kind=ImportProblem.Kind.CONFLICT)
        .values("row_number")
        .distinct()
        .count()
    )
    member_import.missing = missing_members(member_import, places).count()
    member_import.new_employers = sorted(name for name, _unit in places.new_employers.values())
    member_import.new_workplaces = sorted(
        [places.codes.get(branch_id, ""), name, employer]
        for (branch_id, _key), (name, employer) in places.new_workplaces.items()
    )


def covered_branches(member_import: MemberImport, places: Places) -> list[int]:
    """The branches a file is the full member list of: the import's own, or those named in its rows."""
    if places.default_branch_id is not None:
        return [places.default_branch_id]
    rows = ImportRow.objects.filter(member_import=member_import, branch_id__isnull=False)
    return [branch_id for branch_id in rows.values_list("branch_id", flat=True).distinct() if branch_id is not None]


def missing_members(member_import: MemberImport, places: Places) -> Any:
    """Members of the covered branches whose number is not in the file (rejected rows count as in it)."""
    people = Person.objects.filter(
        branch__in=covered_branches(member_import, places), membership_number__isnull=False
    ).exclude(status__in=LEFT_STATUSES_KEPT)
    if connection.vendor == "sqlite":
        # SQLite builds a temporary index for NOT IN (subquery) once; a correlated NOT EXISTS would scan per person.
        numbers = ImportRow.objects.filter(member_import=member_import).values("membership_number")
        return people.exclude(membership_number__in=numbers)
    # PostgreSQL turns NOT EXISTS into a hash anti-join; NOT IN over a large list would not be hashed.
    in_file = ImportRow.objects.filter(member_import=member_import, membership_number=OuterRef("membership_number"))
    return people.exclude(Exists(in_file))


def discard_staged(member_import: MemberImport, *, problems: bool = False) -> None:
    ImportRow.objects.filter(member_import=member_import).delete()
    if problems:
        ImportProblem.objects.filter(member_import=member_import).delete()


def discard_file(member_import: MemberImport) -> None:
    ImportFileChunk.objects.filter(member_import=member_import).delete()


# The import ---------------------------------------------------------------------------------------------


def _sql(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _db_datetime(value: datetime.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


PERSON_INSERT_COLUMNS = (
    "membership_number", "title", "first_name", "last_name", "email", "phone", "branch_id", "workplace_id",
    "status", "joined_on", "job_title",
)  # fmt: skip


def apply(member_import: MemberImport, *, after_step: Callable[[str], None] | None = None) -> MemberImport:
    """Import the checked rows: all of it in one transaction, or nothing when anything fails.

    Rows changed on Learning Desk after the check are left alone and counted as skipped.
    `after_step` is called between steps (tests use it to fail part way).
    """
    step = after_step or (lambda name: None)
    now = timezone.now()
    places = Places.load(member_import.unit)
    with temporary_data_on_disk(), transaction.atomic():
        if connection.vendor == "postgresql" and member_import.created + member_import.updated >= 10_000:
            # Fresh statistics of the staged rows, so the planner knows how many there are.
            _sql("ANALYZE imports_importrow")
        employers_added, workplaces_added = _add_places(member_import, places)
        step("places")
        to_create = member_import.created
        big = to_create >= BIG_LOAD and to_create > Person.objects.count()
        with search_indexes_rebuilt(big):
            created = _insert_people(member_import, now)
            step("created")
        updated = _update_people(member_import, now) if member_import.updated else 0
        step("updated")
        overwritten = _overwrite_conflicts(member_import, now) if member_import.conflicts == "overwrite" else 0
        marked_left = 0
        if member_import.mark_left:
            marked_left = missing_members(member_import, places).update(status=Status.LEFT, updated_at=now)
        step("left")
        member_import.skipped = member_import.updated - updated
        member_import.created, member_import.updated = created, updated + overwritten
        member_import.marked_left = marked_left
        member_import.status = MemberImport.Status.DONE
        member_import.imported_at = now
        member_import.save()
        audit_record(
            actor=member_import.confirmed_by or member_import.created_by,
            action=AuditEvent.Action.IMPORTED,
            target=member_import,
            unit_id=member_import.unit_id,
            changes={
                "created": created,
                "updated": updated + overwritten,
                "marked_left": marked_left,
                "rejected": member_import.rejected,
                "employers_added": employers_added,
                "workplaces_added": workplaces_added,
            },
        )
        if big and connection.vendor == "postgresql":
            _sql("ANALYZE org_person")
    return member_import


def _add_places(member_import: MemberImport, places: Places) -> tuple[int, int]:
    """Add the employers and workplaces the check found new, then point the staged rows at them.

    Returns how many employers and workplaces were added (the import's audit event counts them).
    """
    employers = dict(places.employers)
    employers_added = workplaces_added = 0
    for name in member_import.new_employers:
        if name.lower() not in employers:
            unit_id = _first_branch_naming(member_import, employer=name) or member_import.unit_id
            employer = Employer.objects.create(name=name, unit_id=unit_id)
            employers[name.lower()] = employer.pk
            employers_added += 1
    for code, name, employer_name in member_import.new_workplaces:
        branch_id = places.branch_ids.get(code.upper(), places.default_branch_id)
        if branch_id is None or (branch_id, name.lower()) in places.workplaces:
            continue
        workplace = Workplace.objects.create(
            name=name, branch_id=branch_id, employer_id=employers[employer_name.lower()]
        )
        places.workplaces[(branch_id, name.lower())] = workplace.pk
        workplaces_added += 1
    _sql(
        "UPDATE imports_importrow SET workplace_id = (SELECT MIN(w.id) FROM org_workplace w "
        "WHERE w.branch_id = imports_importrow.branch_id AND LOWER(w.name) = LOWER(imports_importrow.workplace_name)) "
        "WHERE member_import_id = %s AND workplace_name <> ''",
        [member_import.pk],
    )
    return employers_added, workplaces_added


def _first_branch_naming(member_import: MemberImport, *, employer: str) -> int | None:
    rows = ImportRow.objects.filter(member_import=member_import, employer_name__iexact=employer)
    return rows.order_by("row_number").values_list("branch_id", flat=True).first()


def _insert_people(member_import: MemberImport, now: datetime.datetime) -> int:
    at = _db_datetime(now)
    columns = ", ".join(PERSON_INSERT_COLUMNS)
    staged = ", ".join(f"s.{column}" for column in PERSON_INSERT_COLUMNS)
    if connection.vendor == "postgresql":
        # Into an empty (or newly analysed) people table PostgreSQL may plan "for each new person, look
        # through the people" and read the table growing under it: 200,000 people ran for over 15 minutes.
        # A hash anti-join reads the people once.
        _sql("SET LOCAL enable_nestloop = off")
    created = _sql(
        f"INSERT INTO org_person ({columns}, preferred_language, time_zone, created_at, updated_at, imported_at, "  # noqa: S608
        f"edited_fields) SELECT {staged}, 'English', 'Europe/London', %s, %s, %s, '' FROM imports_importrow s "
        "WHERE s.member_import_id = %s AND s.action = 'create' AND NOT EXISTS "
        "(SELECT 1 FROM org_person p WHERE p.membership_number = s.membership_number)",
        [at, at, at, member_import.pk],
    )
    if connection.vendor == "postgresql":
        _sql("SET LOCAL enable_nestloop = on")
    return created


def _update_people(member_import: MemberImport, now: datetime.datetime) -> int:
    at = _db_datetime(now)
    assignments = ", ".join(f"{column} = s.{column}" for column in PERSON_INSERT_COLUMNS[1:])
    return _sql(
        f"UPDATE org_person SET {assignments}, updated_at = %s, imported_at = %s, edited_fields = s.edited_fields "  # noqa: S608
        "FROM imports_importrow s WHERE s.member_import_id = %s AND s.action = 'update' "
        "AND org_person.id = s.person_id AND org_person.updated_at = s.person_updated_at",
        [at, at, member_import.pk],
    )


CONFLICT_COLUMNS = {"branch": "branch_id", "workplace": "workplace_id"}
# Moving someone to another branch takes them off a workplace of the old one (a workplace belongs to one branch).
CONFLICT_SETS = {
    "branch_id": "branch_id = %s, workplace_id = CASE WHEN workplace_id IN "
    "(SELECT w.id FROM org_workplace w WHERE w.branch_id = %s) THEN workplace_id END"
}


def _overwrite_conflicts(member_import: MemberImport, now: datetime.datetime) -> int:
    """The user chose the file's values over changes made here: apply the conflicting fields too."""
    conflicts = ImportProblem.objects.filter(member_import=member_import, kind=ImportProblem.Kind.CONFLICT)
    rejected = ImportRow.objects.filter(member_import=member_import, action=Action.REJECTED).values("row_number")
    conflicts = conflicts.exclude(row_number__in=rejected).exclude(value="")
    at = _db_datetime(now)
    people: set[int | None] = set()
    by_field: dict[str, list[tuple[Any, ...]]] = {}
    for name, value, person_id in conflicts.values_list("field", "value", "person_id").iterator():
        column = CONFLICT_COLUMNS.get(name, name)
        if column in PERSON_INSERT_COLUMNS:
            new = int(value) if name in CONFLICT_COLUMNS else value
            values = (new, new) if column in CONFLICT_SETS else (new,)
            by_field.setdefault(column, []).append((*values, at, person_id, at, member_import.pk))
            people.add(person_id)
    with connection.cursor() as cursor:
        for column, params in by_field.items():
            # Only people as the check saw them (or as this import just updated them): like _update_people,
            # someone changed here after the check is left alone, not overwritten with a value nobody saw.
            cursor.executemany(
                f"UPDATE org_person SET {CONFLICT_SETS.get(column, f'{column} = %s')}, updated_at = %s, "  # noqa: S608
                "edited_fields = '' WHERE id = %s "
                "AND (updated_at = %s OR updated_at IN (SELECT s.person_updated_at FROM imports_importrow s "
                "WHERE s.member_import_id = %s AND s.person_id = org_person.id))",
                params,
            )
    already = set(
        ImportRow.objects.filter(member_import=member_import, action=Action.UPDATE).values_list("person_id", flat=True)
    )
    return Person.objects.filter(pk__in=[pk for pk in people - already if pk is not None], updated_at=now).count()


@contextmanager
def search_indexes_rebuilt(rebuild: bool) -> Iterator[None]:
    """For a first load, drop the people's search indexes and build them again afterwards.

    Building an index over a million sorted rows takes seconds; keeping it up to date row by row takes
    several times as long. On PostgreSQL the foreign keys go too and come back checked by one query each,
    instead of a trigger per row and key. All of it happens inside the import's transaction: a failure
    restores them too.
    """
    if not rebuild:
        yield
        return
    # Only for the SQL of the indexes Django would create; entering it (which SQLite refuses inside a
    # transaction) would set deferred_sql, which the index SQL builders expect.
    editor = connection.schema_editor(collect_sql=True, atomic=False)
    editor.deferred_sql = []
    indexes = list(Person._meta.indexes)
    postgresql = connection.vendor == "postgresql"
    foreign_keys = _foreign_keys() if postgresql else []
    table, quote = connection.ops.quote_name(Person._meta.db_table), connection.ops.quote_name
    with connection.cursor() as cursor:
        if postgresql:
            # PostgreSQL alters no table (nor indexes one) with foreign key checks still pending, deferred to
            # the commit: run them now, here and again below.
            connection.check_constraints()
        for index in indexes:
            cursor.execute(str(index.remove_sql(Person, editor)))
        for name, _column, _to_table, _to_column in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        yield
        if postgresql:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # the server's, for sorting the indexes
            connection.check_constraints()
        for index in indexes:
            cursor.execute(str(index.create_sql(Person, editor)))
        for name, column, to_table, to_column in foreign_keys:
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} FOREIGN KEY ({quote(column)}) "
                f"REFERENCES {quote(to_table)} ({quote(to_column)}) DEFERRABLE INITIALLY DEFERRED"
            )


def _foreign_keys() -> list[tuple[str, str, str, str]]:
    """The people table's foreign keys: (name, column, table, column referred to)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Person._meta.db_table)
    return [
        (name, details["columns"][0], *details["foreign_key"])
        for name, details in constraints.items()
        if details["foreign_key"]
    ]
