"""Small-number suppression on known tables, and the organisation's threshold."""

from __future__ import annotations

import pytest

from learningdesk.surveys.models import PrivacySettings
from learningdesk.surveys.suppression import find_bridges, hidden_entries, suppress, threshold_for
from tests.surveys import make_survey


def test_a_cell_under_the_threshold_is_hidden_and_so_is_one_beside_it():
    shown = suppress([[9, 20, 30], [40, 50, 60]], threshold=10)
    assert shown.cells[0][0].hidden and shown.cells[0][0].primary
    # Row 0's total would give the 9 away: the smallest other cell of the row (20) goes too, and so does
    # one below each in the columns.
    assert shown.cells[0][1].hidden and not shown.cells[0][1].primary
    assert shown.cells[1][0].hidden and shown.cells[1][1].hidden
    assert shown.cells[0][2].count == 30
    assert shown.row_totals[0].count == 59


def test_a_cell_at_the_threshold_is_shown():
    shown = suppress([[10, 20], [40, 50]], threshold=10)
    assert shown.hidden_count == 0


def test_zero_is_shown():
    shown = suppress([[0, 20], [40, 50]], threshold=10)
    assert shown.cells[0][0].count == 0
    assert shown.hidden_count == 0


def test_a_small_total_is_hidden():
    shown = suppress([[3, 0], [40, 50]], threshold=10)
    assert shown.row_totals[0].hidden
    assert shown.cells[0][0].hidden


def test_a_figure_on_no_cycle_of_hidden_figures_is_protected():
    # A bridge between two hidden rectangles could be worked out by adding and subtracting lines.
    hidden = {(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 2), (2, 3), (3, 2), (3, 3)}
    assert find_bridges(hidden) == {(1, 2)}
    table = [[1] * 4 for _ in range(4)]
    protected = hidden_entries(table, threshold=2)
    assert not find_bridges(protected)


def test_a_ragged_or_negative_table_is_refused():
    with pytest.raises(ValueError):
        suppress([[1, 2], [3]])
    with pytest.raises(ValueError):
        suppress([[-1]])


def test_the_threshold_is_ten_unless_the_organisation_sets_it(world):
    survey = make_survey(world.derby)
    assert threshold_for(survey) == 10
    PrivacySettings.objects.create(unit=world.national, threshold=20)
    assert threshold_for(survey) == 20
