"""Equality of participation for a unit and period: the equality roles over the unit only; everyone else gets 404.

Every viewing is written to the audit log (special category data, UK GDPR Art. 9), and the export holds only
the suppressed table the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET

from learningdesk.accounts.models import AuditEvent
from learningdesk.accounts.services import audit_record
from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.core.http import AuthenticatedRequest
from learningdesk.org import scoping
from learningdesk.reports import equality
from learningdesk.reports.forms_equality import ReportForm


@dataclass(frozen=True)
class ExportRow:
    characteristic: str
    group: str
    cells: tuple[equality.Cell, ...]
    notes: str


def _export_rows(result: equality.Participation) -> list[ExportRow]:
    """The table as the page shows it, hidden counts in words: the totals first, then each characteristic."""
    rows = [ExportRow("All", "Gave equality information", tuple(result.answered.values()), "")]
    for characteristic in result.characteristics:
        rows += [
            ExportRow(characteristic.label, row.label, row.cells, " ".join(row.notes)) for row in characteristic.rows
        ]
    return rows


def _export_columns() -> list[Column]:
    columns = [Column("Characteristic", lambda row: row.characteristic), Column("Group", lambda row: row.group)]
    for index, (_value, label) in enumerate(equality.Population.choices):
        columns += _population_columns(index, label)
    return [*columns, Column("Notes", lambda row: row.notes)]


def _population_columns(index: int, label: str) -> list[Column]:
    """A population's number (hidden ones in words, as on the page) and share."""

    def number(row: ExportRow) -> int | str:
        cell = row.cells[index]
        return cell.count if cell.count is not None else cell.text

    return [Column(f"{label}: number", number), Column(f"{label}: share (%)", lambda row: row.cells[index].share)]


@require_GET
def equality_page(request: AuthenticatedRequest) -> HttpResponse:
    """Each group's share of the members against its share of learners, reps and survey respondents."""
    if not scoping.get_scope(request.user).equality:
        raise Http404
    form = ReportForm(request.GET or None, units=scoping.equality_units(request.user), today=timezone.localdate())
    if form.unit_is_out_of_scope:
        raise Http404("No such unit.")
    choice = form.choice()
    if choice is None:
        return render(request, "reports/equality/index.html", {"form": form, "result": None})
    unit, period = choice
    if not equality.may_see_equality(request.user, unit):
        raise Http404
    result = equality.participation(unit, starts_on=period.starts_on, ends_on=period.ends_on)
    filters = {"unit": unit.pk, "from": period.starts_on.isoformat(), "to": period.ends_on.isoformat()}
    fmt = export_format(request)
    if fmt:
        return export_response(
            request,
            name="equality participation",
            columns=_export_columns(),
            rows=_export_rows(result),
            fmt=fmt,
            unit=unit,
            filters=filters,
        )
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEWED_EQUALITY,
        target=unit,
        unit_id=unit.pk,
        changes={"report": "equality participation", **filters},
    )
    return render(
        request,
        "reports/equality/index.html",
        {"form": form, "result": result, "unit": unit, "period": period, "crumbs": [("Equality", None)]},
    )


urlpatterns: list[URLPattern] = [
    path("equality/", equality_page, name="equality"),
]
