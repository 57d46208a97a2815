from __future__ import annotations

import pytest

from learningdesk.core.spreadsheets import safe_cell


@pytest.mark.parametrize("text", ["=1+1", "+44 7700 900123", "-2", "@SUM(A1)", "\tcmd", "\r=1"])
def test_text_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Alberts", "", "a=b", 12, 3.5])
def test_other_values_are_left_alone(value):
    assert safe_cell(value) == value


def test_an_empty_value_is_an_empty_cell():
    assert safe_cell(None) == ""
