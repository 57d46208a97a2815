"""The article markup: paragraphs, lists, bold and links, with everything typed escaped."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from learningdesk.comms.markup import article_html, article_text

OUR_TAGS = re.compile(r'</?(p|br|ul|li|strong)>|<a href="[^"<>]*">|</a>')


def test_paragraphs_lists_bold_and_links():
    text = (
        "Our **spring** programme is here.\nSee it online.\n\n"
        "- Maths at lunchtime\n- [Sign up](https://example.org/learn?a=1&b=2)\n\n"
        "More at https://example.org/more."
    )

    assert article_html(text) == (
        "<p>Our <strong>spring</strong> programme is here.<br>See it online.</p>\n"
        '<ul><li>Maths at lunchtime</li><li><a href="https://example.org/learn?a=1&amp;b=2">Sign up</a></li></ul>\n'
        '<p>More at <a href="https://example.org/more">https://example.org/more</a>.</p>'
    )
    assert article_text(text) == (
        "Our spring programme is here.\nSee it online.\n\n"
        "- Maths at lunchtime\n- Sign up (https://example.org/learn?a=1&b=2)\n\n"
        "More at https://example.org/more."
    )


def test_web_pages_get_govuk_classes():
    assert article_html("Hello https://example.org", web=True) == (
        '<p class="govuk-body">Hello <a href="https://example.org" class="govuk-link">https://example.org</a></p>'
    )


def test_html_and_other_kinds_of_link_are_shown_as_typed():
    text = '<script>alert(1)</script> [click](javascript:alert(1)) <a href="x">y</a>'

    out = article_html(text)

    assert "<script>" not in out
    assert "&lt;script&gt;" in out
    assert "javascript:alert(1)" in out  # as words, not a link
    assert "<a " not in out


@given(st.text(max_size=300))
def test_anything_typed_becomes_only_our_own_tags(text):
    out = article_html(text)

    leftover = OUR_TAGS.sub("", out)
    assert "<" not in leftover and ">" not in leftover
    for href in re.findall(r'<a href="([^"]*)">', out):
        assert html.unescape(href).startswith(("http://", "https://"))


@given(
    st.lists(st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=12), min_size=1, max_size=20)
)
def test_every_word_typed_is_kept(words):
    text = " ".join(words)

    assert html.unescape(re.sub(r"<[^>]+>", "", article_html(text))) == text
    assert article_text(text) == text
