"""The committee report as files: the PDF (text read back with poppler, pages counted, page 1 drawn as a PNG
to look at), the Word document (opened with python-docx, and converted by LibreOffice when it is installed)."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from django.utils import timezone

from learningdesk.reports import committee, committee_services
from learningdesk.reports.models import CommitteeReport, Measure, Target
from learningdesk.reps.models import Recognition, Stage, SupportContact
from tests.factories import PersonFactory
from tests.learning import make_activity, make_session
from tests.reports import aware, learner_sign_up, rep_record

pytestmark = pytest.mark.django_db

START, END = datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)
TODAY = datetime.date(2026, 10, 12)
PNG_DIR = Path("/tmp/learningdesk-committee")  # noqa: S108 (pages drawn for a person to look at)


def pdf_text(content: bytes) -> str:
    """The text of a PDF as poppler's pdftotext reads it, whitespace squeezed."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "Install poppler-utils (.ci/run does) to read the report's text"
    result = subprocess.run([pdftotext, "-layout", "-", "-"], input=content, capture_output=True, check=True)  # noqa: S603 (our own PDF)
    return " ".join(result.stdout.decode().split())


def pdf_pages(content: bytes) -> int:
    from weasyprint import HTML  # noqa: F401  (only to be sure WeasyPrint made it)

    pdfinfo = shutil.which("pdfinfo")
    assert pdfinfo
    result = subprocess.run([pdfinfo, "-"], input=content, capture_output=True, check=True)  # noqa: S603
    line = next(line for line in result.stdout.decode().splitlines() if line.startswith("Pages:"))
    return int(line.split()[1])


@pytest.fixture
def busy_quarter(world):
    """Derby's summer: two courses with learners, a rep thanked, a target for the year."""
    Target.objects.create(
        unit=world.derby,
        measure=Measure.LEARNERS,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        value=40,
    )
    Target.objects.create(
        unit=world.derby,
        measure=Measure.SIGN_UPS,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        value=20,
    )
    for title, day, count in (("Maths for work", 7, 12), ("Digital skills drop-in", 15, 7)):
        session = make_session(
            make_activity(world.derby, title=title), starts=aware(datetime.date(2026, 8, day)), capacity=30
        )
        for _ in range(count):
            learner_sign_up(session, PersonFactory(branch=world.derby))
    make_session(make_activity(world.derby, title="Spanish for beginners"), starts=aware(datetime.date(2026, 11, 3)))
    maria = rep_record(world.derby_person, stage=Stage.ACTIVE, agreed_on=datetime.date(2026, 7, 2))
    SupportContact.objects.create(rep=maria, on=datetime.date(2026, 8, 3), appreciation=True)
    Recognition.objects.create(rep=maria, on=datetime.date(2026, 9, 1), kind=Recognition.Kind.TOLD_BRANCH)
    return world


def snapshot_of(world, **changes) -> dict:
    return committee.gather(
        unit=changes.pop("unit", world.derby),
        kind=changes.pop("kind", CommitteeReport.Kind.COMMITTEE),
        starts_on=START,
        ends_on=END,
        author=changes.pop("author", world.coordinator),
        commentary="A strong summer: the maths course filled twice.\n\nWe need a second tutor for the spring.",
        budget_request="£400 for a maths tutor, January to March.",
        today=TODAY,
    )


TITLE = "Learning report to the committee, July to September 2026"


def test_the_pdf_has_the_headings_figures_and_page_numbers(busy_quarter):
    world = busy_quarter
    snapshot = snapshot_of(world)
    content = committee_services.report_pdf(snapshot, title=TITLE)

    text = pdf_text(content)
    pages = pdf_pages(content)
    assert 2 <= pages <= 8
    for words in (
        "Learning Desk · Derby City",
        TITLE,
        "Commentary",
        "A strong summer",
        "The figures for July to September 2026",
        "Progress against targets",
        "Month by month",
        "Held in the period",
        "Maths for work",
        "Coming up",
        "Spanish for beginners",
        "Thanked and recognised",
        "Maria Alberts",
        "Told the branch",
        "Working with employers",
        "Survey findings",
        "Equality of participation",
        "Budget and resources asked for",
        "£400 for a maths tutor",
        f"Page 1 of {pages}",
        f"Page {pages} of {pages}",
    ):
        assert words in text, f"{words!r} is not in the PDF"
    assert "19 Learners engaged" in text or "19 Learners" in text
    assert "Well behind" in text or "Behind" in text or "On track" in text
    assert "DRAFT" not in text


