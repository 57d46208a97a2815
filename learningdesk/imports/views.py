"""Screens of the member import: upload, match columns, check (dry run), confirm, watch it run, the result."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import PurePath

from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRefresh

from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.http import AuthenticatedRequest
from learningdesk.core.pagination import paginate
from learningdesk.core.spreadsheets import safe_cell
from learningdesk.imports import reading, services
from learningdesk.imports.forms import ColumnsForm, ConfirmForm, UploadForm
from learningdesk.imports.models import ImportProblem, MemberImport
from learningdesk.org import scoping

Status = MemberImport.Status
PROBLEMS_PER_PAGE = 50
# Which problems the check page lists: ?problems=conflicts shows the fields changed here instead.
PROBLEM_LISTS = {"rejected": ImportProblem.Kind.ERROR, "conflicts": ImportProblem.Kind.CONFLICT}


def _crumbs() -> list[tuple[str, str | None]]:
    return [("People", reverse("org:person_list")), ("Member imports", reverse("imports:list"))]


def _may_import(request: AuthenticatedRequest) -> None:
    """Only co-ordinators (editors of some unit) import members; anyone else finds no such page."""
    if not scoping.may_import_members(request.user):
        raise Http404


# The list as a file (core/exports.py): what each import did, never the members in it.
IMPORT_COLUMNS = [
    Column("File", lambda mi: mi.file_name),
    Column("Members of", lambda mi: mi.unit.name),
    Column("Uploaded", lambda mi: mi.created_at),
    Column("By", lambda mi: str(mi.created_by) if mi.created_by else "An administrator (command line)"),
    Column("Status", lambda mi: mi.get_status_display()),
    Column("Imported", lambda mi: mi.imported_at),
    Column("Rows", lambda mi: mi.rows_total),
    Column("Added", lambda mi: mi.created),
    Column("Updated", lambda mi: mi.updated),
    Column("Unchanged", lambda mi: mi.unchanged),
    Column("Rejected", lambda mi: mi.rejected),
    Column("Marked as left", lambda mi: mi.marked_left),
]


def import_list(request: AuthenticatedRequest) -> HttpResponse:
    _may_import(request)
    imports = scoping.visible_member_imports(request.user).order_by("-created_at", "-id")
    fmt = export_format(request)
    if fmt:
        return export_response(request, name="member imports", columns=IMPORT_COLUMNS, rows=imports, fmt=fmt)
    return render(
        request, "imports/import_list.html", {"page_obj": paginate(request, imports), "crumbs": _crumbs()[:1]}
    )


@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedRequest) -> HttpResponse:
    _may_import(request)
    # Bound on any POST: one without a file is a form with an error, not a blank form.
    data = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = UploadForm(*data, user=request.user)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            member_import = services.import_start(
                acting_user=request.user,
                unit=form.cleaned_data["unit"],
                file_name=PurePath(uploaded.name or "members.csv").name,
                content=uploaded,
            )
        except reading.FileProblem as problem:
            form.add_error("file", str(problem))
        else:
            return redirect("imports:columns", pk=member_import.pk)
    return render(request, "imports/upload.html", {"form": form, "crumbs": _crumbs()})


@require_http_methods(["GET", "POST"])
def columns(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Match the file's columns to fields; the choices start from the guess (and the user's last choices)."""
    member_import = scoping.get_member_import_for_user(request.user, pk)
    if member_import.status not in (Status.UPLOADED, Status.CHECKED):
        return redirect("imports:detail", pk=member_import.pk)
    form = ColumnsForm(request.POST if request.method == "POST" else None, member_import=member_import)
    if request.method == "POST" and form.is_valid():
        services.import_check_start(acting_user=request.user, member_import=member_import, mapping=form.mapping())
        return redirect("imports:detail", pk=member_import.pk)
    return render(
        request,
        "imports/columns.html",
        {
            "form": form,
            "columns": form.columns(services.preview_rows(member_import)),
            "member_import": member_import,
            "crumbs": _crumbs(),
        },
    )


