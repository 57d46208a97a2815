"""Row numbers in the check's messages are the ones a spreadsheet shows."""

from __future__ import annotations

from learningdesk.imports.models import ImportProblem
from tests.imports import HEADER, check, start


def test_rows_are_numbered_as_the_spreadsheet_shows_them_even_below_blank_lines(world):
    content = (
        "\r\n,,,,,,\r\n"  # two blank lines above the header: it is row 3
        + ",".join(HEADER)
        + "\r\nD1,Ann,Archer,,,,\r\n\r\nD2,Bilal,Baker,not an email,,,\r\n"
    ).encode()

    checked = check(start(world.derby, content))

    problem = ImportProblem.objects.get(member_import=checked)
    assert problem.row_number == 6
    assert problem.column == "Email"
    assert checked.created == 1
    assert checked.rejected == 1
