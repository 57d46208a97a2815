"""Small charts drawn on the server as inline SVG: a horizontal bar chart, a funnel and a progress bar.

No JavaScript and no inline styles (our CSP allows neither): colours and sizes are SVG presentation
attributes, and a viewBox lets each chart scale to a phone's width. Every chart is an image with a <title>
(`role="img"`, `aria-labelledby`); pages show the same figures in a table beside it, as the text alternative.
Every piece of text is escaped here, so callers may pass labels people typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# All at least 4.5:1 against white (WCAG AA for text, and well over 3:1 for shapes).
BRAND = "#4b2a6b"
GREEN = "#00703c"
BLUE = "#1d70b8"
GREY = "#505a5f"
TEXT = "#0b0c0c"
TRACK = "#f3f2f1"  # the unfilled part of a progress bar, inside a grey outline

WIDTH = 360  # viewBox units; charts scale to their container
FONT = 'font-family="GDS Transport, arial, sans-serif"'
LABEL_SIZE = 13
MAX_LABEL_CHARS = 48

# Characters XML 1.0 does not allow (a pasted control character would otherwise break the markup).
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ID = re.compile(r"[^A-Za-z0-9_-]")


def _text(value: object) -> str:
    """`value` as escaped text that is always well-formed XML."""
    return str(escape(_NOT_XML.sub("", str(value))))


def _short(label: str) -> str:
    label = " ".join(label.split())
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1].rstrip() + "…"


def _chart_id(chart_id: str) -> str:
    return _ID.sub("-", chart_id) or "chart"


def _svg(*, chart_id: str, title: str, height: float, body: list[str], css_class: str = "ld-chart") -> SafeString:
    chart_id = _chart_id(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{_text(css_class)}" viewBox="0 0 {WIDTH} {_num(height)}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title" focusable="false" {FONT}>',
        f'<title id="{chart_id}-title">{_text(title)}</title>',
        *body,
        "</svg>",
    ]
    return mark_safe("".join(parts))  # every piece of text above went through _text()


def _num(value: float) -> str:
    """A coordinate without float noise ("12", "12.5")."""
    return f"{value:.1f}".removesuffix(".0")


def _share(value: int, largest: int) -> float:
    return value / largest if largest > 0 else 0.0


def bar_chart(
    *, chart_id: str, title: str, bars: Sequence[tuple[str, int]], colour: str = BRAND, unit: str = ""
) -> SafeString:
    """Horizontal bars, one per (label, value), each label above its bar and the value at the bar's end.

    `unit` follows each value in the bar's tooltip ("12 prospects"). An empty `bars` draws an empty chart.
    """
    row, bar_height, value_room = 40, 14, 44
    body = []
    largest = max((value for _label, value in bars), default=0)
    for index, (label, value) in enumerate(bars):
        top = index * row
        length = _share(value, largest) * (WIDTH - value_room)
        tooltip = f"{label}: {value}{' ' + unit if unit else ''}"
        body.append(
            f"<g><title>{_text(tooltip)}</title>"
            f'<text x="0" y="{top + 13}" font-size="{LABEL_SIZE}" fill="{TEXT}">{_text(_short(label))}</text>'
            f'<rect x="0" y="{top + 19}" width="{_num(length)}" height="{bar_height}" fill="{_text(colour)}"/>'
            f'<text x="{_num(length + 5)}" y="{top + 31}" font-size="{LABEL_SIZE}" font-weight="bold" '
            f'fill="{TEXT}">{_text(value)}</text></g>'
        )
    return _svg(chart_id=chart_id, title=title, height=max(len(bars) * row, row) - 2, body=body)


def funnel_chart(*, chart_id: str, title: str, steps: Sequence[tuple[str, int]], colour: str = BRAND) -> SafeString:
    """A funnel: one centred bar per step, as wide as its count allows, with "label: count" above it.

    The steps need not shrink (people can reach a later step in a period after starting an earlier one
    before it): each bar is scaled against the largest.
    """
    row, bar_height, least = 46, 20, 2.0
    body = []
    largest = max((value for _label, value in steps), default=0)
    for index, (label, value) in enumerate(steps):
        top = index * row
        length = max(_share(value, largest) * WIDTH, least)
        body.append(
            f'<g><text x="{WIDTH / 2:g}" y="{top + 14}" font-size="{LABEL_SIZE}" text-anchor="middle" fill="{TEXT}">'
            f'{_text(_short(label))}: <tspan font-weight="bold">{_text(value)}</tspan></text>'
            f'<rect x="{_num((WIDTH - length) / 2)}" y="{top + 20}" width="{_num(length)}" height="{bar_height}" '
            f'fill="{_text(colour)}"/></g>'
        )
    return _svg(chart_id=chart_id, title=title, height=max(len(steps) * row, row) - 4, body=body)


def progress_bar(
    *, chart_id: str, title: str, done: int, total: int, expected: float | None = None, colour: str = BRAND
) -> SafeString:
    """A bar filled `done` of `total` (never past full), with an optional mark where `expected` would reach.

    The mark shows how far along the bar the figure should be by now, so "behind" can be seen at a glance.
    """
    height, top, outline = 32, 4, 2
    bar = height - 2 * top
    inner = WIDTH - 2 * outline
    filled = min(_share(done, total), 1.0) * inner
    body = [
        f'<rect x="1" y="{top + 1}" width="{WIDTH - 2}" height="{bar - 2}" fill="{TRACK}" stroke="{GREY}" '
        f'stroke-width="{outline}"/>',
        f'<rect x="{outline}" y="{top + outline}" width="{_num(filled)}" height="{bar - 2 * outline}" '
        f'fill="{_text(colour)}"/>',
    ]
    if expected is not None and total > 0:
        # White under black: the mark shows on the filled part and on the empty track alike.
        x = _num(outline + min(max(expected / total, 0.0), 1.0) * (inner - 2) + 1)
        body.append(f'<line x1="{x}" y1="0" x2="{x}" y2="{height}" stroke="#ffffff" stroke-width="5"/>')
        body.append(f'<line x1="{x}" y1="0" x2="{x}" y2="{height}" stroke="{TEXT}" stroke-width="2"/>')
    return _svg(chart_id=chart_id, title=title, height=height, body=body, css_class="ld-chart ld-chart--progress")
