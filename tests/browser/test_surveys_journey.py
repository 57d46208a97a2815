"""Surveys end to end: a co-ordinator builds a survey from a template and opens it; members answer it
anonymously on a phone, by its public link and by a personal link; the results and a breakdown show with
small numbers suppressed; the answers are exported; and what people asked to learn becomes an activity whose
invitations go to the identified respondents who asked. Every page is axe-checked and photographed."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from django.core import mail
from playwright.sync_api import Browser, expect

from learningdesk.learning.models import Activity
from learningdesk.org.models import Consent
from learningdesk.surveys import responses
from learningdesk.surveys.models import Invitation, PrivacySettings, Question, Response, Survey
from tests.browser.conftest import PHONE, Checked, _context, sign_in
from tests.factories import PersonFactory
from tests.learning import catalogue, subject
from tests.surveys import answer, invite, make_survey


@pytest.fixture
def second_phone(browser: Browser, live_server) -> Iterator[Checked]:
    context = _context(browser, PHONE)
    yield Checked(context.new_page(), live_server.url, "phone")
    context.close()


def answer_the_template_survey(checked: Checked) -> None:
    """Fill in the member learning survey's required questions, and say what stopped you."""
    page = checked.page
    page.get_by_role("group", name=re.compile("done any learning")).get_by_label("Yes").check()
    page.get_by_label("Functional skills maths").check()
    page.get_by_label("Lunchtime").check()


def test_a_survey_from_a_template_answered_on_phones_to_results_export_and_an_activity(
    world, desktop, phone, second_phone
):
    catalogue()
    PrivacySettings.objects.create(unit=world.national, threshold=3)
    sign_in(desktop, "coordinator@example.org")

    # Build it from a template, and open it.
    desktop.goto("/surveys/templates/")
    desktop.check("surveys-templates")
    desktop.page.locator("a", has_text="Use this template").first.click()
    desktop.page.get_by_label("Branch or unit that runs it").select_option(label="Derby City")
    desktop.page.get_by_role("button", name="Create the draft").click()
    expect(desktop.page.get_by_role("heading", level=1)).to_contain_text("What would you like to learn?")
    desktop.check("surveys-builder")
    desktop.page.get_by_role("button", name=re.compile("Open the survey")).click()
    survey = Survey.objects.get(unit=world.derby)
    assert survey.status == Survey.Status.OPEN and survey.is_anonymous

    # A member answers by the public link on their phone: told plainly it is anonymous.
    phone.goto(f"/s/{survey.public_token}/")
    expect(phone.page.locator("body")).to_contain_text("Your answers are anonymous")
    answer_the_template_survey(phone)
    phone.check("surveys-answer")
    phone.page.get_by_role("button", name="Send your answers").click()
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("Thank you")
    phone.check("surveys-thanks")

    # Another answers by their personal link: the invitation is used, the response linked to nobody.
    invitation = invite(survey, world.depot_person)
    second_phone.goto(f"/s/i/{invitation.token}/")
    answer_the_template_survey(second_phone)
    second_phone.page.get_by_role("button", name="Send your answers").click()
    expect(second_phone.page.get_by_role("heading", level=1)).to_have_text("Thank you")
    invitation.refresh_from_db()
    assert invitation.used
    assert not Response.objects.filter(survey=survey).exclude(person=None, invitation=None).exists()
    second_phone.goto(f"/s/i/{invitation.token}/")
    expect(second_phone.page.locator("body")).to_contain_text("already answered")

    # Results, and a breakdown by workplace with small numbers suppressed (threshold 3 here).
    desktop.goto(f"/surveys/{survey.pk}/results/")
    expect(desktop.page.locator("body")).to_contain_text("2")
    desktop.check("surveys-results")
    # Two more members answer at the Council House (2 there, "fewer than 3"; the 2 by phone gave no workplace).
    questions = responses.survey_questions(survey)
    learned = questions[0]
    wanted = next(question for question in questions if question.kind == Question.Kind.SUBJECTS)
    extra = {learned.pk: True, wanted.pk: [f"subject:{subject('Functional skills maths').pk}"]}
    for person in PersonFactory.create_batch(2, branch=world.derby, workplace=world.town_hall):
        responses.save_response(survey=survey, answers=extra, respondent=responses.respondent_of(person))
    desktop.goto(f"/surveys/{survey.pk}/breakdown/?question={learned.pk}&by=workplace")
    expect(desktop.page.locator("body")).to_contain_text("fewer than 3")
    desktop.check("surveys-breakdown")

    # The export: every answer, safe for a spreadsheet, nothing that identifies anyone.
    exported = desktop.page.request.get(f"{desktop.base_url}/surveys/{survey.pk}/export.csv")
    rows = list(csv.reader(io.StringIO(exported.text())))
    assert len(rows) == 1 + 4
    assert "Workplace" not in rows[0]

    # Demand into an activity: an identified survey where two consenting members asked for maths.
    identified = make_survey(world.derby, title="Skills audit", anonymous=False)
    maths = subject("Functional skills maths")
    for person in (world.derby_person, world.depot_person):
        Consent.objects.create(person=person, kind=Consent.Kind.LEARNING_NEWS, given=True, method="online")
        answer(identified, person, invitation=invite(identified, person), q8=[f"subject:{maths.pk}"])
    desktop.goto(f"/surveys/{identified.pk}/demand/")
    desktop.check("surveys-demand")
    desktop.page.locator("a", has_text="Make an activity").first.click()
    desktop.page.get_by_label(re.compile("Title")).fill("Maths for work")
    desktop.page.get_by_label(re.compile("Description")).fill(
        "Six friendly lunchtime sessions, for everyone who asked."
    )
    desktop.check("surveys-demand-activity")
    desktop.page.get_by_role("button", name="Create a draft activity").click()
    mail.outbox.clear()
    desktop.page.get_by_role("button", name=re.compile("Publish and invite 2 people")).click()
    activity = Activity.objects.get(title="Maths for work")
    assert activity.status == Activity.Status.PUBLISHED and activity.subject == maths
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.derby_person.email, world.depot_person.email])
    assert Invitation.objects.filter(survey=identified, used=True).count() == 2
