"""The SVG charts: well-formed, accessible (a name, a description and the figures as a table), escaped, and
sensible with no figures, one figure and very large ones."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learningdesk.reports import charts

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = [datetime.date(2025, month, 1) for month in range(3, 13)] + [datetime.date(2026, 1, 1)]


def parsed(html: str) -> ET.Element:
    """The chart's HTML as XML: it must be well-formed to parse at all."""
    return ET.fromstring(str(html))  # noqa: S314 - our own markup


def svg_of(figure: ET.Element) -> ET.Element:
    svg = figure.find(f"{SVG}svg")
    assert svg is not None
    return svg


def table_cells(figure: ET.Element) -> list[list[str]]:
    return [["".join(cell.itertext()) for cell in row] for row in figure.iter("tr")]


def line(**series: list[tuple[datetime.date, int]]) -> ET.Element:
    return parsed(charts.line_chart(series, title="Learning by month", description="Learners in Derby by month."))


def test_a_line_chart_is_an_image_named_by_its_title_and_description():
    figure = line(Learners=[(day, n * 3) for n, day in enumerate(MONTHS)])
    svg = svg_of(figure)
    assert svg.get("role") == "img"
    assert svg.get("viewBox", "").startswith("0 0 ")
    title_id, desc_id = svg.get("aria-labelledby", "").split()
    assert svg.find(f"{SVG}title").get("id") == title_id
    assert svg.find(f"{SVG}title").text == "Learning by month"
    assert svg.find(f"{SVG}desc").get("id") == desc_id
    assert svg.find(f"{SVG}desc").text == "Learners in Derby by month."


def test_a_line_chart_has_its_figures_in_a_table_beside_it():
    figure = line(Learners=[(MONTHS[0], 4), (MONTHS[1], 1234)], Completions=[(MONTHS[1], 2)])
    assert figure.find("details/summary/span").text == "Show the figures as a table"
    rows = table_cells(figure)
    assert rows[0] == ["Month", "Learners", "Completions"]
    # A month a series has no figure for reads 0.
    assert rows[1:] == [["March 2025", "4", "0"], ["April 2025", "1,234", "2"]]


def test_each_line_has_its_own_dash_and_marker_so_colour_is_not_the_only_cue():
    figure = line(A=[(day, 1) for day in MONTHS], B=[(day, 2) for day in MONTHS], C=[(day, 3) for day in MONTHS])
    dashes = [polyline.get("stroke-dasharray") for polyline in svg_of(figure).iter(f"{SVG}polyline")]
    assert len(set(dashes)) == 3
    shapes = {
        element.tag for element in svg_of(figure) if element.tag in {f"{SVG}circle", f"{SVG}rect", f"{SVG}polygon"}
    }
    assert len(shapes) == 3


def test_names_and_titles_are_escaped():
    html = charts.line_chart(
        {"<script>alert(1)</script> & co": [(MONTHS[0], 1)]},
        title='Learners "in" <Derby>',
        description="Tom & Jerry's branch",
    )
    assert "<script>" not in html
    figure = parsed(html)
    assert svg_of(figure).find(f"{SVG}title").text == 'Learners "in" <Derby>'
    texts = ["".join(text.itertext()) for text in svg_of(figure).iter(f"{SVG}text")]
    assert "<script>alert(1)</script> & co" in texts
    bars = charts.bar_chart([("<b>Derby</b> & Notts", 3)], title="<i>x</i>", description="y")
    assert "<b>" not in bars and "<i>" not in bars
    assert ["<b>Derby</b> & Notts", "3"] in table_cells(parsed(bars))


def test_a_chart_with_no_figures_says_so_and_still_parses():
    figure = line()
    texts = ["".join(text.itertext()) for text in svg_of(figure).iter(f"{SVG}text")]
    assert "No figures for this period" in texts
    bars = parsed(charts.bar_chart([], title="Learners", description="None yet."))
    assert "No figures for this period" in ["".join(t.itertext()) for t in svg_of(bars).iter(f"{SVG}text")]


def test_a_series_of_zeros_draws_a_flat_line_on_a_whole_number_axis():
    figure = line(Learners=[(day, 0) for day in MONTHS])
    labels = ["".join(text.itertext()) for text in svg_of(figure).iter(f"{SVG}text")]
    assert {"0", "1", "2", "3", "4"} <= set(labels)
    points = next(svg_of(figure).iter(f"{SVG}polyline")).get("points", "").split()
    assert len({point.split(",")[1] for point in points}) == 1


def test_a_single_month_is_a_marker_without_a_line():
    figure = line(Learners=[(MONTHS[0], 7)])
    assert not list(svg_of(figure).iter(f"{SVG}polyline"))
    assert len(list(svg_of(figure).iter(f"{SVG}circle"))) == 2  # the key's and the month's
    assert table_cells(figure)[1] == ["March 2025", "7"]


