"""Exporting a survey's responses: the right columns and rows, nothing identifying from an anonymous survey,
cells safe to open in a spreadsheet, and only for those who run the survey."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.surveys.models import Survey
from tests.conftest import client_for
from tests.factories import PersonFactory
from tests.learning import activity_type, subject
from tests.surveys import answer, choice, derby_survey, invite, make_survey


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def identified(world) -> Survey:
    """Derby's identified survey, answered by Maria Alberts (Council House) with several choices."""
    survey = make_survey(world.derby, title="Skills audit", anonymous=False)
    world.derby_person.job_title = "Payroll clerk"
    world.derby_person.save()
    answer(
        survey,
        world.derby_person,
        invitation=invite(survey, world.derby_person),
        topic="English",
        q2=[choice(survey, 2, "Weekends").pk, choice(survey, 2, "Lunchtime").pk],
        q3=4,
        q4="yes",
        q5="2.5",
        q6="Cleaner",
        q7="Shifts",
        q8=[f"subject:{subject('Digital skills').pk}", f"type:{activity_type('Webinar').pk}"],
    )
    return survey


def test_csv_has_a_column_per_question_and_a_row_per_response(world, identified, coordinator_client):
    rows = csv_rows(coordinator_client.get(reverse("surveys:export_csv", args=[identified.pk])))
    assert rows[0][:5] == ["Unit", "Employer", "Workplace", "Job group", "Submitted on"]
    assert rows[0][5] == "1. Which would you most like to learn?"
    assert len(rows[0]) == 5 + 8
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Unit"] == "Derby City"
    assert row["Employer"] == "Derby City Council"
    assert row["Workplace"] == "Council House"
    assert row["Job group"] == "Payroll clerk"
    assert row["Submitted on"] == timezone.localdate().isoformat()
    assert row["1. Which would you most like to learn?"] == "English"
    assert row["2. When could you learn?"] == "Lunchtime; Weekends"  # in the question's order
    assert row["3. How confident are you with computers?"] == "4"
    assert row["4. Has anything stopped you learning?"] == "Yes"
    assert row["5. How many hours a week could you give?"] == "2.5"
    assert row["7. What stopped you?"] == "Shifts"
    assert row["8. Which subjects interest you?"] == "Digital skills; Webinar"


def test_anonymous_export_carries_nothing_that_could_identify(world, coordinator_client):
    survey = derby_survey(world)
    world.depot_person.job_title = "Forklift driver"
    world.depot_person.save()
    answer(survey, world.depot_person, q6="Hello")
    answer(survey, q6="Hi")
    response = coordinator_client.get(reverse("surveys:export_csv", args=[survey.pk]))
    rows = csv_rows(response)
    assert rows[0][:2] == ["Branch", "Month"]
    assert not {"Unit", "Employer", "Workplace", "Job group", "Submitted on"} & set(rows[0])
    assert len(rows) == 3
    assert {tuple(row[:2]) for row in rows[1:]} == {("Derby City", f"{timezone.localdate():%Y-%m}")}
    text = "\n".join(",".join(row) for row in rows)
    for identifying in (
        "Stores Road Depot",
        "Derby City Council",
        "Forklift driver",
        "Patel",
        timezone.localdate().isoformat(),
    ):
        assert identifying not in text


def test_a_formula_in_an_answer_comes_out_as_text(world, coordinator_client):
    survey = derby_survey(world)
    answer(survey, q6='=HYPERLINK("http://evil.example","Click")')
    rows = csv_rows(coordinator_client.get(reverse("surveys:export_csv", args=[survey.pk])))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["6. Your job"] == '\'=HYPERLINK("http://evil.example","Click")'

    response = coordinator_client.get(reverse("surveys:export_xlsx", args=[survey.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [cell.value for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert '\'=HYPERLINK("http://evil.example","Click")' in values
    assert not any(str(value).startswith("=") for value in values if value is not None)


def test_xlsx_opens_with_openpyxl_and_holds_the_same_rows(world, identified, coordinator_client):
    response = coordinator_client.get(reverse("surveys:export_xlsx", args=[identified.pk]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[0][2] == "Workplace"
    assert rows[1][2] == "Council House"
    assert rows[1][5] == "English"
    assert rows[1][7] == 4  # a number stays a number


def test_exports_are_audited(world, identified, coordinator_client):
    for name in ("surveys:export_csv", "surveys:export_xlsx"):
        response = coordinator_client.get(reverse(name, args=[identified.pk]))
        b"".join(response.streaming_content)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED, target_id=identified.pk)
    assert sorted(event.changes["format"] for event in events) == ["csv", "xlsx"]
    assert all(event.actor == world.coordinator and event.changes["rows"] == 1 for event in events)


def test_only_those_who_run_the_survey_may_export(world, identified):
    for user in (world.ulr, world.officer, world.outsider):
        for name in ("surveys:export_csv", "surveys:export_xlsx"):
            assert client_for(user).get(reverse(name, args=[identified.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


def test_a_branch_running_a_national_survey_exports_only_its_own_responses(world, coordinator_client):
    survey = make_survey(world.national, title="National learning survey")
    answer(survey, world.derby_person, topic="English")
    answer(survey, world.notts_person, topic="Digital skills")
    rows = csv_rows(coordinator_client.get(reverse("surveys:export_csv", args=[survey.pk])))
    assert [row[:3] for row in rows[1:]] == [["Derby City", f"{timezone.localdate():%Y-%m}", "English"]]
    admin_rows = csv_rows(client_for(world.admin).get(reverse("surveys:export_csv", args=[survey.pk])))
    assert len(admin_rows) == 3


def test_the_export_reads_responses_a_chunk_at_a_time(world, coordinator_client, django_assert_max_num_queries):
    survey = make_survey(world.derby, anonymous=False)
    for _ in range(12):
        person = PersonFactory(branch=world.derby, workplace=world.depot)
        answer(survey, person, invitation=invite(survey, person), q2=[choice(survey, 2, "Lunchtime").pk])
    with django_assert_max_num_queries(12):
        rows = csv_rows(coordinator_client.get(reverse("surveys:export_csv", args=[survey.pk])))
    assert len(rows) == 13
    assert {row[2] for row in rows[1:]} == {"Stores Road Depot"}


def test_anonymous_users_are_sent_to_sign_in(world):
    survey = derby_survey(world)
    response = Client().get(reverse("surveys:export_csv", args=[survey.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