@vary_on_headers("HX-Request")  # the same URL answers the whole page or, while it runs, only its progress
@require_GET
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The import as it stands: running (with progress), checked (the dry run), or finished."""
    member_import = scoping.get_member_import_for_user(request.user, pk)
    if request.htmx:
        if member_import.is_running:
            return render(request, "imports/detail.html#progress", {"member_import": member_import})
        return HttpResponseClientRefresh()  # finished: the whole page changes
    if member_import.status == Status.UPLOADED:
        return redirect("imports:columns", pk=member_import.pk)
    form = ConfirmForm(member_import=member_import) if member_import.status == Status.CHECKED else None
    return _detail_page(request, member_import, form)


def _detail_page(request: AuthenticatedRequest, member_import: MemberImport, form: ConfirmForm | None) -> HttpResponse:
    context: dict[str, object] = {"member_import": member_import, "form": form, "crumbs": _crumbs()}
    if member_import.status in (Status.CHECKED, Status.DONE):
        context.update(_problems(request, member_import))
    return render(request, "imports/detail.html", context)


def _problems(request: AuthenticatedRequest, member_import: MemberImport) -> dict[str, object]:
    """One page of the rejected rows, or of the fields changed here (?problems=conflicts)."""
    shown = request.GET.get("problems", "")
    if shown not in PROBLEM_LISTS:
        shown = "rejected" if member_import.rejected or not member_import.conflicting else "conflicts"
    problems = ImportProblem.objects.filter(member_import=member_import, kind=PROBLEM_LISTS[shown]).order_by(
        "row_number", "id"
    )
    return {
        "problems_shown": shown,
        "problems_page": paginate(request, problems, PROBLEMS_PER_PAGE),
        "has_problems": bool(member_import.rejected or member_import.conflicting),
    }


@require_POST
def confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member_import = scoping.get_member_import_for_user(request.user, pk)
    if member_import.status != Status.CHECKED:
        messages.info(request, "This import has moved on since that page was shown: here is where it is now.")
        return redirect("imports:detail", pk=member_import.pk)
    form = ConfirmForm(request.POST, member_import=member_import)
    if not form.is_valid():
        return _detail_page(request, member_import, form)
    services.import_confirm(member_import=member_import, acting_user=request.user, **form.choices())
    return redirect("imports:detail", pk=member_import.pk)


@require_POST
def cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Stop an import before it changes anything (a running check stops within a few seconds)."""
    member_import = scoping.get_member_import_for_user(request.user, pk)
    if member_import.status == Status.CHECKING:
        messages.info(request, "Stopping the check. Nothing will be changed.")
    services.import_cancel(member_import=member_import)
    return redirect("imports:detail", pk=member_import.pk)


@require_GET
def error_report(request: AuthenticatedRequest, pk: int) -> StreamingHttpResponse:
    """Every problem the check found, as CSV, to fix the file in a spreadsheet."""
    member_import = scoping.get_member_import_for_user(request.user, pk)
    stem = PurePath(member_import.file_name).stem or "members"
    response = StreamingHttpResponse(_report_lines(member_import), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_safe_filename(stem)}-problems.csv"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _report_lines(member_import: MemberImport) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The byte order mark makes Excel read the file as UTF-8 (names with accents) rather than Windows-1252.
    yield "\ufeff" + writer.writerow(["Row", "Column", "Problem", "Kind", "Value in the file"])
    problems = ImportProblem.objects.filter(member_import=member_import).order_by("row_number", "kind", "id")
    for problem in problems.iterator(chunk_size=2000):
        # A branch or workplace is kept as an id, to be applied; the message names it as the file does.
        value = "" if problem.field in ("branch", "workplace") else problem.value
        cells = [problem.row_number, problem.column, problem.message, problem.get_kind_display(), value]
        yield writer.writerow([safe_cell(cell) for cell in cells])


def _safe_filename(stem: str) -> str:
    return "".join(c if c.isalnum() or c in "-_. " else "_" for c in stem)[:100] or "members"
