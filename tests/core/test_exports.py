"""core/exports.py: CSV and XLSX files of a table, safe to open in a spreadsheet, named, streamed and audited."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.utils import timezone
from openpyxl import load_workbook

from learningdesk.accounts.models import AuditEvent
from learningdesk.core.exports import Column, export_format, export_response
from learningdesk.org.models import Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

COLUMNS = [
    Column("Name", lambda row: row["name"]),
    Column("Hours", lambda row: row["hours"]),
    Column("Cost (£)", lambda row: row["cost"]),
    Column("On", lambda row: row["on"]),
    Column("At", lambda row: row["at"]),
    Column("Member", lambda row: row["member"]),
    Column("Note", lambda row: row["note"]),
]
DANGEROUS = ['=HYPERLINK("http://evil.example","Click")', "+1", "-2", "@SUM(A1:A2)"]


def rows() -> list[dict[str, object]]:
    at = timezone.make_aware(datetime.datetime(2026, 7, 1, 9, 30))  # 09:30 in London (BST)
    return [
        {"name": name, "hours": -2, "cost": Decimal("-5.50"), "on": datetime.date(2026, 3, 2), "at": at,
         "member": True, "note": None}
        for name in DANGEROUS
    ]  # fmt: skip


def request_for(user, query: str = ""):
    request = RequestFactory().get(f"/people/{query}")
    request.user = user
    return request


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode()), "a byte order mark, so Excel reads UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.worksheets[0]


def test_export_format_is_csv_or_xlsx_or_nothing():
    factory = RequestFactory()
    assert export_format(factory.get("/?format=csv")) == "csv"
    assert export_format(factory.get("/?format=xlsx")) == "xlsx"
    assert export_format(factory.get("/?format=pdf")) is None
    assert export_format(factory.get("/")) is None


def test_a_csv_has_a_bom_the_headers_and_a_row_each(world):
    response = export_response(request_for(world.coordinator), name="people", columns=COLUMNS, rows=rows(), fmt="csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    table = read_csv(response)
    assert table[0] == ["Name", "Hours", "Cost (£)", "On", "At", "Member", "Note"]
    assert len(table) == 1 + len(DANGEROUS)


def test_formulas_are_made_text_and_numbers_stay_numbers_in_a_csv(world):
    table = read_csv(
        export_response(request_for(world.coordinator), name="people", columns=COLUMNS, rows=rows(), fmt="csv")
    )
    assert [row[0] for row in table[1:]] == ["'" + value for value in DANGEROUS]
    assert table[1][1:] == ["-2", "-5.50", "2026-03-02", "2026-07-01 09:30", "Yes", ""]


def test_formulas_are_made_text_and_numbers_stay_numbers_in_an_xlsx(world):
    sheet = read_xlsx(
        export_response(request_for(world.coordinator), name="people", columns=COLUMNS, rows=rows(), fmt="xlsx")
    )
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Name", "Hours", "Cost (£)", "On", "At", "Member", "Note")
    assert [row[0] for row in values[1:]] == ["'" + value for value in DANGEROUS]
    hours, cost, on, at, member, note = values[1][1:]
    assert hours == -2 and cost == -5.5
    assert on == datetime.datetime(2026, 3, 2)  # a date cell (openpyxl reads dates back as datetimes)
    assert at == datetime.datetime(2026, 7, 1, 9, 30)  # local wall-clock time: Excel has no time zones
    assert (member, note) == ("Yes", None)
    for row in sheet.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row), "no cell is a formula"


def test_an_xlsx_has_a_bold_header_and_readable_widths(world):
    sheet = read_xlsx(
        export_response(request_for(world.coordinator), name="people", columns=COLUMNS, rows=rows(), fmt="xlsx")
    )
    assert all(cell.font.bold for cell in sheet[1])
    assert not any(cell.font.bold for cell in sheet[2])
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFG"]
    assert widths[0] >= len(DANGEROUS[0])  # the longest name fits
    assert all(8 <= width <= 60 for width in widths)
    assert sheet.freeze_panes == "A2"


def test_the_file_is_named_after_the_table_and_today(world):
    today = timezone.localdate()
    for fmt in ("csv", "xlsx"):
        response = export_response(
            request_for(world.coordinator), name="reps register", columns=COLUMNS, rows=[], fmt=fmt
        )
        assert response["Content-Disposition"] == f'attachment; filename="reps-register-{today:%Y-%m-%d}.{fmt}"'
        assert response["Cache-Control"] == "no-store"


def test_an_unknown_format_is_not_found(world):
    with pytest.raises(Http404):
        export_response(request_for(world.coordinator), name="people", columns=COLUMNS, rows=[], fmt="pdf")


def test_an_export_is_audited_with_the_rows_and_filters_never_a_search_or_a_value(world):
    request = request_for(world.coordinator, "?q=Alberts&status=member&page=3&format=csv")
    export_response(request, name="people", columns=COLUMNS, rows=rows(), fmt="csv")
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert (event.actor, event.target_type, event.unit) == (world.coordinator, "people", world.derby)
    assert event.changes == {"format": "csv", "rows": 4, "filters": {"q": "(searched)", "status": "member"}}
    assert "Alberts" not in str(event.changes)


def test_an_export_for_one_unit_is_logged_under_it(world):
    export_response(
        request_for(world.regional), name="sign-ups", columns=COLUMNS, rows=[], fmt="xlsx", unit=world.notts
    )
    assert AuditEvent.objects.get().unit == world.notts


def test_a_ulrs_export_is_logged_under_their_branch(world):
    export_response(request_for(world.ulr), name="people", columns=COLUMNS, rows=[], fmt="csv")
    assert AuditEvent.objects.get().unit == world.derby


def test_a_queryset_is_counted_once_and_read_in_chunks(world, django_assert_num_queries):
    PersonFactory.create_batch(30, branch=world.derby)
    people = Person.objects.filter(branch=world.derby).order_by("pk")
    columns = [Column("Last name", lambda person: person.last_name)]
    request = request_for(world.coordinator)
    response = export_response(request, name="people", columns=columns, rows=people, fmt="csv")
    with django_assert_num_queries(1):  # the rows, streamed
        table = read_csv(response)
    assert len(table) == 1 + 32
    assert AuditEvent.objects.get().changes["rows"] == 32


def test_a_generator_of_rows_is_exported_and_counted(world):
    generated = ({"name": f"Row {n}", "hours": n, "cost": 0, "on": None, "at": None, "member": False, "note": ""}
                 for n in range(5))  # fmt: skip
    table = read_csv(
        export_response(request_for(world.coordinator), name="x", columns=COLUMNS, rows=generated, fmt="csv")
    )
    assert [row[0] for row in table[1:]] == [f"Row {n}" for n in range(5)]
    assert AuditEvent.objects.get().changes["rows"] == 5


def test_an_anonymous_request_is_logged_without_an_actor(db):
    export_response(request_for(AnonymousUser()), name="x", columns=COLUMNS, rows=[], fmt="csv")
    assert AuditEvent.objects.get().actor is None


def test_the_links_keep_the_filters_and_drop_the_page():
    request = RequestFactory().get("/people/?q=Patel&status=member&page=4")
    html = Template('{% include "components/export_links.html" with what="the people" %}').render(
        RequestContext(request)
    )
    assert 'href="?q=Patel&amp;status=member&amp;format=csv"' in html
    assert 'href="?q=Patel&amp;status=member&amp;format=xlsx"' in html
    assert 'Download <span class="govuk-visually-hidden">the people </span>as' in html


def test_the_links_can_name_a_second_table():
    request = RequestFactory().get("/org/employers/4/")
    html = Template('{% include "components/export_links.html" with table="contacts" %}').render(
        RequestContext(request)
    )
    assert 'href="?format=csv&amp;table=contacts"' in html
