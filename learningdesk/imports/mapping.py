"""Which column of a member file holds which field: guessed from the header, confirmed by the user."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ImportField:
    name: str
    label: str
    aliases: tuple[str, ...]
    required: bool = False


# Header names are compared without case, spaces or punctuation: "Member No." == "member_no" == "MEMBERNO".
FIELDS = (
    ImportField(
        "membership_number",
        "Membership number",
        (
            "membershipnumber", "membershipno", "membershipnum", "memberno", "membernumber", "membernum",
            "membershipid", "memberid", "membno", "membershipref", "memberref", "membershipreference", "number",
        ),
        required=True,
    ),
    ImportField("title", "Title", ("title", "salutation", "honorific")),
    ImportField(
        "first_name",
        "First name",
        ("firstname", "forename", "forenames", "givenname", "givennames", "christianname", "first", "preferredname"),
        required=True,
    ),
    ImportField("last_name", "Last name", ("lastname", "surname", "familyname", "last"), required=True),
    ImportField(
        "email",
        "Email",
        ("email", "emailaddress", "email1", "personalemail", "homeemail", "emailaddr", "mail"),
    ),
    ImportField(
        "phone",
        "Phone",
        (
            "mobile", "mobilephone", "mobileno", "mobilenumber", "mobiletel", "phone", "phonenumber", "phoneno",
            "telephone", "telephonenumber", "tel", "telno", "homephone", "cellphone",
        ),
    ),
    ImportField("branch", "Branch code", ("branch", "branchcode", "branchid", "branchno", "branchref", "unitcode")),
    ImportField("employer", "Employer", ("employer", "employername", "company", "organisation", "organization")),
    ImportField(
        "workplace",
        "Workplace",
        ("workplace", "workplacename", "site", "worksite", "sitename", "location", "placeofwork", "workbase", "base"),
    ),
    ImportField("job_title", "Job title", ("jobtitle", "job", "occupation", "jobrole", "position", "role", "post")),
    ImportField(
        "joined_on",
        "Date joined",
        (
            "datejoined", "joined", "joindate", "joiningdate", "dateofjoining", "joinedon", "joineddate",
            "membersince", "memberfrom", "startdate",
        ),
    ),
    ImportField("status", "Status", ("status", "membershipstatus", "memberstatus")),
)  # fmt: skip
FIELDS_BY_NAME = {field.name: field for field in FIELDS}
REQUIRED = tuple(field.name for field in FIELDS if field.required)
_ALIASES = {alias: field.name for field in FIELDS for alias in field.aliases}


def header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def guess_mapping(headers: Sequence[str], remembered: dict[str, str] | None = None) -> dict[str, str]:
    """Column number (as a string) -> field name, for the columns we can place.

    What the user chose last time for a header comes first, then the common names. A field is given to
    one column only: of two columns both called "Email", the first is used.
    """
    remembered = remembered or {}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for number, header in enumerate(headers):
        key = header_key(header)
        field = remembered[key] if key in remembered else _ALIASES.get(key, "")
        if field and field in FIELDS_BY_NAME and field not in taken:
            mapping[str(number)] = field
            taken.add(field)
    return mapping


def mapping_problems(mapping: dict[str, str], *, needs_branch: bool) -> list[str]:
    """What is wrong with a mapping, in words; empty when it can be used."""
    problems = []
    chosen = list(mapping.values())
    for name in dict.fromkeys(chosen):
        if chosen.count(name) > 1:
            problems.append(
                f"Choose one column for {FIELDS_BY_NAME[name].label.lower()}: {chosen.count(name)} have it."
            )
    for name in REQUIRED:
        if name not in chosen:
            problems.append(f"Choose the column that holds the {FIELDS_BY_NAME[name].label.lower()}.")
    if needs_branch and "branch" not in chosen:
        problems.append("Choose the column that holds the branch code: this import is for more than one branch.")
    return problems


def remember(remembered: dict[str, str], headers: Sequence[str], mapping: dict[str, str]) -> dict[str, str]:
    """The user's remembered choices, updated with this file's: for every header, its field or ""."""
    updated = dict(remembered)
    for number, header in enumerate(headers):
        key = header_key(header)
        if key:
            updated[key] = mapping.get(str(number), "")
    return updated
