"""Suppression holds against totals, for any table: hypothesis draws the tables.

Besides the rule the brief states (no line of the table with totals has exactly one hidden entry, and nothing
visible is under the threshold but 0), the last property checks the real thing by linear algebra: no hidden
entry is fixed by the visible figures, i.e. its unit vector is not in the span of the lines' sums.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from learningdesk.surveys.suppression import Entry, hidden_entries, lines, suppress, with_totals

# Counts around the threshold are where suppression is hard: many small, some zero, some large.
counts = st.one_of(st.integers(0, 12), st.integers(0, 200))


@st.composite
def tables(draw: st.DrawFn, max_rows: int = 7, max_columns: int = 6) -> list[list[int]]:
    rows = draw(st.integers(1, max_rows))
    columns = draw(st.integers(1, max_columns))
    return [[draw(counts) for _ in range(columns)] for _ in range(rows)]


thresholds = st.integers(3, 15)


@given(tables(), thresholds)
def test_no_visible_figure_is_under_the_threshold_but_zero(table, threshold):
    shown = suppress(table, threshold)
    figures = [*(cell for row in shown.cells for cell in row), *shown.row_totals, *shown.column_totals]
    for figure in [*figures, shown.grand_total]:
        assert figure.hidden or figure.count == 0 or figure.count >= threshold


@given(tables(), thresholds)
def test_every_row_and_column_hides_none_or_at_least_two(table, threshold):
    hidden = hidden_entries(table, threshold)
    for line in lines(with_totals(table)):
        assert sum(entry in hidden for entry in line) != 1


@given(tables(), thresholds)
def test_a_row_with_hidden_cells_hides_two_of_them_or_its_total(table, threshold):
    shown = suppress(table, threshold)
    for row, total in zip(shown.cells, shown.row_totals, strict=True):
        hidden = sum(cell.hidden for cell in row)
        assert hidden == 0 or hidden >= 2 or total.hidden
    for c, total in enumerate(shown.column_totals):
        hidden = sum(row[c].hidden for row in shown.cells)
        assert hidden == 0 or hidden >= 2 or total.hidden


@given(tables(), thresholds)
def test_visible_figures_are_the_real_ones(table, threshold):
    shown = suppress(table, threshold)
    full = with_totals(table)
    for r, row in enumerate(shown.cells):
        for c, cell in enumerate(row):
            assert cell.hidden or cell.count == full[r][c]
        assert shown.row_totals[r].hidden or shown.row_totals[r].count == full[r][-1]


def _rank(rows: list[list[Fraction]]) -> int:
    """The rank of a matrix, by Gaussian elimination over the rationals."""
    matrix = [row[:] for row in rows]
    rank = 0
    for column in range(len(matrix[0]) if matrix else 0):
        pivot = next((i for i in range(rank, len(matrix)) if matrix[i][column] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for i in range(len(matrix)):
            if i != rank and matrix[i][column] != 0:
                factor = matrix[i][column] / matrix[rank][column]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[rank], strict=True)]
        rank += 1
    return rank


def determined(table: list[list[int]], hidden: set[Entry]) -> set[Entry]:
    """Hidden entries that some combination of the lines' equations (each line: cells = total) pins down."""
    unknowns = sorted(hidden)
    index = {entry: i for i, entry in enumerate(unknowns)}
    equations = []
    for line in lines(table):
        *cells, total = line
        row = [Fraction(0)] * len(unknowns)
        for entry in cells:
            if entry in index:
                row[index[entry]] += 1
        if total in index:
            row[index[total]] -= 1
        if any(row):
            equations.append(row)
    rank = _rank(equations)
    pinned = set()
    for entry, i in index.items():
        unit = [Fraction(int(j == i)) for j in range(len(unknowns))]
        if _rank([*equations, unit]) == rank:
            pinned.add(entry)
    return pinned


@settings(max_examples=150)
@given(tables(max_rows=5, max_columns=4), thresholds)
def test_no_hidden_figure_can_be_worked_out_from_the_visible_ones(table, threshold):
    hidden = hidden_entries(table, threshold)
    assert not determined(with_totals(table), hidden)


def test_the_checker_catches_a_figure_given_away_by_its_total():
    table = with_totals([[3, 20], [40, 50]])
    assert determined(table, {(0, 0)}) == {(0, 0)}
    assert determined(table, {(0, 0), (0, 1), (1, 0), (1, 1)}) == set()
