"""Committee reports through the pages: who may read and write them, starting one with sensible defaults, the
draft with its live figures and the co-ordinator's words, issuing (frozen, files kept with their SHA-256),
refusing changes after issue, downloads audited, deleting drafts only."""

from __future__ import annotations

import datetime
import hashlib
import io
from pathlib import Path

import docx
import pytest
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.reports import committee, committee_services
from learningdesk.reports.models import CommitteeReport
from tests.conftest import client_for
from tests.employers import contact_with_login
from tests.factories import PersonFactory
from tests.learning import make_activity, make_session
from tests.reports import aware, learner_sign_up
from tests.reports.test_committee_files import pdf_text
from tests.reports.urls_committee import derby_report

pytestmark = pytest.mark.django_db

LIST = reverse("reports:committee_list")
ADD = reverse("reports:committee_add")


def url(name: str, report: CommitteeReport) -> str:
    return reverse(f"reports:{name}", args=[report.pk])


def recent_report(world, **fields) -> CommitteeReport:
    """Derby's draft for the last 30 days (so that learning a few days ago is in it)."""
    today = timezone.localdate()
    fields.setdefault("title", "Derby's report")
    return CommitteeReport.objects.create(
        unit=world.derby,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today,
        created_by=world.coordinator,
        **fields,
    )


def learners_days_ago(world, days: int, count: int, *, title: str = "Maths for work") -> None:
    day = timezone.localdate() - datetime.timedelta(days=days)
    session = make_session(make_activity(world.derby, title=title), starts=aware(day, 10), capacity=50)
    for _ in range(count):
        learner_sign_up(session, PersonFactory(branch=world.derby))


def events(report: CommitteeReport, action: str) -> list[AuditEvent]:
    found = AuditEvent.objects.filter(target_type="committeereport", target_id=report.pk, action=action)
    return list(found.order_by("id"))


# Who may see what ---------------------------------------------------------------------------------


def test_the_list_shows_the_reports_of_the_users_units_only(world, coordinator_client):
    derby_report(world)
    CommitteeReport.objects.create(
        unit=world.notts,
        title="Nottingham Health report",
        starts_on=datetime.date(2026, 7, 1),
        ends_on=datetime.date(2026, 9, 30),
    )
    page = coordinator_client.get(LIST).content.decode()
    assert "Learning report to the Derby City committee" in page and "Nottingham Health report" not in page
    assert "Start a report" in page

    outsider_page = client_for(world.outsider).get(LIST).content.decode()
    assert "Nottingham Health report" in outsider_page and "Derby City committee" not in outsider_page

    regional_page = client_for(world.regional).get(LIST).content.decode()
    assert "Nottingham Health report" in regional_page and "Derby City committee" in regional_page


def test_an_officer_reads_reports_but_does_not_write_them(world):
    report = derby_report(world)
    officer = client_for(world.officer)
    page = officer.get(LIST).content.decode()
    assert "Derby City committee" in page and "Start a report" not in page
    detail = officer.get(url("committee_detail", report)).content.decode()
    assert "A good quarter at the Council House." in detail
    assert "Issue the report" not in detail and "Save the commentary" not in detail
    assert officer.get(url("committee_pdf", report)).status_code == 200
    for name in ("committee_edit", "committee_issue", "committee_delete"):
        assert officer.get(url(name, report)).status_code == 404
        assert officer.post(url(name, report), {"title": "Changed"}).status_code == 404
    assert officer.get(ADD).status_code == 404
    report.refresh_from_db()
    assert (report.title, report.status) == ("Learning report to the Derby City committee", "draft")


def test_a_ulr_and_an_employer_contact_get_nothing(world):
    report = derby_report(world)
    for user in (world.ulr, contact_with_login(world)):
        client = client_for(user)
        for address in (LIST, ADD, url("committee_detail", report), url("committee_pdf", report)):
            assert client.get(address).status_code == 404, address