def test_a_draft_pdf_says_it_is_a_draft(busy_quarter):
    content = committee_services.report_pdf(snapshot_of(busy_quarter), title=TITLE, is_draft=True)
    text = pdf_text(content)
    assert "Draft, not yet issued" in text and "DRAFT" in text


def test_page_one_drawn_as_a_picture(busy_quarter):
    """Page 1 and 2 as PNGs in /tmp, to look at (the layout is checked by eye; this checks they are drawn)."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("poppler-utils is not installed")
    PNG_DIR.mkdir(exist_ok=True)
    for name, snapshot in (
        ("committee", snapshot_of(busy_quarter)),
        (
            "steering",
            snapshot_of(
                busy_quarter, unit=busy_quarter.region, kind=CommitteeReport.Kind.STEERING, author=busy_quarter.admin
            ),
        ),
    ):
        content = committee_services.report_pdf(snapshot, title=TITLE, is_draft=name == "steering")
        (PNG_DIR / f"{name}.pdf").write_bytes(content)
        subprocess.run(  # noqa: S603
            [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "3", "-", str(PNG_DIR / name)], input=content, check=True
        )
        assert (PNG_DIR / f"{name}-1.png").stat().st_size > 10_000


def docx_of(content: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(content))


def test_the_word_file_has_headings_and_tables_of_figures(busy_quarter):
    content = committee_services.report_docx(snapshot_of(busy_quarter), title=TITLE)
    document = docx_of(content)

    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == TITLE
    for heading in (
        "Commentary",
        "The figures for July to September 2026",
        "Progress against targets",
        "Month by month",
        "Learning activities",
        "Held in the period",
        "Reps",
        "Thanked and recognised",
        "Working with employers",
        "Survey findings",
        "Equality of participation",
        "Recruitment through learning",
        "Budget and resources asked for",
    ):
        assert any(h.startswith(heading) for h in headings), heading
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    figures = next(table for table in tables if table[0][:2] == ["Measure", "Figure"])
    assert figures[1][:2] == ["Learners engaged", "19"]
    held = next(table for table in tables if table[0] == ["Activity", "Sessions", "Learners"])
    assert held[1][0].startswith("Maths for work") and held[1][1:] == ["1", "12"]
    thanked = next(table for table in tables if table[0][0] == "Rep")
    assert thanked[1] == ["Maria Alberts, ULR", "1", "Told the branch"]
    text = " ".join(p.text for p in document.paragraphs)
    assert "We need a second tutor for the spring." in text
    assert "£400 for a maths tutor" in text
    assert document.core_properties.title == TITLE
    assert document.sections[0].header.paragraphs[0].text == "Learning Desk · Derby City"


def test_a_steering_groups_word_file_compares_the_units(busy_quarter):
    world = busy_quarter
    snapshot = snapshot_of(world, unit=world.region, kind=CommitteeReport.Kind.STEERING, author=world.regional)
    document = docx_of(committee_services.report_docx(snapshot, title="Progress report"))
    compared = next(t for t in document.tables if t.rows[0].cells[0].text == "Unit")
    names = [row.cells[0].text for row in compared.rows[1:]]
    assert sorted(names) == ["Derby City", "Nottingham Health"]


@pytest.mark.slow
def test_libreoffice_opens_the_word_file(busy_quarter, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    source = tmp_path / "report.docx"
    source.write_bytes(committee_services.report_docx(snapshot_of(busy_quarter), title=TITLE))
    subprocess.run(  # noqa: S603
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = (tmp_path / "report.pdf").read_bytes()
    text = pdf_text(converted)
    assert TITLE in text and "Maths for work" in text and "Maria Alberts" in text
    assert timezone.localdate()  # LibreOffice ran on this machine today
