"""Small-number suppression for breakdown tables: what of a table of counts may be shown.

A table has rows (groups: units, workplaces, ...) and columns (answer options), with row totals, column
totals and a grand total. Think of it, totals included, as one bigger table in which every row and every
column adds up: the cells of a row to its total, the row totals to the grand total, and so on.

1. Primary: every entry from 1 to threshold - 1 (a cell or a total) is hidden; 0 is shown.
2. Secondary: a line (row or column) of the bigger table with exactly one hidden entry would give it away by
   subtraction, so the smallest other non-zero entry of that line is hidden too (a cell before the total).
3. A hidden entry that lies on no "cycle" of hidden entries (a bridge, in the graph whose nodes are the lines
   and whose edges are the hidden entries) can still be worked out by adding and subtracting whole lines, even
   when every line has two hidden entries; each such entry gets a rectangle of hidden entries around it.

Steps 2 and 3 repeat until nothing changes. Then every hidden entry can move up or down along a cycle of
hidden entries with every visible figure unchanged, so no combination of visible figures gives it exactly.
Pure functions, no database: the property tests in tests/surveys/test_suppression_properties.py prove it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from learningdesk.surveys.models import DEFAULT_THRESHOLD, PrivacySettings, Survey

Entry = tuple[int, int]  # (row, column) in the table with totals: row R is the column totals, column C the row totals


def threshold_for(survey: Survey) -> int:
    """The organisation's small-number threshold (its root unit's privacy settings), else the default 10."""
    root_path = survey.unit.path[: survey.unit.steplen]
    setting = PrivacySettings.objects.filter(unit__path=root_path).values_list("threshold", flat=True).first()
    return setting or DEFAULT_THRESHOLD


@dataclass(frozen=True)
class Shown:
    """One figure as it may be shown: its count, or None when it is hidden."""

    count: int | None
    primary: bool = False  # hidden because it is small ("fewer than N"), not only to protect another

    @property
    def hidden(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class SuppressedTable:
    threshold: int
    cells: list[list[Shown]]
    row_totals: list[Shown]
    column_totals: list[Shown]
    grand_total: Shown

    @property
    def hidden_count(self) -> int:
        entries = [*(cell for row in self.cells for cell in row), *self.row_totals, *self.column_totals]
        return sum(entry.hidden for entry in [*entries, self.grand_total])


def with_totals(counts: Sequence[Sequence[int]]) -> list[list[int]]:
    """The table with a column of row totals, a row of column totals and the grand total in the corner."""
    columns = len(counts[0]) if counts else 0
    if any(len(row) != columns for row in counts):
        raise ValueError("Every row of a table needs the same number of columns")
    if any(value < 0 for row in counts for value in row):
        raise ValueError("Counts cannot be negative")
    rows = [[*row, sum(row)] for row in counts]
    totals = [sum(row[c] for row in rows) for c in range(columns + 1)]
    return [*rows, totals]


def hidden_entries(counts: Sequence[Sequence[int]], threshold: int = DEFAULT_THRESHOLD) -> set[Entry]:
    """The entries of `with_totals(counts)` to hide: primary, then secondary until stable."""
    table = with_totals(counts)
    hidden = {(r, c) for r, row in enumerate(table) for c, value in enumerate(row) if 0 < value < threshold}
    if not hidden:
        return hidden
    while _protect_lines(table, hidden) | _protect_bridges(table, hidden):
        pass
    return hidden


def suppress(counts: Sequence[Sequence[int]], threshold: int = DEFAULT_THRESHOLD) -> SuppressedTable:
    """What of a table of counts (rows = groups, columns = answer options) may be shown, totals included."""
    table = with_totals(counts)
    hidden = hidden_entries(counts, threshold)

    def shown(r: int, c: int) -> Shown:
        value = table[r][c]
        if (r, c) in hidden:
            return Shown(None, primary=value < threshold)
        return Shown(value)

    last_row, last_column = len(table) - 1, len(table[0]) - 1
    return SuppressedTable(
        threshold=threshold,
        cells=[[shown(r, c) for c in range(last_column)] for r in range(last_row)],
        row_totals=[shown(r, last_column) for r in range(last_row)],
        column_totals=[shown(last_row, c) for c in range(last_column)],
        grand_total=shown(last_row, last_column),
    )


def lines(table: Sequence[Sequence[int]]) -> list[list[Entry]]:
    """Every row and column of the table with totals, each ending with its total."""
    rows, columns = len(table), len(table[0])
    return [[(r, c) for c in range(columns)] for r in range(rows)] + [
        [(r, c) for r in range(rows)] for c in range(columns)
    ]


def _protect_lines(table: list[list[int]], hidden: set[Entry]) -> bool:
    """Hide a second entry in every line with exactly one hidden; True if anything changed."""
    changed = False
    for line in lines(table):
        if sum(entry in hidden for entry in line) != 1:
            continue
        *cells, total = line
        candidates = [entry for entry in cells if entry not in hidden and table[entry[0]][entry[1]] > 0]
        if candidates:
            hidden.add(min(candidates, key=lambda entry: (table[entry[0]][entry[1]], entry)))
        else:  # only zeros beside it: the total is the one other non-zero entry
            hidden.add(total)
        changed = True
    return changed


def _protect_bridges(table: list[list[int]], hidden: set[Entry]) -> bool:
    """Put a hidden entry that lies on no cycle of hidden entries into a hidden rectangle; True if one did.

    One at a time: a rectangle often puts other bridges on a cycle too.
    """
    bridges = find_bridges(hidden)
    if not bridges:
        return False
    r, c = min(bridges)
    hidden.update(_cheapest_rectangle(table, hidden, r, c))
    return True


def _cheapest_rectangle(table: list[list[int]], hidden: set[Entry], r: int, c: int) -> list[Entry]:
    """The three other corners of the rectangle through (r, c) that hides least: non-zero corners first."""
    best: tuple[tuple[int, int], list[Entry]] | None = None
    for r2 in range(len(table)):
        for c2 in range(len(table[0])):
            if r2 == r or c2 == c:
                continue
            corners = [(r, c2), (r2, c), (r2, c2)]
            new = [entry for entry in corners if entry not in hidden]
            zeros = sum(table[a][b] == 0 for a, b in corners)
            cost = (zeros, sum(table[a][b] for a, b in new))
            if best is None or cost < best[0]:
                best = (cost, new)
    return best[1] if best else []


def find_bridges(hidden: set[Entry]) -> set[Entry]:
    """Hidden entries that are bridges of the graph of lines (row nodes, column nodes) joined by hidden entries.

    Tarjan's algorithm, without recursion (a table may have hundreds of rows).
    """
    graph: dict[tuple[str, int], list[tuple[tuple[str, int], Entry]]] = {}
    for r, c in hidden:
        graph.setdefault(("row", r), []).append((("column", c), (r, c)))
        graph.setdefault(("column", c), []).append((("row", r), (r, c)))
    order: dict[tuple[str, int], int] = {}
    low: dict[tuple[str, int], int] = {}
    bridges: set[Entry] = set()
    for start in graph:
        if start in order:
            continue
        order[start] = low[start] = len(order)
        stack: list[tuple[tuple[str, int], Entry | None, int]] = [(start, None, 0)]
        while stack:
            node, via, index = stack[-1]
            if index < len(graph[node]):
                stack[-1] = (node, via, index + 1)
                neighbour, entry = graph[node][index]
                if entry == via:
                    continue
                if neighbour in order:
                    low[node] = min(low[node], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = len(order)
                    stack.append((neighbour, entry, 0))
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent] and via is not None:
                    bridges.add(via)
    return bridges
