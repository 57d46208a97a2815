"""Charts drawn on the server as SVG, for the pages and the committee report's PDF alike.

No JavaScript and no stylesheet: every colour and size is an SVG attribute, so a chart looks the same in a
browser (whose Content-Security-Policy forbids inline styles) and in WeasyPrint. Each chart is a `<figure>`
with an `<svg role="img">` named by its `<title>` and `<desc>`, and, beside it, the same figures as a table in
a `<details>` for anyone who cannot see the picture (or wants the exact numbers). Colour is never the only
cue: each line has its own dash pattern and marker shape, and the legend says which is which.

The drawing is sized in a viewBox, so it scales down to a phone's width; text is drawn large enough to stay
readable there.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# GOV.UK Frontend's colours that keep at least 4.5:1 against white, our union purple first.
COLOURS = ("#4b2a6b", "#1d70b8", "#00703c", "#d4351c", "#505a5f", "#912b88")
TEXT = "#0b0c0c"
GRID = "#b1b4b6"
TARGET = "#0b0c0c"
FONT = "Helvetica, Arial, sans-serif"
# Lines told apart without colour: a dash pattern and a marker shape each.
DASHES = ("", "8 4", "2 4", "10 4 2 4", "4 2", "12 3 3 3")
MARKERS = ("circle", "square", "triangle", "diamond", "circle", "square")

WIDTH = 480
KEY_CHARACTERS = 24  # a name in the key longer than this gets a line of its own
FONT_SIZE = 13
SMALL = 12


# Characters XML does not allow (control characters, lone surrogates): a name imported with one still draws.
NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return NOT_XML.sub("", text)


@dataclass(frozen=True)
class Axis:
    """A value axis from 0 to `top`, with a gridline every `step` (whole numbers: we count people)."""

    top: int
    step: int

    @property
    def ticks(self) -> list[int]:
        return list(range(0, self.top + 1, self.step))


def value_axis(largest: int, *, ticks: int = 4) -> Axis:
    """A round top a little above the largest value, in `ticks` or so whole steps (1, 2, 2.5 or 5 × 10ⁿ)."""
    if largest <= 0:
        return Axis(top=ticks, step=1)
    rough = largest / ticks
    power = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= rough and step == int(step):
            break
    step = max(1, int(step))
    return Axis(top=step * math.ceil(largest / step), step=step)


def compact(value: int) -> str:
    """An axis label: 950, 12,500, 250k, 1.2m (the table beside the chart has the exact figure)."""
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.3g}m"
    if abs(value) >= 100_000:
        return f"{value / 1_000:.3g}k"
    return f"{value:,}"


def _id(kind: str, *parts: object) -> str:
    """A stable id for the title and description, so the same chart always renders the same bytes."""
    digest = hashlib.sha1(repr((kind, *parts)).encode(), usedforsecurity=False).hexdigest()[:10]
    return f"chart-{kind}-{digest}"


def _number(value: float) -> str:
    """A coordinate without float noise ("12", "12.5")."""
    return f"{value:.1f}".removesuffix(".0")


def _esc(text: object) -> str:
    """Text as escaped, well-formed XML: every piece of text in a chart goes through here."""
    return str(escape(_clean(str(text))))


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = SMALL, bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{_number(x)}" y="{_number(y)}" text-anchor="{anchor}" font-size="{size}"{weight} '
        f'fill="{TEXT}">{_esc(text)}</text>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, colour: str, width: float = 1, dash: str = "") -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{_number(x1)}" y1="{_number(y1)}" x2="{_number(x2)}" y2="{_number(y2)}" stroke="{colour}" '
        f'stroke-width="{_number(width)}"{dashes}/>'
    )


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    r = 4.0
    if shape == "square":
        side = f"{2 * r:.0f}"
        return f'<rect x="{_number(x - r)}" y="{_number(y - r)}" width="{side}" height="{side}" fill="{colour}"/>'
    if shape in ("triangle", "diamond"):
        if shape == "triangle":
            points = [(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)]
        else:
            points = [(x, y - r - 1), (x + r + 1, y), (x, y + r + 1), (x - r - 1, y)]
        return f'<polygon points="{" ".join(f"{_number(a)},{_number(b)}" for a, b in points)}" fill="{colour}"/>'
    return f'<circle cx="{_number(x)}" cy="{_number(y)}" r="{r:.0f}" fill="{colour}"/>'


def _svg(ident: str, height: float, title: str, description: str, body: Sequence[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ld-chart" viewBox="0 0 {WIDTH} {_number(height)}" '
        f'width="100%" role="img" focusable="false" aria-labelledby="{ident}-title {ident}-desc" font-family="{FONT}">'
        f'<title id="{ident}-title">{_esc(title)}</title><desc id="{ident}-desc">{_esc(description)}</desc>'
        f"{''.join(body)}</svg>"
    )


def _figure(title: str, svg: str, table: str) -> SafeString:
    """The chart with its title shown above it, for those who see it, and its table of figures after it."""
    caption = (
        f'<figcaption class="govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-2">{_esc(title)}</figcaption>'
    )
    # Every piece of text in it went through _esc(); the rest is numbers and our own constants.
    return mark_safe(f'<figure class="govuk-!-margin-0 govuk-!-margin-bottom-6">{caption}{svg}{table}</figure>')


def _details(summary: str, table: str) -> str:
    return (
        '<details class="govuk-details govuk-!-margin-top-2">'
        f'<summary class="govuk-details__summary"><span class="govuk-details__summary-text">{_esc(summary)}</span>'
        f'</summary><div class="govuk-details__text">{table}</div></details>'
    )


def _cell(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else _esc(value)


def _table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GOV.UK table: the first column names the row, the rest are numbers."""
    head = "".join(
        f'<th scope="col" class="govuk-table__header{" govuk-table__header--numeric" if index else ""}">'
        f"{_esc(header)}</th>"
        for index, header in enumerate(headers)
    )
    body = "".join(
        f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{_esc(row[0])}</th>'
        + "".join(f'<td class="govuk-table__cell govuk-table__cell--numeric">{_cell(cell)}</td>' for cell in row[1:])
        + "</tr>"
        for row in rows
    )
    return (
        '<table class="govuk-table"><caption class="govuk-table__caption govuk-table__caption--s">'
        f'{_esc(caption)}</caption><thead class="govuk-table__head"><tr class="govuk-table__row">{head}</tr></thead>'
        f'<tbody class="govuk-table__body">{body}</tbody></table>'
    )