def test_large_numbers_get_short_axis_labels_and_exact_figures_in_the_table():
    figure = line(Members=[(MONTHS[0], 999_999), (MONTHS[1], 1_250_000)])
    labels = ["".join(text.itertext()) for text in svg_of(figure).iter(f"{SVG}text")]
    assert any(label.endswith("m") for label in labels)
    assert ["April 2025", "1,250,000"] in table_cells(figure)


def test_the_year_is_shown_under_the_first_month_and_every_january():
    figure = line(Learners=[(day, 1) for day in MONTHS])
    labels = ["".join(text.itertext()) for text in svg_of(figure).iter(f"{SVG}text")]
    assert labels.count("2025") == 1 and labels.count("2026") == 1


def test_the_same_figures_always_draw_the_same_chart():
    series = {"Learners": [(MONTHS[0], 1), (MONTHS[1], 2)]}
    first = charts.line_chart(series, title="T", description="D")
    assert charts.line_chart(series, title="T", description="D") == first
    assert charts.line_chart(series, title="Other", description="D") != first  # another id for another chart


def test_a_bar_chart_draws_a_dashed_target_line_with_its_value():
    figure = parsed(
        charts.bar_chart(
            [("Derby City", 1234), ("Nottingham Health", 99)], title="Learners", description="D", target=2000
        )
    )
    svg = svg_of(figure)
    dashed = [element for element in svg.iter(f"{SVG}line") if element.get("stroke-dasharray")]
    assert len(dashed) == 1
    labels = ["".join(text.itertext()) for text in svg.iter(f"{SVG}text")]
    assert "Target 2,000" in labels
    assert table_cells(figure) == [
        ["Name", "Figure", "Target"],
        ["Derby City", "1,234", "2,000"],
        ["Nottingham Health", "99", "2,000"],
    ]


def test_a_long_bar_label_is_shortened_but_named_in_full_in_the_bar_and_the_table():
    name = "The Derby City and County Learning Branch"
    figure = parsed(charts.bar_chart([(name, 5)], title="T", description="D", label_header="Branch"))
    svg = svg_of(figure)
    labels = ["".join(text.itertext()) for text in svg.iter(f"{SVG}text")]
    assert any(label.endswith("…") and name.startswith(label[:-1]) for label in labels)
    assert svg.find(f"{SVG}g/{SVG}title").text == f"{name}: 5"
    assert table_cells(figure)[0][0] == "Branch"
    assert table_cells(figure)[1][0] == name


def test_the_table_can_be_left_out_for_a_report_that_has_its_own():
    html = charts.bar_chart([("Derby", 1)], title="T", description="D", table=False)
    assert "<details" not in html and "<svg" in html
    assert "<details" not in charts.line_chart({"A": [(MONTHS[0], 1)]}, title="T", description="D", table=False)


def test_charts_use_no_style_attributes_which_the_content_security_policy_blocks():
    html = charts.line_chart({"A": [(MONTHS[0], 1), (MONTHS[1], 2)]}, title="T", description="D")
    html += charts.bar_chart([("Derby", 1)], title="T", description="D", target=3)
    assert "style=" not in html and "<script" not in html


@pytest.mark.parametrize(("largest", "top"), [(0, 4), (1, 1), (3, 3), (7, 8), (10, 10), (95, 100), (1234, 1500)])
def test_the_value_axis_ends_on_a_round_number_above_the_largest(largest, top):
    assert charts.value_axis(largest).top == top


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_the_value_axis_always_covers_the_largest_value_in_whole_steps(largest):
    axis = charts.value_axis(largest)
    assert axis.top >= largest
    assert axis.step >= 1 and axis.top % axis.step == 0
    assert 2 <= len(axis.ticks) <= 12


@settings(max_examples=50, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=40),
        st.lists(st.tuples(st.sampled_from(MONTHS), st.integers(min_value=0, max_value=10**7)), max_size=12),
        max_size=5,
    ),
    st.text(max_size=60),
)
def test_any_names_and_figures_make_a_well_formed_chart(series, title):
    cleaned = {name: dict(points) for name, points in series.items()}
    figure = parsed(
        charts.line_chart({name: sorted(p.items()) for name, p in cleaned.items()}, title=title, description="D")
    )
    assert svg_of(figure).find(f"{SVG}title") is not None
    bars = [(name, sum(points.values())) for name, points in cleaned.items()]
    parsed(charts.bar_chart(bars, title=title, description="D", target=len(bars)))


def test_the_charts_render_in_weasyprint_as_in_a_browser():
    """The committee report's PDF draws them: no script, no stylesheet, nothing WeasyPrint cannot lay out."""
    from weasyprint import HTML

    html = charts.line_chart({"Learners": [(MONTHS[0], 3), (MONTHS[1], 5)]}, title="T", description="D", table=False)
    html += charts.bar_chart([("Derby", 5), ("Nottingham", 1)], title="L", description="D", target=3, table=False)
    pdf = HTML(string=f"<html><body>{html}</body></html>").write_pdf()
    assert pdf is not None and pdf.startswith(b"%PDF")