def test_another_branch_gets_404_and_changes_nothing(world, outsider_client):
    report = derby_report(world)
    for name in ("committee_detail", "committee_edit", "committee_issue", "committee_delete", "committee_docx"):
        assert outsider_client.get(url(name, report)).status_code == 404
    assert outsider_client.post(url("committee_issue", report)).status_code == 404
    assert outsider_client.post(url("committee_delete", report)).status_code == 404
    report.refresh_from_db()
    assert report.status == CommitteeReport.Status.DRAFT
    assert not AuditEvent.objects.filter(target_type="committeereport").exists()


def test_the_list_is_paginated_in_a_few_queries(world, coordinator_client, django_assert_max_num_queries):
    for number in range(30):
        CommitteeReport.objects.create(
            unit=world.derby,
            title=f"Report {number:02}",
            starts_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=number * 20),
            ends_on=datetime.date(2024, 1, 10) + datetime.timedelta(days=number * 20),
            created_by=world.coordinator,
        )
    with django_assert_max_num_queries(12):
        page = coordinator_client.get(LIST).content.decode()
    assert "Report 29" in page and "Report 00" not in page  # the latest period first
    assert "Report 00" in coordinator_client.get(LIST + "?page=2").content.decode()


# Starting one ---------------------------------------------------------------------------------------


def test_starting_a_report_offers_the_branch_and_the_last_quarter(world, coordinator_client):
    form = coordinator_client.get(ADD).context["form"]
    starts_on, ends_on = committee.last_quarter(timezone.localdate())
    assert form["unit"].value() == world.derby.pk
    assert (form["starts_on"].value(), form["ends_on"].value()) == (starts_on, ends_on)
    assert form["kind"].value() == CommitteeReport.Kind.COMMITTEE
    assert [unit.pk for unit in form.fields["unit"].queryset] == [world.derby.pk]


def test_a_regional_coordinator_starts_with_a_progress_report_for_the_region(world):
    form = client_for(world.regional).get(ADD).context["form"]
    assert form["unit"].value() == world.region.pk
    assert form["kind"].value() == CommitteeReport.Kind.STEERING


def test_starting_a_report_saves_a_draft_with_a_title_that_says_what_it_is(world, coordinator_client):
    response = coordinator_client.post(
        ADD,
        {"unit": world.derby.pk, "kind": "committee", "starts_on": "2026-07-01", "ends_on": "2026-09-30", "title": ""},
    )
    report = CommitteeReport.objects.get()
    assert response["Location"] == url("committee_detail", report)
    assert report.title == "Learning report to the committee, July to September 2026"
    assert (report.status, report.created_by, report.unit) == ("draft", world.coordinator, world.derby)
    assert events(report, AuditEvent.Action.CREATED)[0].unit == world.derby


def test_bad_periods_and_kinds_are_explained_next_to_the_field(world, coordinator_client):
    response = coordinator_client.post(
        ADD, {"unit": world.derby.pk, "kind": "steering", "starts_on": "2026-09-30", "ends_on": "2026-07-01"}
    )
    form = response.context["form"]
    assert form.errors["ends_on"] == ["The period must end on or after the day it starts."]
    assert "has none" in form.errors["kind"][0]
    assert "There is a problem" in response.content.decode()
    response = coordinator_client.post(
        ADD, {"unit": world.notts.pk, "kind": "committee", "starts_on": "2026-07-01", "ends_on": "2026-09-30"}
    )
    assert "unit" in response.context["form"].errors
    response = coordinator_client.post(
        ADD, {"unit": world.derby.pk, "kind": "committee", "starts_on": "2020-01-01", "ends_on": "2026-09-30"}
    )
    assert "at most three years" in response.context["form"].errors["ends_on"][0]
    assert not CommitteeReport.objects.exists()


# The draft ------------------------------------------------------------------------------------------


def test_the_draft_shows_figures_counted_now(world, coordinator_client):
    report = recent_report(world)
    learners_days_ago(world, 3, 4)
    page = coordinator_client.get(url("committee_detail", report)).content.decode()
    assert "Draft" in page and "Maths for work" in page
    assert "Save the commentary" in page and "Issue the report" in page
    learners_days_ago(world, 2, 3, title="Spanish for beginners")
    assert "Spanish for beginners" in coordinator_client.get(url("committee_detail", report)).content.decode()


