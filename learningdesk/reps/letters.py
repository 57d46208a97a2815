"""The letter that notifies an employer of a union learning representative (TULRCA s.168A), as PDF and DOCX.

Both are made from the `letter` snapshot an `EmployerNotification` keeps (services.letter_snapshot), so the
letter can be produced again, years later, exactly as it was sent. `Letter` holds the words once; the PDF
(WeasyPrint, from an HTML template) and the DOCX (python-docx, editable) only lay them out.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from learningdesk.core.pdf import render_pdf

BRAND = "4b2a6b"
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SUBJECT = "Notification of a union learning representative"
ACT = (
    "section 168A of the Trade Union and Labour Relations (Consolidation) Act 1992 "
    "(as inserted by the Employment Act 2002)"
)


def long_date(value: datetime.date) -> str:
    """3 March 2027, as the rest of Learning Desk shows dates."""
    return f"{value.day} {value:%B %Y}"


def _date(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _list_in_words(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


@dataclass(frozen=True)
class Letter:
    """The words of one notification letter, in the order they are printed."""

    letterhead: str
    letterhead_email: str
    date: str
    recipient: list[str]
    salutation: str
    subject: str
    paragraphs: list[str]
    functions: list[str]
    after_functions: list[str]
    signed_by: str
    signer_role: str
    draft: bool = False
    file_stem: str = field(default="", compare=False)


# TULRCA s.168A(2): the functions a union learning representative gets paid time off for.
ULR_FUNCTIONS = [
    "analysing learning or training needs",
    "providing information and advice about learning or training",
    "arranging learning or training",
    "promoting the value of learning or training",
    "consulting the employer about carrying on any of these activities",
    "preparing for any of these activities",
]


def build_letter(snapshot: dict[str, Any], *, statutory: bool = True, draft: bool = False) -> Letter:
    """The letter's words from a notification's `letter` snapshot.

    `statutory` is false for roles without statutory rights (a learner champion): the letter then tells
    the employer about the role without claiming time off under s.168A.
    """
    sent_on = _date(snapshot.get("date", "")) or datetime.date.today()
    unit = snapshot.get("unit", "")
    rep_name = snapshot.get("rep_name", "")
    first_name = rep_name.split(" ")[0] if rep_name else "They"
    contact = snapshot.get("contact_name", "")
    employer = snapshot.get("employer", "")
    address_lines = [line.strip() for line in snapshot.get("contact_address", "").splitlines() if line.strip()]
    recipient = [contact, snapshot.get("contact_job_title", ""), employer, *address_lines]
    recipient = [line for line in recipient if line]

    job_title = snapshot.get("rep_job_title", "")
    workplaces = _list_in_words(list(snapshot.get("workplaces", [])))
    if job_title and workplaces:
        who = f"{rep_name}, {job_title} at {workplaces},"
    elif job_title or workplaces:
        who = f"{rep_name}, {job_title or 'who works at ' + workplaces},"
    else:
        who = rep_name

    trained_on = _date(snapshot.get("trained_on", ""))
    due_by = _date(snapshot.get("training_due_by", ""))
    if statutory:
        paragraphs = [
            f"I am writing to notify you, under {ACT}, that {who} has been appointed a union learning "
            f"representative of {unit}."
        ]
        if snapshot.get("trained") and trained_on:
            paragraphs.append(
                f"{first_name} has been trained to carry out the functions of a union learning representative: "
                f"they completed their training on {long_date(trained_on)}."
            )
        elif due_by:
            paragraphs.append(
                f"{first_name} will undergo training sufficient to carry out the functions of a union learning "
                f"representative within six months of the date of this notice, that is by {long_date(due_by)}. "
                "We will tell you when the training is complete."
            )
        paragraphs.append(
            f"From the date of this notice {first_name} is entitled to reasonable paid time off during working "
            "hours to carry out the functions of a union learning representative and to undergo training "
            "relevant to them (sections 168A and 169 of the Act, and the Acas Code of Practice on time off for "
            "trade union duties and activities). The functions are:"
        )
        after = [
            f"Please confirm that you have received this notice, and let us know the arrangements for "
            f"{first_name}'s time off: who they should ask, how much notice you would like, and any facility "
            "time already agreed for the role. We look forward to working with you on learning at work.",
        ]
        functions = ULR_FUNCTIONS
    else:
        role = snapshot.get("role", "learning rep").lower()
        paragraphs = [
            f"I am writing to let you know that {who} has been appointed a {role} of {unit}.",
            f"As a {role}, {first_name} will promote learning among colleagues and help them find courses "
            "and support. We would welcome your help in making time for this work.",
        ]
        functions = []
        after = ["Please confirm that you have received this letter, and let us know who we should talk to about it."]
    if snapshot.get("unit_email"):
        after.append(f"If you have any questions, please write to me at {snapshot['unit_email']}.")

    signed_by = snapshot.get("signed_by", "")
    return Letter(
        letterhead=unit,
        letterhead_email=snapshot.get("unit_email", ""),
        date=long_date(sent_on),
        recipient=recipient,
        salutation=f"Dear {contact}" if contact else "Dear Sir or Madam",
        subject=SUBJECT if statutory else f"Notification of a {snapshot.get('role', 'learning rep').lower()}",
        paragraphs=paragraphs,
        functions=functions,
        after_functions=after,
        signed_by=signed_by,
        signer_role=f"Learning co-ordinator, {unit}" if unit else "Learning co-ordinator",
        draft=draft,
        file_stem=letter_file_stem(snapshot, draft=draft),
    )


def _ascii_words(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[A-Za-z0-9]+", plain))


def letter_file_stem(snapshot: dict[str, Any], *, draft: bool = False) -> str:
    """ULR-notification-Maria-Alberts-2026-11-25 (DRAFT- first for a preview)."""
    parts = ["DRAFT"] if draft else []
    parts += ["ULR-notification", _ascii_words(snapshot.get("rep_name", "")) or "rep", snapshot.get("date", "")]
    return "-".join(part for part in parts if part)


def letter_pdf(letter: Letter) -> bytes:
    """The letter as an A4 PDF (WeasyPrint)."""
    return render_pdf("reps/letters/notification.html", {"letter": letter})


def _rule_under(paragraph: Any, colour: str = BRAND) -> None:
    """A coloured line under a paragraph (python-docx has no API for paragraph borders)."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", colour)):
        bottom.set(qn(name), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def letter_docx(letter: Letter) -> bytes:
    """The letter as an editable Word document: real headings and paragraphs, A4."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.5))
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(11)
    heading_style = document.styles["Heading 1"]
    heading_style.font.name = "Liberation Sans"
    heading_style.font.size = Pt(14)
    heading_style.font.color.rgb = RGBColor.from_string(BRAND)

    if letter.draft:
        draft = document.add_paragraph()
        run = draft.add_run("DRAFT: not sent. Record the notification in Learning Desk once the letter has gone.")
        run.bold = True
    head = document.add_paragraph()
    run = head.add_run(letter.letterhead)
    run.bold = True
    run.font.size = Pt(18)
    run.font.color.rgb = RGBColor.from_string(BRAND)
    if letter.letterhead_email:
        head.add_run().add_break(WD_BREAK.LINE)
        head.add_run(letter.letterhead_email).font.size = Pt(10)
    _rule_under(head)

    document.add_paragraph(letter.date)
    address = document.add_paragraph()
    for index, line in enumerate(letter.recipient):
        if index:
            address.add_run().add_break(WD_BREAK.LINE)
        address.add_run(line)
    document.add_paragraph(f"{letter.salutation},")
    document.add_heading(letter.subject, level=1)
    for text in letter.paragraphs:
        document.add_paragraph(text)
    for text in letter.functions:
        document.add_paragraph(text[:1].upper() + text[1:], style="List Bullet")
    for text in letter.after_functions:
        document.add_paragraph(text)
    document.add_paragraph("Yours sincerely,")
    signature = document.add_paragraph()
    if letter.signed_by:
        signature.add_run(letter.signed_by).bold = True
        signature.add_run().add_break(WD_BREAK.LINE)
    signature.add_run(letter.signer_role)
    document.core_properties.title = letter.subject
    document.core_properties.author = letter.letterhead

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
