"""The recruitment page in a real browser: charts and tables on a phone, a target set on a desktop,
each page checked with axe and for CSP errors (see tests/browser/conftest.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from learningdesk.reps import services
from learningdesk.reps.models import Barrier, Method, Motivation, Source, Stage
from tests.browser.conftest import sign_in
from tests.factories import PersonFactory
from tests.reps import days_ago, make_rep, rep_kind


@pytest.fixture
def recruiting_world(world):
    """Derby recruiting this year: prospects from stalls and courses, some agreed and trained."""
    today = days_ago(0)
    for index, (source, method) in enumerate(
        [
            (Source.COURSE_ATTENDEE, Method.COURSE_TALK),
            (Source.COURSE_ATTENDEE, Method.STALL),
            (Source.FEARS_STEWARDING, Method.STALL),
            (Source.NEW_MEMBER, Method.ALL_MEMBER_EMAIL),
        ]
    ):
        rep = services.rep_add(
            acting_user=world.coordinator,
            person=PersonFactory(branch=world.derby, workplace=world.town_hall),
            kind=rep_kind("learner_champion"),
            on=today,
            data={"source": source, "method": method},
            motivations=[Motivation.HELPING_PEOPLE],
            barriers=[Barrier.NO_TIME] if index % 2 else [Barrier.NO_TIME, Barrier.NO_MANAGER_SUPPORT],
        )
        if index < 2:
            services.rep_move(acting_user=world.coordinator, rep=rep, stage=Stage.TRAINED, on=today)
    make_rep(world.derby_person, stage=Stage.ACTIVE, on=days_ago(400), workplaces=[world.town_hall])
    return world


def test_recruitment_figures_on_a_phone(recruiting_world, phone):
    sign_in(phone, "coordinator@example.org")
    phone.goto("/reps/recruitment/")
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("Recruiting reps")
    expect(phone.page.get_by_role("img", name="From prospect to active rep in the period")).to_be_visible()
    expect(phone.page.get_by_role("table", name="The funnel in figures")).to_contain_text("New prospects")
    phone.check("recruitment")


def test_set_a_target_and_see_it_on_track(recruiting_world, desktop):
    sign_in(desktop, "coordinator@example.org")
    desktop.goto("/reps/recruitment/")
    desktop.page.get_by_role("button", name="Set a target").click()
    desktop.check("recruitment-target-form")
    desktop.page.get_by_label("How many new reps").fill("")
    desktop.page.get_by_role("button", name="Set target").click()
    expect(desktop.page.locator(".govuk-error-summary")).to_contain_text("Enter how many new reps the target is")
    desktop.check("recruitment-target-error")
    desktop.page.get_by_label("How many new reps").fill("3")
    desktop.page.get_by_role("button", name="Set target").click()
    expect(desktop.page.locator(".govuk-notification-banner--success")).to_contain_text("Target set: 3 new reps")
    expect(desktop.page.locator("#targets ~ .govuk-summary-card")).to_contain_text("2 of 3")
    desktop.check("recruitment-with-target")
