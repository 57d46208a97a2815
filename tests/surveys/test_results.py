"""A survey's results: counts and percentages, scoping of responses, breakdowns with small numbers suppressed,
free-text answers and the organisation's threshold."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.learning.models import Subject
from learningdesk.org.models import Consent, EqualityRecord, OrgUnit, Person, Workplace
from learningdesk.surveys import responses
from learningdesk.surveys.models import PrivacySettings, Response, Survey
from learningdesk.surveys.results import survey_results
from tests.conftest import World, client_for
from tests.factories import PersonFactory
from tests.surveys import answer, choice, invite, make_survey, q


def respond(
    survey: Survey, *, unit: OrgUnit, workplace: Workplace | None = None, topic: str = "Maths", **extra: Any
) -> Response:
    """A complete response from someone at `workplace` (or just in `unit`), by the public link."""
    answers: dict[int, Any] = {q(survey, 1).pk: choice(survey, 1, topic).pk}
    for order, value in extra.items():
        answers[q(survey, int(order.removeprefix("q"))).pk] = value
    respondent = responses.respondent_at(workplace, unit)
    return responses.save_response(survey=survey, answers=answers, respondent=respondent)


def set_threshold(world: World, threshold: int) -> None:
    PrivacySettings.objects.update_or_create(unit=world.national, defaults={"threshold": threshold})


# Counts and percentages -------------------------------------------------------------------------


@pytest.fixture
def answered(world: World) -> Survey:
    """Derby's survey, answered by four people."""
    survey = make_survey(world.derby)
    maths = Subject.objects.order_by("name").first()
    assert maths is not None
    when = choice(survey, 2, "Lunchtime").pk, choice(survey, 2, "Weekends").pk
    respond(survey, unit=world.derby, q2=list(when), q3=4, q4=True, q5=Decimal("2"), q6="Porter",
            q7="Childcare", q8=[f"subject:{maths.pk}"])  # fmt: skip
    respond(survey, unit=world.derby, q2=[when[0]], q3=4, q4=False, q5=Decimal("5"), q6="Cleaner")
    respond(survey, unit=world.derby, q3=2, q4=True, q7="Shifts and childcare")
    respond(survey, unit=world.derby, topic="English")
    return survey


def test_counts_and_percentages_are_right(world, answered):
    found = survey_results(world.coordinator, answered)
    assert found.responses == 4
    topic, when, scale, yes_no, number, job, stopped, subjects = found.questions
    assert [(c.label, c.n, c.percent) for c in topic.counts] == [
        ("Maths", 3, 75.0),
        ("English", 1, 25.0),
        ("Digital skills", 0, 0.0),
    ]
    assert when.answered == 2
    assert [(c.label, c.n, c.percent) for c in when.counts] == [
        ("Lunchtime", 2, 100.0),
        ("After work", 0, 0.0),
        ("Weekends", 1, 50.0),
    ]
    assert [(c.label, c.n) for c in scale.counts] == [("1", 0), ("2", 1), ("3", 0), ("4", 2), ("5", 0)]
    assert [(c.label, c.n, c.percent) for c in yes_no.counts] == [("Yes", 2, 66.7), ("No", 1, 33.3)]
    assert number.numbers is not None
    assert (number.numbers.count, number.numbers.average) == (2, Decimal("3.5"))
    assert (number.numbers.least, number.numbers.most) == (Decimal("2"), Decimal("5"))
    assert (job.answered, stopped.answered) == (2, 2)
    assert [(c.n, c.percent) for c in subjects.counts] == [(1, 100.0)]


