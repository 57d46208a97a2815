"""PDFs from templates (WeasyPrint): letters, posters, sign-in sheets, learning records.

The documents need nothing from outside: no web fonts, no images by URL, no file:// reads. Pictures (a QR
code, a chart) go into the template inline as SVG.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string

PDF_TYPE = "application/pdf"


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"A PDF may not load {url}")


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a template to an A4 PDF (the template sets its own @page rules)."""
    from weasyprint import HTML  # imported here: it loads Pango, which only the PDF views need

    pdf = HTML(string=render_to_string(template_name, context), url_fetcher=_no_fetching).write_pdf()
    assert pdf is not None
    return pdf


def pdf_response(pdf: bytes, file_name: str, *, as_attachment: bool = False) -> HttpResponse:
    """A PDF response, shown in the browser (or downloaded), never cached by a shared cache."""
    response = HttpResponse(pdf, content_type=PDF_TYPE)
    disposition = "attachment" if as_attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{file_name}"'
    response["Cache-Control"] = "private, no-store"
    return response
