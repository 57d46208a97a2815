"""Workplace mapping: workplaces with members, reps and gaps; CSV and XLSX export."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.core.http import AuthenticatedRequest
from learningdesk.core.spreadsheets import safe_cell
from learningdesk.org import scoping
from learningdesk.reps import mapping as selectors
from learningdesk.reps.forms.mapping import SHOW_ALL, SHOW_GAPS, MappingFilterForm

EXPORT_CHUNK = 500
EXPORT_HEADERS = (
    "Workplace",
    "Employer",
    "Branch",
    "Town",
    "Postcode",
    "Members",
    "Reps (trained or active)",
    "Members per rep",
    "Has a rep",
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The table's sortable columns, and the order a first click sorts in: most members (per rep) first, fewest
# reps first, names A to Z.
SORT_COLUMNS = {"name": "", "members": "-", "reps": "", "per_rep": "-"}


def _sort_links(current: str, query: QueryDict) -> dict[str, dict[str, str]]:
    """For each sortable column: the link that sorts by it (or turns its order round) and its aria-sort."""
    links = {}
    for column, first in SORT_COLUMNS.items():
        if current.removeprefix("-") == column:
            state = "descending" if current.startswith("-") else "ascending"
            next_sort = column if current.startswith("-") else f"-{column}"
        else:
            state, next_sort = "none", f"{first}{column}"
        links[column] = {"href": _with(query, sort=next_sort), "state": state}
    return links


def _with(query: QueryDict, **params: str) -> str:
    """The page's query string with `params` changed and the page number dropped (a new list starts at 1)."""
    changed = query.copy()
    changed.pop("page", None)
    for name, value in params.items():
        changed[name] = value
    return f"?{changed.urlencode()}"


@require_GET
def mapping(request: AuthenticatedRequest) -> HttpResponse:
    """Every workplace with members in the user's scope, with its reps; by default the gaps, largest first."""
    form = MappingFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    figures = selectors.workplace_figures(user=request.user, filters=filters)
    listed = selectors.mapping_order(figures.rows, filters=filters)
    # The page is cut from the figures; only its workplaces are read in full.
    page: Page[Any] = Paginator(listed, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.mapping_rows(user=request.user, figures=list(page.object_list))
    export_query = request.GET.copy()
    export_query.pop("page", None)
    return render(
        request,
        "reps/mapping/mapping.html",
        {
            "form": form,
            "filters": filters,
            "summary": selectors.mapping_summary(figures.rows),
            "members_as_of": figures.members_as_of,
            "page_obj": page,
            "sort_links": _sort_links(filters.sort, request.GET),
            "tabs": {"gaps": _with(request.GET, show=SHOW_GAPS), "all": _with(request.GET, show=SHOW_ALL)},
            "export_query": export_query.urlencode(),
            "sort_label": selectors.SORTS.get(filters.sort, ""),
            # A branch co-ordinator's workplaces are all their branch's: the column would say it on every row.
            "show_branch": scoping.visible_units(request.user).count() > 1,
            "crumbs": [("Reps", reverse("reps:register")), ("Workplace mapping", None)],
        },
    )


@require_GET
def mapping_export(request: AuthenticatedRequest) -> HttpResponse | StreamingHttpResponse:
    """The mapping as listed (every page) as CSV or XLSX, cells safe to open in a spreadsheet."""
    file_format = request.GET.get("format", "")
    if file_format not in ("csv", "xlsx"):
        raise Http404("Choose CSV or XLSX.")
    form = MappingFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        raise Http404("No such filter.")
    filters = form.filters()
    figures = selectors.workplace_figures(user=request.user, filters=filters)
    listed = selectors.mapping_order(figures.rows, filters=filters)
    _audit_export(request.user, filters, file_format, rows=len(listed))
    name = f"workplace-mapping-{timezone.localdate():%Y-%m-%d}"
    response: HttpResponse | StreamingHttpResponse
    if file_format == "csv":
        response = StreamingHttpResponse(_csv_lines(request.user, listed), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    response = HttpResponse(_xlsx_bytes(request.user, listed), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _audit_export(user: User, filters: selectors.MappingFilter, file_format: str, *, rows: int) -> None:
    """An export of figures about members is logged like any other: who, when, what, under which unit."""
    unit = filters.unit or scoping.scope_roots(user).order_by("path").first() or scoping.visible_units(user).first()
    AuditEvent.objects.create(
        actor=user,
        action=AuditEvent.Action.EXPORTED,
        target_type="workplace mapping",
        unit=unit,
        changes={
            "format": file_format,
            "rows": rows,
            "employer": filters.employer.pk if filters.employer else None,
            "unit": filters.unit.pk if filters.unit else None,
            "show": "all" if filters.show_all else "gaps",
        },
    )


def _cells(row: selectors.MappingRow) -> list[object]:
    workplace, figures = row.workplace, row.figures
    per_rep = figures.members_per_rep
    cells: list[object] = [
        workplace.name,
        workplace.employer.name,
        workplace.branch.name,
        workplace.town,
        workplace.postcode,
        figures.members,
        figures.reps,
        round(per_rep, 1) if per_rep is not None else "",
        "Yes" if figures.has_rep else "No",
    ]
    return [safe_cell(cell) for cell in cells]


def _rows(user: User, listed: Sequence[selectors.WorkplaceFigures]) -> Iterator[list[object]]:
    """The rows in order, reading the workplaces a chunk at a time."""
    for chunk in itertools.batched(listed, EXPORT_CHUNK):
        for row in selectors.mapping_rows(user=user, figures=chunk, with_reps=False):
            yield _cells(row)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(user: User, listed: Sequence[selectors.WorkplaceFigures]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The byte order mark makes Excel read the file as UTF-8 (names with accents) rather than Windows-1252.
    yield "\ufeff" + writer.writerow(EXPORT_HEADERS)
    for cells in _rows(user, listed):
        yield writer.writerow(cells)


def _xlsx_bytes(user: User, listed: Sequence[selectors.WorkplaceFigures]) -> bytes:
    # Write-only mode streams rows to its temporary file instead of keeping every cell in memory.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Workplace mapping")
    sheet.append(list(EXPORT_HEADERS))
    for cells in _rows(user, listed):
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


urlpatterns: list[URLPattern] = [
    path("mapping/", mapping, name="mapping"),
    path("mapping/export/", mapping_export, name="mapping_export"),
]
