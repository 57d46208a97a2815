"""Every table a user can see, as a CSV or XLSX file: the whole filtered list, within their scope, logged.

A list view passes its (already scoped, already filtered) queryset and a list of `Column`s to `export_response`.
The file is written a chunk of rows at a time, so a national list of a million people never sits in memory:
CSV streams straight to the browser, XLSX goes through openpyxl's write-only workbook and a temporary file.
Every cell goes through `safe_cell`, so a name typed as "=HYPERLINK(...)" opens as text, not as a formula.
Each export writes one audit event (who, which table, how many rows, which filters), never a cell's value.
"""

from __future__ import annotations

import csv
import datetime
import itertools
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.core.spreadsheets import safe_cell
from learningdesk.org.models import OrgUnit

FORMATS = ("csv", "xlsx")
CHUNK = 1000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Query parameters that say how the list is shown, not what is in it.
NOT_FILTERS = {"format", "page"}
# Free-text searches can hold a person's name: the log records that a search was made, never what was typed.
TEXT_FILTERS = {"q", "query", "search", "name", "email", "text"}
# Column widths in the XLSX, in characters: wide enough to read, never wider than a screen.
MIN_WIDTH, MAX_WIDTH = 8, 60
# Rows read before the workbook is written, to size its columns (write-only sheets fix widths up front).
WIDTH_SAMPLE = 200


@dataclass(frozen=True)
class Column:
    """One column of an export: its heading and how to read its value from a row."""

    header: str
    value: Callable[[Any], object]


def export_format(request: HttpRequest) -> str | None:
    """The file asked for with `?format=csv|xlsx`, or None for the page itself."""
    wanted = request.GET.get("format", "")
    return wanted if wanted in FORMATS else None


def export_response(
    request: HttpRequest,
    *,
    name: str,
    columns: Sequence[Column],
    rows: Iterable[Any],
    fmt: str,
    unit: OrgUnit | None = None,
    filters: Mapping[str, object] | None = None,
) -> HttpResponse:
    """The rows as a CSV or XLSX download named after the table and today's date, with an audit event.

    `name` is the table's name in the users' words ("people", "reps register"); `rows` a scoped queryset (counted,
    then read in chunks) or, for small tables, any iterable (read into a list to be counted). `unit` is the unit
    the export is about, when it is one unit's; otherwise the top of the user's scope, so the event shows in
    their audit log. `filters` defaults to the page's query string, free-text searches recorded only as made.
    """
    if fmt not in FORMATS:
        raise Http404("Choose CSV or XLSX.")
    user: User = request.user  # type: ignore[assignment]
    count, listed = _counted(rows)
    AuditEvent.objects.create(
        actor=user if user.is_authenticated else None,
        action=AuditEvent.Action.EXPORTED,
        target_type=name[:40],
        unit=unit or _audit_unit(user),
        changes={"format": fmt, "rows": count, "filters": dict(filters) if filters is not None else _filters(request)},
    )
    filename = f"{slugify(name)}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response: HttpResponseBase
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(columns, listed), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = FileResponse(
            xlsx_file(columns, listed, title=name), as_attachment=True, filename=filename, content_type=XLSX_TYPE
        )
    response["Cache-Control"] = "no-store"  # membership data: never kept by a shared cache
    # Typed as HttpResponse (the interface the list views return) though it streams: Django serves either.
    return cast(HttpResponse, response)


def _counted(rows: Iterable[Any]) -> tuple[int, Iterable[Any]]:
    """How many rows there are (one COUNT for a queryset) and the rows, a queryset read a chunk at a time."""
    if isinstance(rows, QuerySet):
        return rows.count(), rows.iterator(chunk_size=CHUNK)
    listed = rows if isinstance(rows, Sequence) else list(rows)
    return len(listed), listed


def _audit_unit(user: User) -> OrgUnit | None:
    """The top unit of the user's scope (a ULR's: their branch), whose audit log shows the export."""
    from learningdesk.org import scoping  # scoping imports every app's models; loaded when first needed

    return scoping.scope_roots(user).order_by("path").first() or scoping.visible_units(user).order_by("path").first()


def _filters(request: HttpRequest) -> dict[str, object]:
    """The list's filters from the query string, without page or format, and without what was typed in a search."""
    found: dict[str, object] = {}
    for key, values in request.GET.lists():
        if key in NOT_FILTERS or not any(values):
            continue
        if key in TEXT_FILTERS:
            found[key] = "(searched)"
        else:
            found[key] = values[0] if len(values) == 1 else values
    return found


def _plain(value: object, *, for_csv: bool) -> object:
    """A value a spreadsheet understands: numbers and dates stay themselves, times in the local zone."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        # Excel has no time zones: openpyxl refuses aware times, so the local wall-clock time is written.
        return f"{local:%Y-%m-%d %H:%M}" if for_csv else local.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return value.isoformat() if for_csv else value
    if isinstance(value, int | float | Decimal | str):
        return value
    return str(value)


def cells(columns: Sequence[Column], row: Any, *, for_csv: bool) -> list[object]:
    """One row's cells, each safe to open in a spreadsheet."""
    return [safe_cell(_plain(column.value(row), for_csv=for_csv)) for column in columns]


class _Echo:
    """csv.writer writes to this and gets each line back, to stream it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns: Sequence[Column], rows: Iterable[Any]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The byte order mark makes Excel read the file as UTF-8 (names with accents) rather than Windows-1252.
    yield "\ufeff" + writer.writerow([safe_cell(column.header) for column in columns])
    for row in rows:
        yield writer.writerow(cells(columns, row, for_csv=True))


def xlsx_file(columns: Sequence[Column], rows: Iterable[Any], *, title: str) -> Any:
    """The workbook in a temporary file: write-only mode keeps only the current row in memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))
    rows = iter(rows)
    first = [cells(columns, row, for_csv=False) for row in itertools.islice(rows, WIDTH_SAMPLE)]
    for index, width in enumerate(_widths(columns, first), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=safe_cell(column.header))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for values in first:
        sheet.append(values)
    for row in rows:
        sheet.append(cells(columns, row, for_csv=False))
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    workbook.save(spool)
    spool.seek(0)
    return spool


def _sheet_title(title: str) -> str:
    """Excel's sheet names: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip()
    return (cleaned[:1].upper() + cleaned[1:])[:31] or "Export"


def _widths(columns: Sequence[Column], sample: list[list[object]]) -> list[int]:
    widths = []
    for index, column in enumerate(columns):
        longest = max([len(column.header), *(len(_shown(row[index])) for row in sample)])
        widths.append(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))
    return widths


def _shown(value: object) -> str:
    if isinstance(value, datetime.datetime):
        return "2000-01-01 00:00"
    return str(value)