# Line chart -------------------------------------------------------------------------------------


def _month_label(day: datetime.date, *, first: bool) -> tuple[str, str]:
    """The month under its point, and the year under the first point and every January."""
    return day.strftime("%b"), str(day.year) if first or day.month == 1 else ""


def line_chart(
    series: dict[str, list[tuple[datetime.date, int]]], *, title: str, description: str, table: bool = True
) -> SafeString:
    """Lines over time (by month, as `measures.monthly_values` gives them), with a legend and the figures.

    `series`: name → (date, value) points. `table=False` leaves out the table of figures (a report that has
    its own table of the same figures).
    """
    names = list(series)
    dates = sorted({day for points in series.values() for day, _value in points})
    values = {name: dict(points) for name, points in series.items()}
    axis = value_axis(max((value for points in series.values() for _day, value in points), default=0))

    # The key in two columns, or one when a name would run into the next.
    key_columns = 2 if all(len(name) <= KEY_CHARACTERS for name in names) else 1
    legend_rows = math.ceil(len(names) / key_columns)
    left, right, top = 52, 16, 14 + legend_rows * 22
    plot_height = 190
    bottom = top + plot_height
    height = bottom + 44
    plot_width = WIDTH - left - right
    ident = _id("line", title, description, sorted((name, sorted(points)) for name, points in values.items()))

    def y_of(value: int) -> float:
        return bottom - plot_height * value / axis.top

    inset = 14  # keeps the first and last markers clear of the axis labels

    def x_of(index: int) -> float:
        if len(dates) == 1:
            return left + plot_width / 2
        return left + inset + (plot_width - 2 * inset) * index / (len(dates) - 1)

    body: list[str] = []
    for number, name in enumerate(names):
        colour, dash, shape = _style(number)
        key_x = 8 + (number % key_columns) * (WIDTH / 2)
        key_y = 16 + (number // key_columns) * 22
        body.append(_legend_line(key_x, key_y, colour, dash, shape))
        body.append(_text(key_x + 38, key_y + 4, name, size=FONT_SIZE))
    for tick in axis.ticks:
        y = y_of(tick)
        body.append(_line(left, y, WIDTH - right, y, GRID if tick else TEXT))
        body.append(_text(left - 6, y + 4, compact(tick), anchor="end"))
    # Every month labelled where there is room, else every other or every third.
    every = max(1, math.ceil(len(dates) / 12))
    for index, day in enumerate(dates):
        if index % every:
            continue
        month, year = _month_label(day, first=index == 0)
        body.append(_text(x_of(index), bottom + 18, month, anchor="middle"))
        if year:
            body.append(_text(x_of(index), bottom + 33, year, anchor="middle"))
    if not dates:
        body.append(_text(left + plot_width / 2, top + plot_height / 2, "No figures for this period", anchor="middle"))
    for number, name in enumerate(names):
        colour, dash, shape = _style(number)
        points = [(x_of(index), y_of(values[name][day])) for index, day in enumerate(dates) if day in values[name]]
        if len(points) > 1:
            line = " ".join(f"{_number(x)},{_number(y)}" for x, y in points)
            dashes = f' stroke-dasharray="{dash}"' if dash else ""
            body.append(
                f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2.5"{dashes} '
                'stroke-linejoin="round"/>'
            )
        body.extend(_marker(shape, x, y, colour) for x, y in points)

    rows = [[day.strftime("%B %Y"), *(values[name].get(day, 0) for name in names)] for day in dates]
    figures = _details("Show the figures as a table", _table(title, ["Month", *names], rows)) if table else ""
    return _figure(title, _svg(ident, height, title, description, body), figures)


def _style(number: int) -> tuple[str, str, str]:
    index = number % len(COLOURS)
    return COLOURS[index], DASHES[index], MARKERS[index]


def _legend_line(x: float, y: float, colour: str, dash: str, shape: str) -> str:
    return _line(x, y, x + 30, y, colour, 2.5, dash) + _marker(shape, x + 15, y, colour)


# Bar chart --------------------------------------------------------------------------------------

LABEL_CHARACTERS = 18


def _short(label: str) -> str:
    label = " ".join(label.split())
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1].rstrip() + "…"