def test_the_commentary_and_budget_request_are_saved_from_the_draft(world, coordinator_client):
    report = derby_report(world)
    response = coordinator_client.post(
        url("committee_edit", report), {"words": "commentary", "commentary": "Maths went well.\n\nWe need a room."}
    )
    assert response["Location"] == url("committee_detail", report)
    coordinator_client.post(
        url("committee_edit", report), {"words": "budget_request", "budget_request": "£300 for books"}
    )
    report.refresh_from_db()
    assert (report.commentary, report.budget_request) == ("Maths went well.\n\nWe need a room.", "£300 for books")
    page = coordinator_client.get(url("committee_detail", report)).content.decode()
    assert "We need a room." in page and "£300 for books" in page
    assert [event.changes["fields"] for event in events(report, AuditEvent.Action.CHANGED)] == [
        ["commentary"],
        ["budget_request"],
    ]


def test_changing_the_period_counts_the_figures_again(world, coordinator_client):
    report = derby_report(world)
    page = coordinator_client.get(url("committee_edit", report))
    assert page.status_code == 200
    response = coordinator_client.post(
        url("committee_edit", report),
        {"title": "", "starts_on": "2026-01-01", "ends_on": "2026-06-30", "commentary": "", "budget_request": ""},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.starts_on, report.title) == (
        datetime.date(2026, 1, 1),
        "Learning report to the committee, January to June 2026",
    )
    response = coordinator_client.post(
        url("committee_edit", report), {"title": "x", "starts_on": "2026-06-30", "ends_on": "2026-01-01"}
    )
    assert response.context["form"].errors["ends_on"] == ["The period must end on or after the day it starts."]


def test_a_draft_downloads_as_a_marked_draft_and_is_audited(world, coordinator_client):
    report = derby_report(world)
    response = coordinator_client.get(url("committee_pdf", report))
    assert response["Content-Type"] == "application/pdf"
    assert "-draft.pdf" in response["Content-Disposition"]
    assert "Draft, not yet issued" in pdf_text(response.content)
    word = coordinator_client.get(url("committee_docx", report))
    assert word["Content-Disposition"].startswith("attachment;")
    assert "DRAFT" in docx.Document(io.BytesIO(word.content)).sections[0].header.paragraphs[0].text
    assert [event.changes for event in events(report, AuditEvent.Action.EXPORTED)] == [
        {"format": "pdf", "issued": False},
        {"format": "docx", "issued": False},
    ]


# Issuing ----------------------------------------------------------------------------------------------


def issue(client, report: CommitteeReport) -> CommitteeReport:
    assert "Issue “" in client.get(url("committee_issue", report)).content.decode()
    response = client.post(url("committee_issue", report))
    assert response["Location"] == url("committee_detail", report)
    report.refresh_from_db()
    return report


def test_issuing_freezes_the_figures_and_keeps_both_files_with_their_sha(world, coordinator_client):
    report = recent_report(world, commentary="Four came to maths.")
    learners_days_ago(world, 3, 4)

    report = issue(coordinator_client, report)

    assert report.status == CommitteeReport.Status.ISSUED
    assert (report.issued_by, report.issued_at is not None) == (world.coordinator, True)
    assert report.data["commentary"] == "Four came to maths."
    assert [row["title"] for row in report.data["held"]["rows"]] == ["Maths for work"]
    pdf, word = report.pdf.read(), report.docx.read()
    assert report.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert report.docx_sha256 == hashlib.sha256(word).hexdigest()
    assert pdf.startswith(b"%PDF") and "Four came to maths." in pdf_text(pdf)
    event = events(report, AuditEvent.Action.CHANGED)[-1]
    assert event.changes["issued"] is True

    # The records change after the report was sent: the report does not.
    learners_days_ago(world, 1, 9, title="Spanish for beginners")
    page = coordinator_client.get(url("committee_detail", report)).content.decode()
    assert "Spanish for beginners" not in page and "Maths for work" in page
    assert report.pdf_sha256 in page
    downloaded = coordinator_client.get(url("committee_pdf", report)).content
    assert downloaded == pdf and hashlib.sha256(downloaded).hexdigest() == report.pdf_sha256
    downloaded_word = coordinator_client.get(url("committee_docx", report)).content
    assert hashlib.sha256(downloaded_word).hexdigest() == report.docx_sha256
    assert [event.changes for event in events(report, AuditEvent.Action.EXPORTED)] == [
        {"format": "pdf", "issued": True},
        {"format": "docx", "issued": True},
    ]


