"""The committee report as an editable Word document (python-docx), drawn from the report's snapshot.

The same sections as the PDF (committee_sections.py), as headings, paragraphs and plain tables the co-ordinator
can change before the meeting; the charts come out as their figures in tables. Fonts and colours follow the PDF
(and the survey findings' Word file).
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from learningdesk.reports import committee_sections as sections

BRAND = "4B2A6B"
HEADER_FILL = "EDE8F1"
PAGE_TEXT_CM = 17.0  # A4 less the 2 cm margins
MIN_COLUMN_CM = 2.0
LONGEST_CELL = 60  # characters: longer text wraps rather than widening its column further


def _shade(cell: Any, colour: str) -> None:
    shading = OxmlElement("w:shd")
    for name, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", colour)):
        shading.set(qn(name), value)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row: Any) -> None:
    """A table's header row repeats at the top of each page it runs onto."""
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _table(document: DocumentType, table: sections.Table) -> None:
    """A table with a shaded header row repeated on each page; figures right-aligned."""
    grid = document.add_table(rows=1, cols=len(table.headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    for cell, (header, numeric) in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = header
        for run in cell.paragraphs[0].runs:
            run.bold = True
        _shade(cell, HEADER_FILL)
        if numeric:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _repeat_header(grid.rows[0])
    for row in table.body:
        for cell, (value, numeric, _header) in zip(grid.add_row().cells, row, strict=True):
            cell.text = str(value)
            if numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _widths(grid, table)
    document.add_paragraph()


def _widths(grid: Any, table: sections.Table) -> None:
    """Columns as wide as their longest text needs (within reason), so a column of sentences is not squeezed
    beside a column of figures."""
    needs = [
        min(LONGEST_CELL, max([len(header), *(len(str(row[index])) for row in table.rows)]))
        for index, header in enumerate(table.headers)
    ]
    total = sum(needs) or 1
    widths = [max(MIN_COLUMN_CM, PAGE_TEXT_CM * need / total) for need in needs]
    scale = PAGE_TEXT_CM / sum(widths)
    grid.autofit = False
    # Word reads the cells' widths, LibreOffice the table grid's: set both.
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Cm(width * scale)
    for row in grid.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width * scale)


def _note(document: DocumentType, text: str) -> None:
    run = document.add_paragraph().add_run(text)
    run.italic = True
    run.font.size = Pt(9)


def _figures(document: DocumentType, figures: list[tuple[str, str]]) -> None:
    """The big numbers of a section, side by side in a borderless row."""
    table = document.add_table(rows=1, cols=len(figures))
    for cell, (number, label) in zip(table.rows[0].cells, figures, strict=True):
        run = cell.paragraphs[0].add_run(number)
        run.bold = True
        run.font.size = Pt(18)
        run.font.color.rgb = RGBColor.from_string(BRAND)
        cell.add_paragraph(label)
    document.add_paragraph()


def _styles(document: DocumentType) -> None:
    page = document.sections[0]
    page.page_width, page.page_height = Cm(21), Cm(29.7)
    page.left_margin = page.right_margin = Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = "Liberation Sans"  # type: ignore[union-attr]
    normal.font.size = Pt(10.5)  # type: ignore[union-attr]
    for name in ("Title", "Heading 1", "Heading 2"):
        style = document.styles[name]
        style.font.name = "Liberation Sans"  # type: ignore[union-attr]
        style.font.color.rgb = RGBColor.from_string(BRAND)  # type: ignore[union-attr]


def snapshot_docx(snapshot: dict[str, Any], *, title: str, is_draft: bool = False) -> bytes:
    """The whole report as a .docx file."""
    document = Document()
    _styles(document)
    unit = snapshot["unit"]["name"]
    document.sections[0].header.paragraphs[0].text = f"Learning Desk · {unit}{' · DRAFT' if is_draft else ''}"
    document.add_heading(title, level=0)
    document.add_paragraph(sections.about_line(snapshot, is_draft=is_draft))
    for part in sections.sections(snapshot):
        document.add_heading(part.heading, level=part.level)
        if part.figures:
            _figures(document, part.figures)
        for text in part.paragraphs:
            document.add_paragraph(text)
        for text in part.bullets:
            document.add_paragraph(text, style="List Bullet")
        for table in part.tables:
            _table(document, table)
        for text in part.notes:
            _note(document, text)
    document.core_properties.title = title
    document.core_properties.author = unit
    document.core_properties.subject = f"{snapshot['kind_label']}, {snapshot['period']['label']}"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