def bar_chart(
    bars: list[tuple[str, int]],
    *,
    title: str,
    description: str,
    target: int | None = None,
    table: bool = True,
    label_header: str = "Name",
) -> SafeString:
    """Horizontal bars, one a row (long unit names fit on a phone), with a dashed line at the target.

    Labels longer than the room beside the bars are shortened; the bar's own tooltip and the table have the
    whole name. `table=False` leaves out the table of figures; `label_header` heads its first column.
    """
    label_width, right = 150, 64
    row, top = 30, 34 if target is not None else 12
    axis = value_axis(max([value for _label, value in bars] + [target or 0]))
    plot_width = WIDTH - label_width - right
    bottom = top + row * max(1, len(bars))
    height = bottom + 26
    ident = _id("bar", title, description, bars, target)

    def x_of(value: int) -> float:
        return label_width + plot_width * value / axis.top

    body: list[str] = []
    for tick in axis.ticks:
        x = x_of(tick)
        body.append(_line(x, top, x, bottom, GRID if tick else TEXT))
        body.append(_text(x, bottom + 16, compact(tick), anchor="middle"))
    if not bars:
        body.append(
            _text(label_width + plot_width / 2, top + row / 2 + 4, "No figures for this period", anchor="middle")
        )
    for index, (label, value) in enumerate(bars):
        y = top + index * row
        width = _number(max(0.0, x_of(value) - label_width))
        body.append(
            f"<g><title>{_esc(label)}: {value:,}</title>"
            f'<rect x="{label_width}" y="{_number(y + 5)}" width="{width}" height="{row - 10}" '
            f'fill="{COLOURS[0]}"/></g>'
        )
        body.append(_text(label_width - 8, y + row / 2 + 4, _short(label), anchor="end", size=FONT_SIZE))
        body.append(_text(x_of(value) + 6, y + row / 2 + 4, f"{value:,}", size=FONT_SIZE, bold=True))
    if target is not None:
        x = x_of(target)
        body.append(_line(x, top - 8, x, bottom, TARGET, 2, "6 4"))
        anchor = "end" if x > label_width + plot_width * 0.7 else "start"
        body.append(_text(x + (-4 if anchor == "end" else 4), top - 12, f"Target {target:,}", anchor=anchor, bold=True))

    headers = [label_header, "Figure"]
    rows: list[list[object]] = [[label, value] for label, value in bars]
    if target is not None:
        headers.append("Target")
        rows = [[*row_, target] for row_ in rows]
    figures = _details("Show the figures as a table", _table(title, headers, rows)) if table else ""
    return _figure(title, _svg(ident, height, title, description, body), figures)
