"""Whatever file is uploaded, the import never fails unexpectedly, accounts for every row and only changes
people when the user confirms; a good file imported twice changes nothing the second time."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from learningdesk.imports import engine, services
from learningdesk.imports.mapping import REQUIRED, mapping_problems
from learningdesk.imports.models import ImportFileChunk, ImportProblem, ImportRow, MemberImport
from learningdesk.imports.reading import FileProblem
from learningdesk.org.models import Employer, Person, Workplace
from tests.imports import apply, check, people_state, start

Status = MemberImport.Status
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
WENT_WRONG = "went wrong on our side"


def numbered_world(world) -> None:
    """Membership numbers the files can name: factory numbers depend on the order the tests run in."""
    Person.objects.filter(pk=world.derby_person.pk).update(membership_number="M1")
    Person.objects.filter(pk=world.notts_person.pk).update(membership_number="N1")


@contextmanager
def rolled_back() -> Iterator[None]:
    """Each example starts from the same world: hypothesis runs them all inside one test's database."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# Files --------------------------------------------------------------------------------------------------------

HEADERS = {
    "membership_number": ["Membership number", "Member No.", "MEMBERSHIP_NO"],
    "first_name": ["First name", "Forename", "FORENAMES"],
    "last_name": ["Surname", "Last Name"],
    "email": ["Email", "E-mail address"],
    "phone": ["Mobile", "Tel. No."],
    "branch": ["Branch", "Branch Code"],
    "employer": ["Employer"],
    "workplace": ["Workplace", "Site"],
    "job_title": ["Job title"],
    "joined_on": ["Date Joined", "Member since"],
    "status": ["Status"],
    "title": ["Title"],
}
PLAUSIBLE = {
    # M1 and N1 are Derby's Maria and Nottingham's Nia (see numbered_world).
    "membership_number": st.sampled_from(["A1", "A2", "a2", "B-7/1", "M1", "n1", "123456", "A 1", "#"]),
    "first_name": st.sampled_from(["Amy", "Siân", "Zoë", "李", "O'Neill"]),
    "last_name": st.sampled_from(["Ash", "Brontë", "Smith-Jones", "Ó Súilleabháin"]),
    "email": st.sampled_from(["amy@example.org", "AMY@Example.ORG", "amy@", "amy at example", "a@b.c"]),
    "phone": st.sampled_from(["07700 900123", "+44 (0)1332 123456", "call me", "0"]),
    "branch": st.sampled_from(["EM-DERBY", "em-notts", "NW-MANC", "EM", "XX"]),
    "employer": st.sampled_from(["Derby City Council", "Derby Buses", "derby buses"]),
    "workplace": st.sampled_from(["Council House", "council house", "Queen's Medical Centre", "Bus Garage"]),
    "job_title": st.sampled_from(["Porter", "Cook, nights", 'Chef "head"']),
    "joined_on": st.sampled_from(["03/04/2020", "2020-04-03", "31/02/2020", "04/13/2020", "01/01/2999", "soon"]),
    "status": st.sampled_from(["Member", "lapsed", "RESIGNED", "Gold", "m"]),
    "title": st.sampled_from(["Ms", "Dr", "Rev'd"]),
}
HOSTILE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            '=HYPERLINK("http://example.com","click")',
            "=1+1",
            "+44",
            "-",
            "@SUM(A1)",
            '"',
            '""',
            'a"b',
            "\r",
            "\n",
            "a\r\nb",
            "\x00",
            "\ufeff",
            "   ",
            "\t",
            "x" * 300,
        ]
    ),
)
HUGE = "y" * 100_001  # far past the longest cell a CSV file may have


@st.composite
def member_tables(draw) -> list[list[str]]:
    """A header naming some fields (the required ones always, sometimes twice, among columns of no use),
    then rows of plausible and hostile cells, blank rows among them, now and then a huge cell."""
    fields = [*REQUIRED, *draw(st.lists(st.sampled_from(sorted(HEADERS)), max_size=6))]
    if draw(st.booleans()):
        fields.append("branch")
    columns = [(name, draw(st.sampled_from(HEADERS[name]))) for name in fields]
    columns += [(None, header) for header in draw(st.lists(st.text(max_size=12), max_size=2))]
    columns = draw(st.permutations(columns))
    rows = [[header for _name, header in columns]]
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 9)) == 0:
            rows.append([""] * draw(st.integers(0, len(columns))))
            continue
        row = [draw(PLAUSIBLE[name] | HOSTILE if name else HOSTILE) for name, _header in columns]
        if draw(st.integers(0, 29)) == 17:  # rare (hypothesis draws the bounds themselves often)
            row[draw(st.integers(0, len(row) - 1))] = HUGE
        rows.append(row[: draw(st.integers(len(row) - 2, len(row) + 1))] + [""] * draw(st.integers(0, 1)))
    return rows


ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-be", "latin-1"]