def test_an_issued_report_can_no_longer_be_changed_or_deleted(world, coordinator_client):
    report = issue(coordinator_client, derby_report(world))
    data, sha = report.data, report.pdf_sha256

    response = coordinator_client.get(url("committee_edit", report), follow=True)
    assert committee_services.ISSUED_MESSAGE in response.content.decode()
    coordinator_client.post(url("committee_edit", report), {"words": "commentary", "commentary": "Rewritten"})
    coordinator_client.post(
        url("committee_edit", report), {"title": "Rewritten", "starts_on": "2026-01-01", "ends_on": "2026-02-01"}
    )
    coordinator_client.post(url("committee_delete", report))
    coordinator_client.post(url("committee_issue", report))

    report.refresh_from_db()
    assert (report.title, report.commentary) == (
        "Learning report to the Derby City committee",
        "A good quarter at the Council House.",
    )
    assert (report.data, report.pdf_sha256, report.status) == (data, sha, "issued")
    with pytest.raises(committee_services.ValidationError):
        committee_services.report_update(acting_user=world.coordinator, report=report, data={"commentary": "Rewritten"})
    with pytest.raises(committee_services.ValidationError):
        committee_services.report_delete(acting_user=world.coordinator, report=report)
    with pytest.raises(committee_services.ValidationError):
        committee_services.report_issue(acting_user=world.coordinator, report=report)
    page = coordinator_client.get(url("committee_detail", report)).content.decode()
    assert "Save the commentary" not in page and "Issue the report" not in page and "Download the PDF" in page


def test_a_failed_issue_leaves_a_draft_and_no_files(world, monkeypatch):
    report = derby_report(world)

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    media = Path(CommitteeReport._meta.get_field("pdf").storage.location)  # type: ignore[attr-defined]
    before = set(media.glob("reports/*/*"))
    monkeypatch.setattr(committee_services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        committee_services.report_issue(acting_user=world.coordinator, report=report)
    report.refresh_from_db()
    assert (report.status, report.pdf.name, report.data) == ("draft", "", {})
    assert set(media.glob("reports/*/*")) == before


# Deleting drafts ------------------------------------------------------------------------------------------


def test_a_draft_is_deleted_after_asking(world, coordinator_client):
    report = derby_report(world)
    assert "Delete the draft" in coordinator_client.get(url("committee_delete", report)).content.decode()
    response = coordinator_client.post(url("committee_delete", report))
    assert response["Location"] == LIST
    assert not CommitteeReport.objects.exists()
    event = AuditEvent.objects.get(target_type="committeereport", action=AuditEvent.Action.DELETED)
    assert event.unit == world.derby


# Equality figures -----------------------------------------------------------------------------------------


def test_the_equality_officer_adds_the_equality_figures_to_a_draft(world, coordinator_client):
    report = derby_report(world)
    assert "equality officer can add them" in coordinator_client.get(url("committee_detail", report)).content.decode()
    assert coordinator_client.post(url("committee_equality", report), {"include": "1"}).status_code == 404

    equality = client_for(world.equality)
    page = equality.get(url("committee_detail", report)).content.decode()
    assert "Add the equality figures to the report" in page
    assert "Equality of participation is not in this report" in page  # as the co-ordinator would issue it
    equality.post(url("committee_equality", report), {"include": "1"})

    page = coordinator_client.get(url("committee_detail", report)).content.decode()
    assert "Added to the report by Eve Equality" in page
    issued = issue(coordinator_client, report)
    assert issued.data["equality"]["included"] is True
    assert issued.data["equality"]["added_by"] == "Eve Equality"
    assert equality.post(url("committee_equality", report), {"include": "0"}).status_code == 404
