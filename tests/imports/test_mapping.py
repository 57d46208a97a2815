"""Matching a file's columns to fields: guessed from common header names, remembered per user."""

from __future__ import annotations

import pytest

from learningdesk.imports.mapping import guess_mapping, mapping_problems, remember
from learningdesk.imports.models import SavedMapping
from tests.imports import csv_bytes, start


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Member No.", "membership_number"),
        ("MEMBERSHIP NUMBER", "membership_number"),
        ("membership_no", "membership_number"),
        ("Member-ID", "membership_number"),
        ("Forename", "first_name"),
        ("  First Name ", "first_name"),
        ("Surname", "last_name"),
        ("LAST_NAME", "last_name"),
        ("E-mail", "email"),
        ("Email Address", "email"),
        ("Mobile", "phone"),
        ("Tel. No.", "phone"),
        ("Date Joined", "joined_on"),
        ("Member since", "joined_on"),
        ("Branch Code", "branch"),
        ("Employer Name", "employer"),
        ("Place of work", "workplace"),
        ("Job Title", "job_title"),
        ("Membership Status", "status"),
        ("Title", "title"),
    ],
)
def test_common_header_names_are_guessed_in_any_case_spacing_or_punctuation(header, field):
    assert guess_mapping(["Notes", header]) == {"1": field}


def test_unknown_headers_are_left_unmatched():
    assert guess_mapping(["Shoe size", "", "Favourite colour"]) == {}


def test_a_duplicated_header_matches_only_its_first_column():
    assert guess_mapping(["Email", "Surname", "E-mail", "Email"]) == {"0": "email", "1": "last_name"}


def test_remembered_choice_wins_over_the_common_name():
    remembered = {"email": "", "ref": "membership_number"}
    assert guess_mapping(["Ref", "Email", "Surname"], remembered) == {"0": "membership_number", "2": "last_name"}


def test_remembering_keeps_other_headers_and_notes_columns_not_imported():
    remembered = remember({"payroll": "membership_number"}, ["Ref", "Notes"], {"0": "membership_number"})
    assert remembered == {"payroll": "membership_number", "ref": "membership_number", "notes": ""}


def test_upload_offers_the_users_remembered_columns(world):
    SavedMapping.objects.create(user=world.coordinator, mapping={"payrollref": "membership_number", "email": ""})
    content = csv_bytes([["Payroll Ref", "Forename", "Surname", "Email"], ["A1", "Amy", "Ash", "amy@example.org"]])
    member_import = start(world.derby, content, user=world.coordinator)
    assert member_import.mapping == {"0": "membership_number", "1": "first_name", "2": "last_name"}
    # Someone else gets the common names.
    other = start(world.derby, content, user=world.officer)
    assert other.mapping == {"1": "first_name", "2": "last_name", "3": "email"}


def test_a_complete_mapping_has_no_problems():
    mapping = {"0": "membership_number", "1": "first_name", "2": "last_name"}
    assert mapping_problems(mapping, needs_branch=False) == []


def test_missing_required_columns_are_each_named():
    assert mapping_problems({"0": "email"}, needs_branch=False) == [
        "Choose the column that holds the membership number.",
        "Choose the column that holds the first name.",
        "Choose the column that holds the last name.",
    ]


def test_a_field_chosen_for_two_columns_is_a_problem():
    mapping = {"0": "membership_number", "1": "first_name", "2": "last_name", "3": "email", "4": "email"}
    assert mapping_problems(mapping, needs_branch=False) == ["Choose one column for email: 2 have it."]


def test_an_import_for_more_than_one_branch_needs_a_branch_column():
    mapping = {"0": "membership_number", "1": "first_name", "2": "last_name"}
    assert mapping_problems(mapping, needs_branch=True) == [
        "Choose the column that holds the branch code: this import is for more than one branch."
    ]
    assert mapping_problems({**mapping, "3": "branch"}, needs_branch=True) == []
