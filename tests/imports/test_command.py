"""manage.py import_members: the same checks as the screen, counts on stdout, rejected rows on stderr."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from learningdesk.imports.models import ImportFileChunk, ImportRow, MemberImport
from learningdesk.org.models import Person
from tests.imports import HEADER, csv_bytes, people_state

CLEAN = [
    HEADER,
    ["A1", "Amy", "Ash", "amy@example.org", "Council House", "", "03/04/2020"],
    ["A2", "Ben", "Bell", "ben@example.org", "Bus Garage", "Derby Buses", ""],
]
WITH_A_BAD_ROW = [*CLEAN, ["A3", "Cat", "Cole", "cat@", "", "", ""]]


@pytest.fixture
def write_file(tmp_path):
    def write(rows, name: str = "members.csv"):
        path = tmp_path / name
        path.write_bytes(csv_bytes(rows))
        return path

    return write


def run(*args: object) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_members", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: object) -> tuple[str, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_members", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), str(failed.value)


def test_dry_run_prints_the_counts_and_changes_nothing(world, write_file):
    before = people_state()
    out, _err = run(write_file(CLEAN), "--branch", "EM-DERBY", "--dry-run")
    assert "Would create: 2  Changed: 0  Unchanged: 0  Rejected: 0" in out
    assert "New employer: Derby Buses" in out
    assert "New workplace: Bus Garage (Derby Buses, EM-DERBY)" in out
    assert people_state() == before
    assert MemberImport.objects.get().status == MemberImport.Status.CANCELLED
    assert not ImportFileChunk.objects.exists()
    assert not ImportRow.objects.exists()


def test_dry_run_with_rejected_rows_prints_them_and_fails(world, write_file):
    before = people_state()
    out, err, failure = run_failing(write_file(WITH_A_BAD_ROW), "--branch", "EM-DERBY", "--dry-run")
    assert "Rejected: 1" in out
    assert "Row 4, Email (rejected): “cat@” is not an email address" in err
    assert failure == "1 rows rejected: nothing was imported. Fix them, or --skip-rejected."
    assert people_state() == before


def test_rejected_rows_stop_the_whole_import(world, write_file):
    before = people_state()
    run_failing(write_file(WITH_A_BAD_ROW), "--branch", "EM-DERBY")
    assert people_state() == before


def test_skip_rejected_imports_the_good_rows_and_still_fails(world, write_file):
    out, _err, failure = run_failing(write_file(WITH_A_BAD_ROW), "--branch", "EM-DERBY", "--skip-rejected")
    assert "Imported: 2 created, 0 updated, 0 marked as left." in out
    assert failure == "1 rows rejected and left out."
    assert set(
        Person.objects.filter(membership_number__startswith="A").values_list("membership_number", flat=True)
    ) == {
        "A1",
        "A2",
    }


def test_a_clean_file_imports(world, write_file):
    out, err = run(write_file(CLEAN), "--branch", "em-derby")
    assert "Imported: 2 created, 0 updated, 0 marked as left." in out
    assert err == ""
    amy = Person.objects.get(membership_number="A1")
    assert (amy.branch, amy.workplace) == (world.derby, world.town_hall)
    assert MemberImport.objects.get().status == MemberImport.Status.DONE


def test_importing_the_same_file_again_reports_everyone_unchanged(world, write_file):
    path = write_file(CLEAN)
    run(path, "--branch", "EM-DERBY")
    out, _err = run(path, "--branch", "EM-DERBY")
    assert "To create: 0  Changed: 0  Unchanged: 2  Rejected: 0" in out
    assert "Imported: 0 created, 0 updated" in out


def test_mark_left_marks_members_missing_from_the_file(world, write_file):
    out, _err = run(write_file(CLEAN), "--branch", "EM-DERBY", "--mark-left")
    assert "2 marked as left" in out
    assert Person.objects.get(pk=world.derby_person.pk).status == Person.Status.LEFT


def test_a_mapping_file_overrides_the_guess(world, write_file, tmp_path):
    rows = [["Ref", "Forename", "Surname", "Member No"], ["A1", "Amy", "Ash", "OLD-1"]]
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"Ref": "membership_number", "member no": ""}))
    out, _err = run(write_file(rows), "--branch", "EM-DERBY", "--mapping", mapping)
    assert "Member No -> (not imported)" in out
    assert "Ref -> Membership number" in out
    assert Person.objects.filter(membership_number="A1").exists()
    assert not Person.objects.filter(membership_number="OLD-1").exists()


def test_a_mapping_file_with_an_unknown_field_is_refused(world, write_file, tmp_path):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"Ref": "shoe_size"}))
    _out, _err, failure = run_failing(write_file(CLEAN), "--branch", "EM-DERBY", "--mapping", mapping)
    assert failure.startswith("Unknown fields shoe_size: use membership_number, title,")


def test_columns_that_cannot_be_matched_are_named(world, write_file):
    _out, _err, failure = run_failing(write_file([["Ref", "Name"], ["A1", "Amy Ash"]]), "--branch", "EM-DERBY")
    assert "Choose the column that holds the membership number." in failure
    assert not ImportFileChunk.objects.exists()


def test_a_file_for_a_region_needs_a_branch_column(world, write_file):
    _out, _err, failure = run_failing(write_file(CLEAN), "--branch", "EM")
    assert "Choose the column that holds the branch code" in failure


def test_an_unknown_branch_code_is_refused(world, write_file):
    _out, _err, failure = run_failing(write_file(CLEAN), "--branch", "NOPE")
    assert failure == "There is no unit with the code NOPE."


def test_a_file_that_cannot_be_read_is_refused_with_the_reason(world, tmp_path):
    path = tmp_path / "members.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    _out, _err, failure = run_failing(path, "--branch", "EM-DERBY")
    assert "old-style Excel file" in failure


def test_a_missing_file_is_refused(world, tmp_path):
    _out, _err, failure = run_failing(tmp_path / "nowhere.csv")
    assert failure.startswith("No file at ")