@st.composite
def csv_files(draw) -> bytes:
    rows = draw(member_tables())
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    text = io.StringIO()
    if draw(st.booleans()):
        quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
        newline = draw(st.sampled_from(["\r\n", "\n"]))
        csv.writer(text, delimiter=delimiter, quoting=quoting, lineterminator=newline).writerows(rows)
    else:  # written by hand, badly: stray quote marks and delimiters inside cells
        text.write("\n".join(delimiter.join(row) for row in rows))
    encoding = draw(st.sampled_from(ENCODINGS))
    content = text.getvalue().encode(encoding, errors="replace")
    if encoding == "utf-16-be":
        content = "\ufeff".encode("utf-16-be") + content
    return content


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])  # openpyxl refuses them
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


xlsx_files = member_tables().map(xlsx_bytes)


any_file = st.one_of(
    csv_files(),
    csv_files(),
    csv_files(),
    xlsx_files,
    st.binary(max_size=2_000),
    st.text(max_size=500).flatmap(
        lambda text: st.sampled_from(ENCODINGS).map(lambda codec: text.encode(codec, errors="replace"))
    ),
    st.binary(max_size=300).map(lambda junk: b"Member No,Forename,Surname\r\nA1,Amy,Ash\r\n" + junk),
    st.binary(max_size=300).map(lambda junk: b"PK\x03\x04" + junk),
)


# Past the first 64 KB, from which the encoding is guessed and NUL refused.
PADDING = (
    "".join(f"A{n},Amy,Ash,{'x' * 9_000}\r\n" for n in range(8))
    .join(["Member No,Forename,Surname,Notes\r\n", ""])
    .encode()
)


FORMULA_ROW_XLSX = xlsx_bytes([["Member No", "Forename", "Surname"], ["A1", "Amy", "Ash"], ["", "=1+1", ""]])


