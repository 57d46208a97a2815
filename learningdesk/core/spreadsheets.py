"""Files we hand to people who open them in a spreadsheet."""

from __future__ import annotations

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets (CSV injection):
# a member file can carry "=HYPERLINK(...)" in a name, which would run on the co-ordinator's computer.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A value for a CSV cell that a spreadsheet shows as text: a leading ' where the text could be a formula.

    Numbers are left as numbers; None becomes an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
