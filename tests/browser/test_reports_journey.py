"""Reports end to end: the Derby co-ordinator sets this year's targets from the Amicus-AEEU template and sees how
far the branch has got; the regional co-ordinator drills down from the region to Derby and compares branches; the
co-ordinator writes a committee report, issues it, and the PDF and Word files come out as issued; the equality
officer sees participation with small numbers hidden; the budget, recruitment and news pages work on a phone.
Every page is axe-checked and photographed."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
from django.utils import timezone
from playwright.sync_api import expect

from learningdesk.reports.models import CommitteeReport, Measure, Spend, Target
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.factories import PersonFactory
from tests.learning import make_activity, make_session
from tests.reports import aware, learner_sign_up


def run(program: str, *args: str) -> str:
    """Run one of poppler's or LibreOffice's programs on our own files, by its full path."""
    executable = shutil.which(program)
    assert executable, f"{program} is needed: apt-get install poppler-utils"
    return subprocess.run([executable, *args], capture_output=True, text=True, check=True, timeout=180).stdout  # noqa: S603 (our own files)


def learners_at_derby(world, count: int) -> None:
    """`count` Derby members who came to a maths course a week ago."""
    activity = make_activity(world.derby, title="Functional Skills maths")
    session = make_session(activity, starts=aware(timezone.localdate() - datetime.timedelta(days=7)), capacity=50)
    for number in range(count):
        person = PersonFactory(branch=world.derby, workplace=world.town_hall, last_name=f"Learner{number}")
        learner_sign_up(session, person)


def test_targets_drill_down_and_the_committee_report(world, desktop, phone, tmp_path):
    today = timezone.localdate()
    learners_at_derby(world, 12)
    sign_in(desktop, "coordinator@example.org")
    page = desktop.page

    # The Reports page is where every report starts.
    desktop.goto("/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    desktop.check("reports-index")

    # Targets for this year from the Amicus-AEEU template, adapted to a branch: 40 learners, no learning centres.
    page.get_by_role("link", name="Targets").first.click()
    desktop.check("reports-targets-empty")
    page.get_by_role("link", name="Start from the Amicus-AEEU template").click()
    page.get_by_label("Which unit are these targets for?").select_option(value=str(world.derby.pk))
    page.get_by_role("group", name="Learners engaged").get_by_label("Target", exact=True).fill("40")
    page.get_by_role("group", name="Learning centres").get_by_label(re.compile("Set a target")).uncheck()
    desktop.check("reports-targets-template")
    page.get_by_role("button", name="Save these targets").click()
    derby_targets = Target.objects.filter(unit=world.derby)
    assert derby_targets.get(measure=Measure.LEARNERS).value == 40
    assert not derby_targets.filter(measure=Measure.LEARNING_CENTRES).exists()
    # Progress is counted from the records: the twelve learners, never typed.
    expect(page.locator("body")).to_contain_text("Learners engaged")
    expect(page.get_by_role("cell", name="12", exact=True).first).to_be_visible()
    desktop.check("reports-targets")

    # The home page shows the branch's figures against its targets, with the month-by-month trend.
    desktop.goto("/")
    desktop.check("reports-home-coordinator")

    # A committee report for the last three months, with the co-ordinator's commentary, issued as PDF and Word.
    desktop.goto("/reports/committee/")
    desktop.check("reports-committee-list-empty")
    page.get_by_role("button", name="Start a report").click()
    page.get_by_label("Committee report").check()
    page.get_by_label("Period from").fill((today - datetime.timedelta(days=90)).isoformat())
    page.get_by_label("Period to").fill(today.isoformat())
    page.get_by_label("Title").fill("Learning report to the branch committee")
    desktop.check("reports-committee-add")
    page.get_by_role("button", name=re.compile("Start|Create|Save|Continue")).first.click()
    report = CommitteeReport.objects.get(unit=world.derby)
    page.get_by_label(re.compile("commentary", re.I)).fill("A strong term: the maths course filled twice.")
    page.get_by_role("button", name="Save the commentary").click()
    page.get_by_label(re.compile("budget", re.I)).first.fill("£600 for a second maths tutor in the spring.")
    page.get_by_role("button", name="Save the budget request").click()
    desktop.check("reports-committee-draft")
    page.get_by_role("button", name="Issue the report").click()
    desktop.check("reports-committee-issue")
    page.get_by_role("button", name="Issue the report").click()
    report.refresh_from_db()
    assert report.is_issued and report.pdf_sha256 and report.docx_sha256
    desktop.check("reports-committee-issued")

    # The PDF as issued: rendered to a picture to look at, with the commentary and figures in its text.
    pdf = page.request.get(desktop.base_url + f"/reports/committee/{report.pk}/report.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    pdf_path = tmp_path / "report.pdf"
    pdf_path.write_bytes(pdf.body())
    text = run("pdftotext", str(pdf_path), "-")
    assert "A strong term" in text and "Learners engaged" in text and "£600" in text
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    run("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(pdf_path), str(SCREENSHOTS / "reports-committee-pdf"))
    # The Word file opens and says the same.
    word = page.request.get(desktop.base_url + f"/reports/committee/{report.pk}/report.docx")
    document = docx.Document(io.BytesIO(word.body()))
    assert any("A strong term" in paragraph.text for paragraph in document.paragraphs)
    assert document.tables, "the figures are tables in the Word file"
    if shutil.which("soffice"):
        docx_path = tmp_path / "report.docx"
        docx_path.write_bytes(word.body())
        run("soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx_path))
        assert Path(tmp_path / "report.pdf").stat().st_size > 1000

    # Budget: a spending line against this year's budget.
    desktop.goto("/reports/budget/")
    desktop.check("reports-budget")

    # The regional co-ordinator drills down from the region to Derby, and compares the branches.
    sign_in(phone, "region@example.org")
    phone.goto(f"/reports/targets/drilldown/?unit={world.region.pk}")
    expect(phone.page.locator("body")).to_contain_text("Derby")
    phone.check("reports-drilldown")
    phone.goto("/reports/compare/")
    expect(phone.page.locator("body")).to_contain_text("Derby")
    phone.check("reports-compare")
    phone.goto(f"/reports/committee/{report.pk}/")
    phone.check("reports-committee-phone")


def test_equality_budget_recruitment_and_news(world, desktop, phone):
    learners_at_derby(world, 12)
    sign_in(desktop, "equality@example.org")
    desktop.goto("/reports/equality/")
    expect(desktop.page.get_by_role("heading", level=1)).to_contain_text("Equality")
    expect(desktop.page.locator("body")).to_contain_text("fewer than 10")
    desktop.check("reports-equality")

    sign_in(phone, "coordinator@example.org")
    phone.goto("/reports/budget/")
    phone.page.get_by_role("button", name="Add spending").click()
    phone.page.get_by_label("What was it for?").fill("Stall at the staff wellbeing day")
    phone.page.get_by_label(re.compile("Amount")).fill("85.00")
    phone.page.get_by_label("Date spent").fill(timezone.localdate().isoformat())
    phone.check("reports-spend-form")
    phone.page.get_by_role("button", name=re.compile("Add|Save")).first.click()
    assert Spend.objects.filter(description="Stall at the staff wellbeing day").exists()
    phone.check("reports-budget-phone")
    phone.goto("/reports/recruitment/")
    phone.check("reports-recruitment")
    phone.goto("/reports/news/")
    phone.check("reports-news")
