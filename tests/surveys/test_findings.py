"""The findings report for the employer: figures only, small counts suppressed, the co-ordinator's commentary,
as a page, a PDF and a Word document."""

from __future__ import annotations

import io

import docx
import pytest
from django.urls import reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.surveys import findings
from learningdesk.surveys.models import PrivacySettings, Survey
from tests.conftest import client_for
from tests.surveys import answer, choice, derby_survey, make_survey


@pytest.fixture
def answered(world) -> Survey:
    """Derby's anonymous survey with a threshold of 3: five chose Maths, one English, none Digital skills; five
    can learn at lunchtime, one at weekends; some typed a secret."""
    PrivacySettings.objects.create(unit=world.national, threshold=3)
    survey = derby_survey(world)
    lunchtime, weekends = choice(survey, 2, "Lunchtime").pk, choice(survey, 2, "Weekends").pk
    for index in range(5):
        answer(survey, q2=[lunchtime], q4="yes", q7=f"My manager Mr Secret{index}", q6="Porter")
    answer(survey, topic="English", q2=[weekends], q4="no")
    return survey


def test_a_count_under_the_threshold_is_hidden_and_one_more_if_the_rest_add_up():
    assert findings.hidden_cells([50, 20, 2], 10, adds_up=False) == [False, False, True]
    assert findings.hidden_cells([50, 20, 2], 10, adds_up=True) == [False, True, True]
    assert findings.hidden_cells([50, 2, 3], 10, adds_up=True) == [False, True, True]
    assert findings.hidden_cells([50, 20], 10, adds_up=True) == [False, False]


def test_the_threshold_is_the_organisations(world):
    survey = derby_survey(world)
    assert findings.threshold_for(survey) == 10
    PrivacySettings.objects.create(unit=world.national, threshold=5)
    assert findings.threshold_for(survey) == 5


def test_findings_show_counts_and_hide_small_ones(world, answered, coordinator_client):
    report = findings.survey_findings(world.coordinator, answered)
    assert report.responses == 6
    topic = report.questions[0]
    assert [(c.label, c.count, c.hidden, c.percent) for c in topic.cells] == [
        ("Maths", 5, False, 83),
        ("English", 1, True, None),
        ("Digital skills", 0, True, None),
    ]
    page = coordinator_client.get(reverse("surveys:findings", args=[answered.pk])).content.decode()
    assert "fewer than 3" in page
    assert "83%" in page
    assert "<svg" in page


def test_findings_hold_no_free_text(world, answered, coordinator_client):
    report = findings.survey_findings(world.coordinator, answered)
    assert all(not figures.question.is_text for figures in report.questions)
    page = coordinator_client.get(reverse("surveys:findings", args=[answered.pk])).content.decode()
    docx_bytes = coordinator_client.get(reverse("surveys:findings_docx", args=[answered.pk])).content
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(docx_bytes)).paragraphs)
    for secret in ("Secret", "Porter", "What stopped you?", "Your job"):
        assert secret not in page
        assert secret not in text


def test_a_hidden_answer_cannot_be_worked_out_from_the_total(world):
    PrivacySettings.objects.create(unit=world.national, threshold=3)
    survey = derby_survey(world)
    for _ in range(4):
        answer(survey, q4="yes")
    for _ in range(3):
        answer(survey, q4="no")
    answer(survey)  # said nothing about what stopped them
    yes_no = next(
        f for f in findings.survey_findings(world.coordinator, survey).questions if f.question.kind == "yes_no"
    )
    assert [(c.label, c.hidden) for c in yes_no.cells] == [("Yes", False), ("No", True), ("No answer", True)]


def test_no_figure_is_shown_until_the_survey_has_the_threshold_of_responses(world, coordinator_client):
    survey = derby_survey(world)
    for _ in range(4):
        answer(survey)
    report = findings.survey_findings(world.coordinator, survey)
    assert not report.enough
    assert report.questions == []
    page = coordinator_client.get(reverse("surveys:findings", args=[survey.pk])).content.decode()
    assert "Fewer than 10" in page
    assert "Figures appear once at least 10 people have answered" in page


def test_the_coordinator_saves_the_commentary(world, answered, coordinator_client):
    url = reverse("surveys:findings", args=[answered.pk])
    response = coordinator_client.post(url, {"commentary": "Most want maths at lunchtime.\n\nWe propose a course."})
    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.commentary == "Most want maths at lunchtime.\n\nWe propose a course."
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CHANGED, target_id=answered.pk, changes={"fields": ["commentary"]}
    ).exists()
    assert "Most want maths at lunchtime." in coordinator_client.get(url).content.decode()


def test_a_branch_running_a_national_survey_cannot_change_its_commentary(world):
    survey = make_survey(world.national, title="National learning survey", commentary="National view.")
    client = client_for(world.coordinator)
    url = reverse("surveys:findings", args=[survey.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Save commentary" not in page.content.decode()
    assert client.post(url, {"commentary": "Hijacked"}).status_code == 403
    survey.refresh_from_db()
    assert survey.commentary == "National view."


def test_officers_and_ulrs_cannot_see_or_change_the_findings(world, answered):
    url = reverse("surveys:findings", args=[answered.pk])
    for user in (world.officer, world.ulr, world.outsider):
        client = client_for(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"commentary": "Hijacked"}).status_code == 404
    answered.refresh_from_db()
    assert answered.commentary == ""


def test_the_report_is_a_pdf(world, answered, coordinator_client):
    answered.commentary = "Most want maths."
    answered.save()
    response = coordinator_client.get(reverse("surveys:findings_pdf", args=[answered.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_word_document_holds_the_commentary_and_the_counts(world, answered, coordinator_client):
    answered.commentary = "Most want maths at lunchtime.\n\nWe propose a course."
    answered.save()
    response = coordinator_client.get(reverse("surveys:findings_docx", args=[answered.pk]))
    assert "attachment" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    text = [p.text for p in document.paragraphs]
    assert "Most want maths at lunchtime." in text
    assert "We propose a course." in text
    assert "Survey findings: What would you like to learn?" in text
    first = document.tables[0]
    assert [cell.text for cell in first.rows[1].cells] == ["Maths", "5", "83%"]
    assert [cell.text for cell in first.rows[2].cells] == ["English", "Fewer than 3", ""]


def test_the_findings_take_a_fixed_number_of_queries(
    world, answered, coordinator_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        assert coordinator_client.get(reverse("surveys:findings", args=[answered.pk])).status_code == 200
