"""Reading member files as membership systems and spreadsheets export them: encodings, delimiters, XLSX."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook

from learningdesk.imports import reading
from learningdesk.imports.models import ImportFileChunk, MemberImport
from learningdesk.imports.reading import FileProblem
from learningdesk.org.models import Person
from tests.imports import apply, check, csv_bytes, start

SHORT_HEADER = ["Member No", "Forename", "Surname", "Job title"]


def imported(world, content: bytes, *, file_name: str = "members.csv") -> dict[str, Person]:
    """Import a Derby file; the people it created, by membership number."""
    checked = check(start(world.derby, content, user=world.coordinator, file_name=file_name))
    assert checked.status == MemberImport.Status.CHECKED, checked.error
    assert checked.rejected == 0
    done = apply(checked)
    assert done.status == MemberImport.Status.DONE, done.error
    return {person.membership_number: person for person in Person.objects.filter(imported_at__isnull=False)}


def test_utf8_names_import_as_written(world):
    people = imported(world, csv_bytes([SHORT_HEADER, ["A1", "Siân", "Ó Súilleabháin", "Chef"]]))
    assert (people["A1"].first_name, people["A1"].last_name) == ("Siân", "Ó Súilleabháin")


def test_utf8_with_byte_order_mark_still_finds_the_first_column(world):
    member_import = start(world.derby, b"\xef\xbb\xbf" + csv_bytes([SHORT_HEADER, ["A1", "Zoë", "Brontë", ""]]))
    assert member_import.headers[0] == "Member No"
    assert member_import.mapping["0"] == "membership_number"
    people = imported(world, b"\xef\xbb\xbf" + csv_bytes([SHORT_HEADER, ["A1", "Zoë", "Brontë", ""]]))
    assert people["A1"].first_name == "Zoë"


def test_windows_1252_file_from_older_excel(world):
    content = csv_bytes(
        [SHORT_HEADER, ["A1", "Siân", "Jones", "Buyer (£5k)"], ["A2", "Zoë", "Smith", ""]], encoding="cp1252"
    )
    member_import = start(world.derby, content)
    assert member_import.encoding == "cp1252"
    people = imported(world, content)
    assert people["A1"].first_name == "Siân"
    assert people["A1"].job_title == "Buyer (£5k)"
    assert people["A2"].first_name == "Zoë"


def test_windows_1252_character_after_the_first_64_kb_is_read_again_as_windows_1252(world):
    # Long notes (not imported) push the first non-ASCII byte past the sample the encoding is guessed from.
    rows = [[*SHORT_HEADER, "Notes"]]
    rows += [[f"A{n}", "Amy", "Ash", "", "x" * 9_000] for n in range(8)]
    rows.append(["B1", "Zoë", "Siân", "£ treasurer", ""])
    content = csv_bytes(rows, encoding="cp1252")
    assert content.index("ë".encode("cp1252")) > reading.HEAD_BYTES
    member_import = start(world.derby, content)
    assert member_import.encoding == "utf-8"  # all the sample shows

    people = imported(world, content)

    assert (people["B1"].first_name, people["B1"].last_name, people["B1"].job_title) == ("Zoë", "Siân", "£ treasurer")
    assert len(people) == 9


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_excel_unicode_text_utf16_tab_delimited(world, codec):
    # Excel's "Unicode text": UTF-16 with a byte order mark (little-endian on Windows), tabs between cells.
    content = ("\ufeff" + "Member No\tForename\tSurname\r\nA1\tSiân\tJones\r\nA2\t李\tWang\r\n").encode(codec)
    member_import = start(world.derby, content)
    assert member_import.delimiter == "\t"
    assert member_import.headers == ["Member No", "Forename", "Surname"]
    people = imported(world, content)
    assert people["A1"].first_name == "Siân"
    assert people["A2"].first_name == "李"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_found_from_the_header_row(world, delimiter):
    content = csv_bytes([SHORT_HEADER, ["A1", "Amy", "Ash", "Cook, nights"]], delimiter=delimiter)
    assert start(world.derby, content).delimiter == delimiter
    people = imported(world, content)
    assert people["A1"].job_title == "Cook, nights"


def test_quoted_fields_keep_their_commas_quotes_and_line_breaks(world):
    header = [*SHORT_HEADER, "Notes"]
    content = csv_bytes(
        [
            header,
            ["A1", "Amy", "O'Neill, Jr", 'Porter "nights"', "first line\nsecond line, with a comma"],
            ["A2", "Ben", "Bell", "Cook", ""],
        ]
    )
    people = imported(world, content)
    assert people["A1"].last_name == "O'Neill, Jr"
    assert people["A1"].job_title == 'Porter "nights"'
    assert people["A2"].last_name == "Bell"


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_line_endings_leave_nothing_behind_in_the_last_column(world, newline):
    content = newline.join(["Member No,Forename,Surname", "A1,Amy,Ash", "A2,Ben,Bell", ""]).encode()
    people = imported(world, content)
    assert [people[n].last_name for n in ("A1", "A2")] == ["Ash", "Bell"]


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_date_and_number_cells(world):
    content = xlsx_bytes(
        [
            ["Membership Number", "Forename", "Surname", "Date Joined"],
            [123456, "Siân", "Jones", datetime.date(2020, 4, 3)],
            [123457.0, "Zoë", "Smith", datetime.datetime(2019, 12, 31, 0, 0)],
        ]
    )
    member_import = start(world.derby, content, file_name="members.xlsx")
    assert member_import.file_kind == "xlsx"

    people = imported(world, content, file_name="members.xlsx")

    assert people["123456"].first_name == "Siân"
    assert people["123456"].joined_on == datetime.date(2020, 4, 3)
    assert people["123457"].joined_on == datetime.date(2019, 12, 31)


def test_xlsx_with_an_empty_first_sheet_says_the_file_has_no_rows(world):
    with pytest.raises(FileProblem, match="no rows"):
        start(world.derby, xlsx_bytes([]), file_name="members.xlsx")


def assert_refused(world, content: bytes, message: str) -> None:
    """The upload is refused with a message that says what to do, and nothing of it is kept."""
    with pytest.raises(FileProblem, match=message) as refused:
        start(world.derby, content)
    assert "Export" in str(refused.value) or "Save" in str(refused.value) or "save" in str(refused.value)
    assert not MemberImport.objects.exists()
    assert not ImportFileChunk.objects.exists()


def test_old_excel_xls_file_is_refused_with_how_to_save_it(world):
    assert_refused(world, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), r"old-style Excel file \(.xls\)")


@pytest.mark.parametrize("content", [b"", b"   \r\n\r\n  ", b"\xef\xbb\xbf"])
def test_empty_file_is_refused(world, content):
    assert_refused(world, content, "empty|no rows")


def test_binary_junk_is_refused(world):
    junk = bytes((n * 7919) % 256 for n in range(5_000))
    assert_refused(world, junk, "not a CSV or Excel file")


def test_png_image_is_refused(world):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
    assert_refused(world, png, "not a CSV or Excel file")


def test_pdf_is_refused(world):
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    assert_refused(world, pdf, "PDF")


def test_zip_that_is_not_a_workbook_is_refused(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert_refused(world, buffer.getvalue(), "could not be opened as an Excel workbook")


def test_unclosed_quote_mark_fails_the_check_naming_the_row(world):
    content = b'Member No,Forename,Surname\r\nA1,"Amy,Ash\r\n' + b"A2,Ben,Bell\r\n" * 2_000
    checked = check(start(world.derby, content))
    assert checked.status == MemberImport.Status.FAILED
    assert "quote mark" in checked.error
    assert "Row 2" in checked.error


def test_bytes_that_are_not_text_in_any_encoding_we_read_are_refused(world):
    # 0x81 is undefined in Windows-1252 too: this once read the file again and again without end.
    assert_refused(world, b"Member No,Forename,Surname\r\nA1,Zo\xeb,Sm\x81th\r\n", "could not be read")


def test_bytes_that_are_not_text_further_on_fail_the_check_with_a_message(world):
    rows = [["Member No", "Forename", "Surname", "Notes"]] + [[f"A{n}", "Amy", "Ash", "x" * 9_000] for n in range(8)]
    content = csv_bytes(rows) + b"B1,Zo\xeb,Sm\x81th,\r\n"
    checked = check(start(world.derby, content))
    assert checked.status == MemberImport.Status.FAILED
    assert "could not be read" in checked.error
    assert not ImportFileChunk.objects.exists()


def test_nul_characters_further_on_fail_the_check_with_a_message(world):
    # Refused near the start as "not a CSV file"; further on PostgreSQL could not store them.
    rows = [["Member No", "Forename", "Surname", "Notes"]] + [[f"A{n}", "Amy", "Ash", "x" * 9_000] for n in range(8)]
    checked = check(start(world.derby, csv_bytes(rows) + b"B1,Zo\x00e,Smith,\r\n"))
    assert checked.status == MemberImport.Status.FAILED
    assert "Row 10 holds characters that are not text" in checked.error


def test_blank_lines_before_the_header_do_not_hide_the_delimiter(world):
    content = b"\r\n\r\nMember No;Forename;Surname\r\nA1;Amy;Ash\r\n"
    assert start(world.derby, content).delimiter == ";"
    assert imported(world, content)["A1"].last_name == "Ash"
