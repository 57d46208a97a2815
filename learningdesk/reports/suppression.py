"""Small-number suppression for the equality tables: which counts of a column may be shown.

An equality table has a column for each group of people (members, learners, reps, survey respondents) and a row
for each answer (Woman, Man, ...). A column's cells add up to its total, which the page shows (and which other
pages may show too), so each column is protected on its own; no row adds up to anything, the columns being
different people.

1. Primary: a count from 1 to threshold - 1 is hidden and shown as "fewer than N". 0 is shown.
2. Secondary: a reader knows the total, that a "fewer than N" cell is between 1 and N - 1, and that a cell hidden
   to protect it is at least N and (being the smallest left when it was hidden) no larger than the cells still
   shown. While those facts leave any hidden cell only one possible value (a single hidden cell, or every hidden
   cell at the bottom or at the top of its range: two "fewer than 10" cells in a total that leaves them 2), the
   smallest cell still shown is hidden too.
3. When no cell is left to hide and one could still be worked out, the whole column is withheld.

Pure functions, no database. tests/reports/test_equality_suppression.py checks with hypothesis, against a
brute-force reader, that no hidden count can be worked out, that nothing is hidden without need, and that
suppressing a suppressed column again changes nothing. (A reader who also replays these rules on every possible
table, to see which would have hidden a third cell, can narrow a rare column further; the usual defence, as
here, is that the table never pins a small count down on its own figures.)

Not surveys/suppression.py: that one protects a two-way table whose rows add up too; here a row of members,
learners and reps adds up to nothing, and protecting such totals would hide far more than needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DEFAULT_THRESHOLD = 10
# "Fewer than 2" could only mean 1: below 3 the label itself would give the count away.
MIN_THRESHOLD = 3

Bounds = tuple[int, int | None]  # the smallest and largest values a reader can tell a hidden cell has (None: no limit)


@dataclass(frozen=True)
class Shown:
    """One count as it may be shown: the number, or None when hidden."""

    count: int | None
    small: bool = False  # hidden because it is under the threshold ("fewer than N"), not only to protect another

    @property
    def hidden(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class SuppressedColumn:
    threshold: int
    cells: tuple[Shown, ...]
    total: Shown
    withheld: bool = False  # every cell hidden: no arrangement of hidden cells protected the small ones

    @property
    def hidden(self) -> frozenset[int]:
        return frozenset(index for index, cell in enumerate(self.cells) if cell.hidden)


def effective_threshold(threshold: int) -> int:
    return max(threshold, MIN_THRESHOLD)


def suppress_column(
    counts: Sequence[int], threshold: int = DEFAULT_THRESHOLD, *, hidden_before: Iterable[int] = ()
) -> SuppressedColumn:
    """What of a column of counts may be shown. `hidden_before`: cells a previous suppression hid."""
    threshold = effective_threshold(threshold)
    if any(count < 0 for count in counts):
        raise ValueError("Counts cannot be negative")
    total = sum(counts)
    hidden, withheld = hidden_cells(counts, threshold, hidden_before=hidden_before)
    if withheld:  # every cell alike, zeros too: which ones are small would narrow them down again
        cells = tuple(Shown(None) for _count in counts)
    else:
        cells = tuple(
            Shown(None, small=count < threshold) if index in hidden else Shown(count)
            for index, count in enumerate(counts)
        )
    shown_total = Shown(None, small=True) if 0 < total < threshold else Shown(total)
    return SuppressedColumn(threshold=threshold, cells=cells, total=shown_total, withheld=withheld)


def hidden_cells(
    counts: Sequence[int], threshold: int, *, hidden_before: Iterable[int] = ()
) -> tuple[frozenset[int], bool]:
    """The cells to hide (primary, then secondary until none can be worked out), and whether to withhold all."""
    hidden = {index for index, count in enumerate(counts) if 0 < count < threshold}
    hidden |= {index for index in hidden_before if counts[index] > 0}  # a zero is hidden only in a withheld column
    if not hidden:
        return frozenset(), False
    while could_be_worked_out(counts, hidden, threshold):
        left = [index for index, count in enumerate(counts) if count > 0 and index not in hidden]
        if not left:
            return frozenset(index for index, count in enumerate(counts) if count > 0), True
        hidden.add(min(left, key=lambda index: (counts[index], index)))
    return frozenset(hidden), False


def reader_bounds(counts: Sequence[int], hidden: set[int] | frozenset[int], threshold: int) -> dict[int, Bounds]:
    """What a reader who knows these rules can tell of each hidden cell from its label and the cells shown."""
    shown = [(index, count) for index, count in enumerate(counts) if index not in hidden and count > 0]
    bounds: dict[int, Bounds] = {}
    for index in hidden:
        if counts[index] < threshold:
            bounds[index] = (1, threshold - 1)
            continue
        # Hidden before every cell still shown: no larger than any of them (smaller than those before it, on a tie).
        limits = [count - 1 if other < index else count for other, count in shown]
        bounds[index] = (threshold, min(limits) if limits else None)
    return bounds


def could_be_worked_out(counts: Sequence[int], hidden: set[int] | frozenset[int], threshold: int) -> bool:
    """Whether the total, the cells shown and the hidden cells' ranges leave some hidden cell one possible value.

    The other hidden cells can make up any sum between their smallest and largest, so cell i can be anything
    from max(its lowest, rest - others' highest) to min(its highest, rest - others' lowest).
    """
    bounds = reader_bounds(counts, hidden, threshold)
    rest = sum(counts[index] for index in hidden)
    for index, (low, high) in bounds.items():
        others = [bound for other, bound in bounds.items() if other != index]
        others_low = sum(other_low for other_low, _other_high in others)
        others_high = None if any(h is None for _l, h in others) else sum(h or 0 for _l, h in others)
        can_be_least = low if others_high is None else max(low, rest - others_high)
        can_be_most = rest - others_low if high is None else min(high, rest - others_low)
        if can_be_least >= can_be_most:
            return True
    return False
