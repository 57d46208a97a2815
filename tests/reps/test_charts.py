"""The server-drawn SVG charts: well-formed, labelled for screen readers, safe with any text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import example, given
from hypothesis import strategies as st

from learningdesk.reps import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - our own markup


def texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def bar_widths(root: ET.Element) -> list[float]:
    return [float(rect.get("width", "0")) for rect in root.iter(f"{SVG}rect")]


def test_bar_chart_is_an_image_named_by_its_title():
    root = parse(charts.bar_chart(chart_id="sources", title="Prospects by source", bars=[("Stalls", 3)]))
    title = root.find(f"{SVG}title")
    assert root.get("role") == "img"
    assert title is not None and title.text == "Prospects by source"
    assert root.get("aria-labelledby") == title.get("id") == "sources-title"


def test_bar_chart_draws_a_bar_per_label_longest_for_the_largest():
    root = parse(charts.bar_chart(chart_id="c", title="t", bars=[("Stalls", 6), ("Emails", 3)]))
    stalls, emails = bar_widths(root)
    assert stalls == 2 * emails
    assert texts(root) == ["Stalls", "6", "Emails", "3"]


def test_bar_chart_scales_with_a_view_box_to_fit_a_phone():
    root = parse(charts.bar_chart(chart_id="c", title="t", bars=[("A", 1), ("B", 2), ("C", 3)]))
    assert root.get("viewBox", "").startswith(f"0 0 {charts.WIDTH} ")
    assert root.get("width") == "100%"
    assert root.get("style") is None  # inline styles break under the CSP


def test_bar_chart_with_zero_values_draws_empty_bars_and_says_zero():
    root = parse(charts.bar_chart(chart_id="c", title="t", bars=[("Stalls", 0), ("Emails", 0)]))
    assert bar_widths(root) == [0, 0]
    assert texts(root) == ["Stalls", "0", "Emails", "0"]


def test_bar_chart_without_bars_is_still_a_chart():
    root = parse(charts.bar_chart(chart_id="c", title="Nothing yet", bars=[]))
    assert root.find(f"{SVG}title").text == "Nothing yet"  # type: ignore[union-attr]
    assert bar_widths(root) == []


def test_labels_and_titles_are_escaped():
    markup = charts.bar_chart(
        chart_id="c", title="<script>alert(1)</script>", bars=[('"><img src=x onerror=alert(1)>', 1)]
    )
    assert "<script>" not in markup
    assert "<img" not in markup
    root = parse(markup)
    assert root.find(f"{SVG}title").text == "<script>alert(1)</script>"  # type: ignore[union-attr]


def test_chart_id_cannot_break_out_of_its_attribute():
    root = parse(charts.bar_chart(chart_id='x" onload="alert(1)', title="t", bars=[]))
    assert root.get("onload") is None
    assert root.get("aria-labelledby") == "x--onload--alert-1--title"


def test_long_labels_are_shortened_on_the_chart_but_whole_in_the_tooltip():
    label = "Believes in the union but is afraid of being a steward, and also much more"
    root = parse(charts.bar_chart(chart_id="c", title="t", bars=[(label, 2)]))
    shown = texts(root)[0]
    assert shown.endswith("…") and len(shown) <= charts.MAX_LABEL_CHARS
    tooltip = root.find(f"{SVG}g/{SVG}title")
    assert tooltip is not None and tooltip.text == f"{label}: 2"


def test_funnel_shows_each_step_with_its_count_widest_for_the_largest():
    root = parse(
        charts.funnel_chart(chart_id="funnel", title="Funnel", steps=[("Prospects", 10), ("Agreed", 5), ("Active", 0)])
    )
    assert texts(root) == ["Prospects: 10", "Agreed: 5", "Active: 0"]
    prospects, agreed, active = bar_widths(root)
    assert prospects == charts.WIDTH
    assert agreed == charts.WIDTH / 2
    assert 0 < active < agreed  # a sliver, so an empty step still shows where it is


def test_funnel_with_every_step_zero_is_well_formed():
    root = parse(charts.funnel_chart(chart_id="f", title="Funnel", steps=[("Prospects", 0), ("Agreed", 0)]))
    assert texts(root) == ["Prospects: 0", "Agreed: 0"]


def test_progress_bar_fills_its_share_and_marks_the_expected_pace():
    root = parse(charts.progress_bar(chart_id="t1", title="5 of 10", done=5, total=10, expected=8))
    _track, filled = bar_widths(root)
    assert filled == (charts.WIDTH - 4) / 2
    assert len(list(root.iter(f"{SVG}line"))) == 2  # the mark: white under black


def test_progress_bar_never_fills_past_full():
    root = parse(charts.progress_bar(chart_id="t1", title="12 of 8", done=12, total=8))
    _track, filled = bar_widths(root)
    assert filled == charts.WIDTH - 4
    assert not list(root.iter(f"{SVG}line"))


def test_progress_bar_of_nothing_is_empty():
    root = parse(charts.progress_bar(chart_id="t1", title="0 of 0", done=0, total=0, expected=0))
    assert bar_widths(root)[1] == 0


@given(label=st.text(), title=st.text(), value=st.integers(min_value=0, max_value=10**9))
@example(label="\x00\x0b\ud800 & < > \" '", title="]]><!--", value=0)
def test_any_text_makes_well_formed_svg(label, title, value):
    for markup in (
        charts.bar_chart(chart_id="c", title=title, bars=[(label, value), ("other", 1)]),
        charts.funnel_chart(chart_id="f", title=title, steps=[(label, value)]),
        charts.progress_bar(chart_id="p", title=title, done=value, total=8, expected=3.5),
    ):
        root = parse(markup)
        assert root.tag == f"{SVG}svg"
        assert len(list(root)) >= 1
