"""The little markup an article may use, as HTML (escaped first: nothing typed becomes a tag) and as plain text.

Paragraphs are separated by a blank line; a line break stays a line break; lines starting "- " or "* " make a
list; **two stars** make bold; [words](https://link) and bare https:// links become links (http and https only,
so no javascript: or data: link can be written).
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

LIST_ITEM = re.compile(r"^\s*[-*]\s+")
LINK = re.compile(
    r"\[(?P<label>[^\]\n]+)\]\((?P<url>https?://[^\s()<>]+)\)"  # [words](https://link)
    r"|(?P<bare>https?://[^\s<>()]*[^\s<>().,;:!?'\"\]])"  # a link typed out, without the full stop after it
)
BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")


def _blocks(text: str) -> list[list[str]]:
    """The text's paragraphs and lists, each as its lines (blank lines separate them)."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _is_list(lines: list[str]) -> bool:
    return all(LIST_ITEM.match(line) for line in lines)


# The GOV.UK classes each tag gets on a web page (an email has none: mail programs show plain tags well).
WEB_CLASSES = {"p": ' class="govuk-body"', "ul": ' class="govuk-list govuk-list--bullet"', "a": ' class="govuk-link"'}


def _bold_html(escaped: str) -> str:
    return BOLD.sub(r"<strong>\1</strong>", escaped)


def _inline_html(line: str, classes: dict[str, str]) -> str:
    """One line as HTML: escaped, with its links and bold."""
    parts: list[str] = []
    position = 0
    for match in LINK.finditer(line):
        parts.append(_bold_html(escape(line[position : match.start()])))
        url = match.group("url") or match.group("bare")
        label = match.group("label") or url
        parts.append(f'<a href="{escape(url)}"{classes.get("a", "")}>{_bold_html(escape(label))}</a>')
        position = match.end()
    parts.append(_bold_html(escape(line[position:])))
    return "".join(parts)


def article_html(text: str, *, web: bool = False) -> SafeString:
    """The article as HTML paragraphs and lists: plain tags for an email, GOV.UK classes for a web page."""
    classes = WEB_CLASSES if web else {}
    html: list[str] = []
    for lines in _blocks(text):
        if _is_list(lines):
            items = "".join(f"<li>{_inline_html(LIST_ITEM.sub('', line, count=1), classes)}</li>" for line in lines)
            html.append(f"<ul{classes.get('ul', '')}>{items}</ul>")
        else:
            inner = "<br>".join(_inline_html(line.strip(), classes) for line in lines)
            html.append(f"<p{classes.get('p', '')}>{inner}</p>")
    return mark_safe("\n".join(html))


def _inline_text(line: str) -> str:
    def link(match: re.Match[str]) -> str:
        if match.group("bare"):
            return match.group("bare")
        return f"{match.group('label')} ({match.group('url')})"

    return BOLD.sub(r"\1", LINK.sub(link, line))


def article_text(text: str) -> str:
    """The article for the plain-text part: links written out in full, no stars."""
    paragraphs = []
    for lines in _blocks(text):
        if _is_list(lines):
            paragraphs.append("\n".join("- " + _inline_text(LIST_ITEM.sub("", line, count=1)) for line in lines))
        else:
            paragraphs.append("\n".join(_inline_text(line.strip()) for line in lines))
    return "\n\n".join(paragraphs)