def non_blank_data_rows(member_import: MemberImport, content: bytes) -> int:
    """The rows below the header with anything in them, read here from the file as the import read it."""
    if member_import.file_kind == "xlsx":
        from openpyxl import load_workbook

        # As the import reads it: a formula's last value (none, for one openpyxl wrote from "=..." text).
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        rows = [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    else:
        text = io.StringIO(content.decode(member_import.encoding), newline="")
        rows = list(csv.reader(text, delimiter=member_import.delimiter))
    non_blank = [row for row in rows if any(cell.strip() for cell in row)]
    return max(len(non_blank) - 1, 0)  # less the header


# Any file -----------------------------------------------------------------------------------------------------


@PROPERTY
@given(content=any_file, regional=st.booleans(), shuffled=st.none() | st.randoms(use_true_random=False))
@example(content=b"Member No,Forename,Surname\r\nA1,Zo\xeb,Sm\x81th\r\n", regional=False, shuffled=None)
@example(content=b"%PDF-1.4\n1 0 obj\n", regional=False, shuffled=None)
@example(content=b"Member No,Forename,Surname\r\nA1,Amy,A\x00sh\r\n", regional=False, shuffled=None)
@example(content=PADDING + b"B1,Zo\x00e,Smith,\r\n", regional=False, shuffled=None)  # PostgreSQL refused the NUL
@example(content=PADDING + "B1,Zoë,Smith,\r\n".encode("cp1252"), regional=False, shuffled=None)
@example(content="Member No,Forename,Surname\r\nﬃﬃﬃﬃﬃﬃﬃﬃﬃﬃﬃ,Amy,Ash\r\n".encode(), regional=False, shuffled=None)
@example(content=f"Member No,Forename,Surname\r\nA1,{HUGE},Ash\r\n".encode(), regional=False, shuffled=None)
@example(content=FORMULA_ROW_XLSX, regional=False, shuffled=None)
def test_any_file_is_refused_with_a_reason_or_checked_row_by_row_without_changing_anyone(
    world, content, regional, shuffled
):
    unit = world.region if regional else world.derby
    with rolled_back():
        numbered_world(world)
        before = people_state(), Employer.objects.count(), Workplace.objects.count()
        imports_before = MemberImport.objects.count()
        try:
            member_import = start(unit, content, user=world.coordinator)
        except FileProblem as problem:
            event("refused")
            assert str(problem).strip()
            assert MemberImport.objects.count() == imports_before
            return
        mapping = dict(member_import.mapping)
        if shuffled is not None and mapping:  # the user moved the fields to other columns
            columns = [str(n) for n in range(len(member_import.headers))]
            mapping = dict(
                zip(shuffled.sample(columns, min(len(mapping), len(columns))), mapping.values(), strict=False)
            )
        if problems := mapping_problems(mapping, needs_branch=unit.numchild > 0):
            event(f"columns to match {regional}")
            assert all(problems)  # the screen shows these and does not start the check
            return

        checked = check(member_import, mapping)

        assert checked.status in (Status.CHECKED, Status.FAILED)
        event(f"{checked.status} {checked.file_kind} {checked.error[:30]}")
        if checked.status == Status.FAILED:
            assert checked.error.strip()
            assert WENT_WRONG not in checked.error
            assert not ImportFileChunk.objects.filter(member_import=checked).exists()
        else:
            counted = checked.created + checked.updated + checked.unchanged + checked.rejected
            assert counted == non_blank_data_rows(checked, content)
            rejected = set(
                ImportRow.objects.filter(member_import=checked, action=ImportRow.Action.REJECTED).values_list(
                    "row_number", flat=True
                )
            )
            explained = ImportProblem.objects.filter(member_import=checked, kind=ImportProblem.Kind.ERROR)
            assert rejected <= set(explained.values_list("row_number", flat=True))
            assert all(message.strip() for message in explained.values_list("message", flat=True))
        assert (people_state(), Employer.objects.count(), Workplace.objects.count()) == before


# Good files ---------------------------------------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèëïôûçñÉØåß"
names = st.builds(str.__add__, st.text(alphabet=LETTERS, min_size=1, max_size=1), st.text(LETTERS + "' -", max_size=19))
emails = st.builds(
    "{}@{}.{}".format,
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._+-", min_size=1, max_size=10),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8),
    st.sampled_from(["org", "co.uk", "net"]),
)
dates = st.dates(datetime.date(1950, 1, 1), datetime.date(2024, 12, 31)).flatmap(
    lambda day: st.sampled_from([day.strftime("%d/%m/%Y"), day.isoformat(), f"{day.day}.{day.month}.{day.year}"])
)
GOOD_HEADER = ["Member No", "Title", "Forename", "Surname", "Email", "Mobile", "Workplace", "Employer", "Joined"]


@st.composite
def good_rows(draw) -> list[list[str]]:
    numbers = draw(st.lists(st.from_regex(r"V[A-Z0-9]{1,8}", fullmatch=True), min_size=1, max_size=12, unique=True))
    rows = []
    for number in numbers:
        workplace, employer = draw(
            st.sampled_from(
                [("", ""), ("Council House", ""), ("Bus Garage", "Derby Buses"), ("Library", "Derby City Council")]
            )
        )
        rows.append(
            [
                number,
                draw(st.sampled_from(["", "Ms", "Mr", "Dr"])),
                draw(names),
                draw(names),
                draw(st.just("") | emails),
                draw(st.sampled_from(["", "07700 900123", "+44 1332 123456"])),
                workplace,
                employer,
                draw(st.just("") | dates),
            ]
        )
    return rows


@st.composite
def good_files(draw) -> tuple[bytes, int]:
    rows = draw(good_rows())
    if draw(st.integers(0, 4)) == 0:
        return xlsx_bytes([GOOD_HEADER, *rows]), len(rows)
    text = io.StringIO()
    csv.writer(text, delimiter=draw(st.sampled_from([",", ";", "\t", "|"]))).writerows([GOOD_HEADER, *rows])
    codec = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return text.getvalue().encode(codec), len(rows)


def checked(world, content: bytes) -> MemberImport:
    member_import = check(start(world.derby, content, user=world.coordinator))
    assert member_import.status == Status.CHECKED, member_import.error
    assert member_import.rejected == 0, list(ImportProblem.objects.filter(member_import=member_import))
    return member_import


@PROPERTY
@given(file=good_files())
def test_a_good_file_imported_twice_changes_nothing_the_second_time(world, file):
    content, rows = file
    with rolled_back():
        first = checked(world, content)
        assert first.created == rows
        assert apply(first).status == Status.DONE
        after_first = people_state()

        second = checked(world, content)
        assert (second.created, second.updated, second.unchanged) == (0, 0, rows)
        assert apply(second).status == Status.DONE
        assert people_state() == after_first


@PROPERTY
@given(file=good_files(), step=st.sampled_from(["places", "created", "updated", "left"]), mark_left=st.booleans())
def test_an_import_that_fails_part_way_changes_nobody(world, file, step, mark_left):
    content, _rows = file
    with rolled_back():
        member_import = checked(world, content)
        member_import.mark_left = mark_left
        before = people_state(), Employer.objects.count(), Workplace.objects.count()

        def fail(reached: str) -> None:
            if reached == step:
                raise RuntimeError(step)

        with pytest.raises(RuntimeError):
            engine.apply(member_import, after_step=fail)

        assert (people_state(), Employer.objects.count(), Workplace.objects.count()) == before
        assert services.run_apply(member_import.pk) is not None  # not confirmed: the worker leaves it alone
        assert people_state() == before[0]