def test_the_results_page_shows_charts_tables_and_a_link_to_the_text_answers(world, answered):
    page = client_for(world.coordinator).get(reverse("surveys:results", args=[answered.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<svg") >= 5 and 'role="img"' in html
    assert "75%" in html and "Average" in html
    assert "2 answers — " in html and reverse("surveys:answers", args=[q(answered, 7).pk]) in html
    assert "Breakdowns appear once 10 people have answered" in html


def test_a_survey_nobody_answered_says_so(world):
    survey = make_survey(world.derby)
    page = client_for(world.coordinator).get(reverse("surveys:results", args=[survey.pk]))
    assert "Nobody has answered yet" in page.content.decode()


def test_the_results_page_takes_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    survey = make_survey(world.derby)
    client = client_for(world.coordinator)
    client.get(reverse("surveys:results", args=[survey.pk]))  # warm the session and the scope
    for _ in range(12):
        respond(survey, unit=world.derby, workplace=world.town_hall, q3=3, q4=True, q5=Decimal("1"), q6="Clerk")
    with django_assert_max_num_queries(19):
        assert client.get(reverse("surveys:results", args=[survey.pk])).status_code == 200
    url = reverse("surveys:breakdown", args=[survey.pk]) + f"?question={q(survey, 1).pk}&by=workplace"
    with django_assert_max_num_queries(19):
        assert client.get(url).status_code == 200


# Scoping ----------------------------------------------------------------------------------------


def test_a_branch_running_a_national_survey_counts_only_its_own_units_responses(world):
    survey = make_survey(world.national, title="National learning survey")
    for _ in range(2):
        respond(survey, unit=world.derby, workplace=world.town_hall)
    for _ in range(3):
        respond(survey, unit=world.notts, workplace=world.hospital, topic="English")
    assert survey_results(world.coordinator, survey).responses == 2
    assert survey_results(world.outsider, survey).responses == 3
    assert survey_results(world.admin, survey).responses == 5
    page = client_for(world.coordinator).get(reverse("surveys:results", args=[survey.pk]))
    maths, english = page.context["results"].questions[0].counts[:2]
    assert (maths.n, english.n) == (2, 0)


def test_a_branch_breakdown_of_a_national_survey_shows_only_its_own_workplaces(world):
    set_threshold(world, 3)
    survey = make_survey(world.national, title="National learning survey")
    for _ in range(3):
        respond(survey, unit=world.derby, workplace=world.town_hall)
        respond(survey, unit=world.notts, workplace=world.hospital)
    url = reverse("surveys:breakdown", args=[survey.pk]) + f"?question={q(survey, 1).pk}&by=workplace"
    html = client_for(world.coordinator).get(url).content.decode()
    assert "Council House" in html and "Queen&#x27;s Medical Centre" not in html
    assert "Queen&#x27;s Medical Centre" in client_for(world.admin).get(url).content.decode()


def test_an_unfinished_response_is_not_counted(world):
    survey = make_survey(world.derby, anonymous=False)
    invitation = invite(survey, world.derby_person)
    responses.save_response(
        survey=survey,
        answers={q(survey, 1).pk: choice(survey, 1, "Maths").pk},
        respondent=responses.respondent_of(world.derby_person),
        invitation=invitation,
        complete=False,
    )
    assert survey_results(world.coordinator, survey).responses == 0


# Breakdowns and suppression ---------------------------------------------------------------------


def breakdown_url(survey: Survey, by: str = "workplace", question: int = 1) -> str:
    return reverse("surveys:breakdown", args=[survey.pk]) + f"?question={q(survey, question).pk}&by={by}"


def test_no_breakdown_until_the_threshold_is_reached(world):
    survey = make_survey(world.derby)
    for _ in range(9):
        respond(survey, unit=world.derby, workplace=world.town_hall)
    client = client_for(world.coordinator)
    page = client.get(breakdown_url(survey))
    assert "Breakdowns appear once 10 people have answered" in page.content.decode()
    assert page.context["breakdown"] is None
    respond(survey, unit=world.derby, workplace=world.town_hall)
    page = client.get(breakdown_url(survey))
    assert page.context["breakdown"] is not None


def test_counts_at_the_threshold_are_shown(world):
    survey = make_survey(world.derby)
    for workplace in (world.town_hall, world.depot):
        for _ in range(10):
            respond(survey, unit=world.derby, workplace=workplace)
    page = client_for(world.coordinator).get(breakdown_url(survey))
    table = page.context["breakdown"].table
    assert [[cell.count for cell in row] for row in table.cells] == [[10, 0, 0], [10, 0, 0]]
    assert "fewer than" not in page.content.decode().split("<table")[1]


def test_a_count_under_the_threshold_shows_as_fewer_than_ten_and_cannot_be_worked_out(world):
    survey = make_survey(world.derby)
    for _ in range(10):
        respond(survey, unit=world.derby, workplace=world.town_hall)
    for _ in range(9):
        respond(survey, unit=world.derby, workplace=world.depot)
    page = client_for(world.coordinator).get(breakdown_url(survey))
    html = page.content.decode()
    assert "fewer than 10" in html
    breakdown = page.context["breakdown"]
    assert [row.label for row in breakdown.rows] == ["Council House", "Stores Road Depot"]
    depot_maths = breakdown.rows[1].cells[0][1]
    assert depot_maths.hidden and depot_maths.primary
    # The Depot's total (9) is hidden too, and the Council House's Maths with the Maths total, or 19 - 10 = 9.
    assert breakdown.rows[1].total.hidden
    table = breakdown.table
    assert table.cells[0][0].hidden or table.column_totals[0].hidden


def test_job_groups_and_people_who_gave_no_workplace_are_grouped(world):
    set_threshold(world, 3)
    survey = make_survey(world.derby)
    for _ in range(3):
        respond(survey, unit=world.derby)
    page = client_for(world.coordinator).get(breakdown_url(survey, by="job_group"))
    assert [row.label for row in page.context["breakdown"].rows] == ["Not known"]
    assert [
        row.label for row in client_for(world.coordinator).get(breakdown_url(survey)).context["breakdown"].rows
    ] == ["Not known"]


def test_text_questions_cannot_be_broken_down(world):
    set_threshold(world, 3)
    survey = make_survey(world.derby)
    for _ in range(3):
        respond(survey, unit=world.derby, q6="Porter")
    page = client_for(world.coordinator).get(breakdown_url(survey, question=6))
    assert page.context["breakdown"] is None
    assert "Choose one of the survey" in page.content.decode()


def equality_survey(world: World, *, anonymous: bool) -> Survey:
    """A Derby survey answered by three invited women at the Council House, their equality recorded."""
    set_threshold(world, 3)
    survey = make_survey(world.derby, anonymous=anonymous)
    for _ in range(3):
        person: Person = PersonFactory(branch=world.derby, workplace=world.town_hall)
        EqualityRecord.objects.create(
            person=person, gender=EqualityRecord.Gender.WOMAN, consent_method=Consent.Method.ONLINE
        )
        answer(survey, person, invitation=invite(survey, person))
    return survey


def test_an_equality_officer_can_break_an_identified_survey_down_by_gender(world):
    survey = equality_survey(world, anonymous=False)
    page = client_for(world.equality).get(breakdown_url(survey, by="gender"))
    breakdown = page.context["breakdown"]
    assert [row.label for row in breakdown.rows] == ["Woman"]
    assert breakdown.rows[0].cells[0][1].count == 3


def test_equality_breakdowns_are_not_offered_to_a_coordinator(world):
    survey = equality_survey(world, anonymous=False)
    page = client_for(world.coordinator).get(breakdown_url(survey, by="gender"))
    assert page.context["breakdown"] is None
    html = page.content.decode()
    assert "Choose one of the groups listed" in html
    assert 'value="gender"' not in html


def test_anonymous_surveys_have_no_equality_breakdown(world):
    survey = equality_survey(world, anonymous=True)
    page = client_for(world.equality).get(breakdown_url(survey, by="gender"))
    assert page.context["breakdown"] is None
    assert 'value="gender"' not in page.content.decode()
    assert Response.objects.filter(survey=survey, person__isnull=False).count() == 0


# Free-text answers ------------------------------------------------------------------------------


def test_text_answers_can_be_searched(world, answered):
    client = client_for(world.coordinator)
    url = reverse("surveys:answers", args=[q(answered, 7).pk])
    page = client.get(url, {"q": "shifts"})
    assert [a.text for a in page.context["page_obj"].object_list] == ["Shifts and childcare"]
    page = client.get(url, {"q": "CHILDCARE"})
    assert page.context["page_obj"].paginator.count == 2
    assert "No answers contain" in client.get(url, {"q": "pay"}).content.decode()


def test_anonymous_text_answers_show_the_text_and_nothing_else(world, answered):
    html = client_for(world.coordinator).get(reverse("surveys:answers", args=[q(answered, 7).pk])).content.decode()
    assert "Childcare" in html
    assert "ld-result__meta" not in html


def test_identified_text_answers_show_when_and_where(world):
    survey = make_survey(world.derby, anonymous=False)
    answer(survey, world.derby_person, invitation=invite(survey, world.derby_person), q6="Porter")
    html = client_for(world.coordinator).get(reverse("surveys:answers", args=[q(survey, 6).pk])).content.decode()
    assert "Porter" in html and "Council House" in html


def test_text_answers_paginate_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    survey = make_survey(world.derby, anonymous=False)
    for _ in range(30):
        respond(survey, unit=world.derby, workplace=world.town_hall, q6="Porter")
    client = client_for(world.coordinator)
    url = reverse("surveys:answers", args=[q(survey, 6).pk])
    client.get(url)
    with django_assert_max_num_queries(10):
        page = client.get(url, {"page": 2})
    assert page.status_code == 200 and len(page.context["page_obj"].object_list) > 0


def test_only_text_questions_have_an_answers_page(world, answered):
    page = client_for(world.coordinator).get(reverse("surveys:answers", args=[q(answered, 1).pk]))
    assert page.status_code == 403


# The threshold ----------------------------------------------------------------------------------


def test_a_national_administrator_sets_the_threshold(world):
    client = client_for(world.admin)
    assert client.get(reverse("surveys:privacy")).status_code == 200
    page = client.post(reverse("surveys:privacy"), {"threshold": "15"}, follow=True)
    assert "Counts under 15 are now hidden" in page.content.decode()
    assert PrivacySettings.objects.get(unit=world.national).threshold == 15
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATED, target_type="privacysettings").exists()
    survey = make_survey(world.derby)
    html = client_for(world.coordinator).get(reverse("surveys:results", args=[survey.pk])).content.decode()
    assert "Breakdowns appear once 15 people have answered" in html


def test_a_threshold_too_small_to_protect_anyone_is_refused(world):
    page = client_for(world.admin).post(reverse("surveys:privacy"), {"threshold": "2"})
    assert "must be at least 3" in page.content.decode()
    assert not PrivacySettings.objects.exists()


@pytest.mark.parametrize("who", ["coordinator", "regional", "equality", "officer"])
def test_only_a_national_administrator_sets_the_threshold(world, who):
    client = client_for(getattr(world, who))
    assert client.get(reverse("surveys:privacy")).status_code == 403
    assert client.post(reverse("surveys:privacy"), {"threshold": "3"}).status_code == 403
    assert not PrivacySettings.objects.exists()
