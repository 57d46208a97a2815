"""Suppression of the equality tables' small numbers, for any column hypothesis draws.

The main property is checked against a reader who works by brute force, not by the module's own arithmetic: they
see the cells shown, the total, which hidden cells are "fewer than N" (so between 1 and N - 1) and which are hidden
to protect them (so at least N, and no larger than the cells still shown, the smallest being hidden first), and
try every way of filling the hidden cells in. No hidden count may come out the same every way.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from learningdesk.reports import equality
from learningdesk.reports.suppression import MIN_THRESHOLD, Shown, SuppressedColumn, suppress_column

# Counts around the threshold are where suppression is hard: many small, some zero, some large.
counts = st.one_of(st.integers(0, 12), st.integers(0, 60))
columns = st.lists(counts, min_size=2, max_size=7)
thresholds = st.integers(3, 12)


def _possible_sums(ranges: Sequence[tuple[int, int]], most: int) -> int:
    """The sums the ranges can make, up to `most`, as a bit set (bit s set: s can be made)."""
    sums = 1
    mask = (1 << (most + 1)) - 1
    for low, high in ranges:
        made = 0
        for value in range(low, min(high, most) + 1):
            made |= sums << value
        sums = made & mask
    return sums


def values_a_reader_finds(column: SuppressedColumn, total: int) -> dict[int, set[int]]:
    """Every value each hidden cell could have, given what the page shows and the total (even a small total: the
    reader may know it from elsewhere)."""
    threshold = column.threshold
    shown = [(index, cell.count) for index, cell in enumerate(column.cells) if cell.count]
    hidden = [index for index, cell in enumerate(column.cells) if cell.hidden]
    rest = total - sum(count for _index, count in shown)
    ranges: dict[int, tuple[int, int]] = {}
    for index in hidden:
        if column.cells[index].small:
            ranges[index] = (1, threshold - 1)
        else:
            limits = [count - 1 if other < index else count for other, count in shown]
            ranges[index] = (threshold, min([rest, *limits]))
    found: dict[int, set[int]] = {}
    for index in hidden:
        others = _possible_sums([ranges[other] for other in hidden if other != index], rest)
        low, high = ranges[index]
        found[index] = {value for value in range(low, min(high, rest) + 1) if others >> (rest - value) & 1}
    return found


def worked_out(column: SuppressedColumn, counts: list[int]) -> set[int]:
    found = values_a_reader_finds(column, sum(counts))
    assert all(counts[index] in values for index, values in found.items())  # the real value is always possible
    return {index for index, values in found.items() if len(values) == 1}


def shown_with(counts: list[int], hidden: set[int], threshold: int) -> SuppressedColumn:
    """The column as it would show with exactly these cells hidden (for "was it needed?")."""
    total = sum(counts)
    return SuppressedColumn(
        threshold=threshold,
        cells=tuple(
            Shown(None, small=count < threshold) if index in hidden else Shown(count)
            for index, count in enumerate(counts)
        ),
        total=Shown(None, small=True) if 0 < total < threshold else Shown(total),
    )


@given(columns, thresholds)
def test_every_count_shown_is_the_real_one_and_zero_or_at_least_the_threshold(counts, threshold):
    column = suppress_column(counts, threshold)
    for cell, count in zip(column.cells, counts, strict=True):
        assert cell.hidden or (cell.count == count and (count == 0 or count >= threshold))
    assert column.total.count in (None, sum(counts))
    assert column.total.hidden == (0 < sum(counts) < threshold)


@given(columns, thresholds)
def test_every_small_count_is_hidden_as_fewer_than_the_threshold(counts, threshold):
    column = suppress_column(counts, threshold)
    for cell, count in zip(column.cells, counts, strict=True):
        if 0 < count < threshold:
            assert cell.hidden
            assert cell.small or column.withheld


@given(columns, thresholds)
def test_no_hidden_count_can_be_worked_out_from_the_cells_shown_and_the_total(counts, threshold):
    column = suppress_column(counts, threshold)
    if column.withheld:
        # Nothing in the column but the total: each cell could be anything from 0 to it.
        assert sum(counts) >= 1 and len(counts) >= 2
        assert all(cell.hidden and not cell.small for cell in column.cells)
    else:
        assert worked_out(column, counts) == set()


@given(columns, thresholds)
def test_nothing_is_hidden_when_no_count_is_small(counts, threshold):
    if any(0 < count < threshold for count in counts):
        return
    column = suppress_column(counts, threshold)
    assert column.hidden == frozenset()
    assert not column.withheld


@given(columns, thresholds)
def test_cells_hidden_to_protect_others_are_the_smallest_left(counts, threshold):
    column = suppress_column(counts, threshold)
    if column.withheld:
        return
    protecting = [counts[index] for index in column.hidden if counts[index] >= threshold]
    still_shown = [count for count, cell in zip(counts, column.cells, strict=True) if cell.count]
    assert all(hidden <= shown for hidden in protecting for shown in still_shown)


@given(columns, thresholds)
def test_every_cell_hidden_to_protect_others_was_needed(counts, threshold):
    """Without the last one hidden (the largest), some small count could be worked out."""
    column = suppress_column(counts, threshold)
    protecting = [index for index in column.hidden if counts[index] >= threshold]
    if column.withheld or not protecting:
        return
    last = max(protecting, key=lambda index: (counts[index], index))
    assert worked_out(shown_with(counts, set(column.hidden) - {last}, threshold), counts)


@given(columns, thresholds)
def test_a_column_is_withheld_only_when_hiding_every_count_would_not_do(counts, threshold):
    column = suppress_column(counts, threshold)
    if not column.withheld:
        return
    everything = {index for index, count in enumerate(counts) if count}
    assert worked_out(shown_with(counts, everything, threshold), counts)


@given(columns, thresholds)
def test_suppressing_again_changes_nothing(counts, threshold):
    column = suppress_column(counts, threshold)
    assert suppress_column(counts, threshold, hidden_before=column.hidden) == column


def test_two_small_counts_that_could_only_be_one_each_are_protected_by_a_third():
    column = suppress_column([1, 1, 50, 60], 10)
    assert [cell.count for cell in column.cells] == [None, None, None, 60]
    assert [cell.small for cell in column.cells] == [True, True, False, False]


def test_one_small_count_and_the_next_smallest_would_give_it_away_at_the_bottom_of_their_ranges():
    # 1 and 10 hidden with 11 left between them: only 1 + 10 fits "fewer than 10" and "at least 10".
    column = suppress_column([1, 10, 50], 10)
    assert column.hidden == frozenset({0, 1, 2})


def test_a_column_with_nothing_left_to_hide_is_withheld():
    column = suppress_column([9, 9, 0], 10)
    assert column.withheld
    assert all(cell.hidden for cell in column.cells)
    assert column.total.count == 18


def test_a_threshold_below_three_is_raised_to_three():
    column = suppress_column([1, 2, 30], 1)
    assert column.threshold == MIN_THRESHOLD
    assert column.cells[0].hidden and column.cells[1].hidden


@override_settings(EQUALITY_SUPPRESSION_THRESHOLD=5)
def test_the_threshold_comes_from_the_setting():
    assert equality.configured_threshold() == 5


def test_the_threshold_is_ten_without_the_setting(settings):
    if hasattr(settings, "EQUALITY_SUPPRESSION_THRESHOLD"):
        del settings.EQUALITY_SUPPRESSION_THRESHOLD
    assert equality.configured_threshold() == 10
