"""A rep logging facility time and a conversation on a 390px phone: nothing wider than the screen, axe-clean,
photographed (var/screenshots/). The lead's journey tests cover the rest of the ULR network."""

from __future__ import annotations

from playwright.sync_api import expect

from learningdesk.reps import facility
from learningdesk.reps.models import Conversation, FacilityTimeEntry
from tests.browser.conftest import Checked, sign_in
from tests.factories import PersonFactory
from tests.reps import derby_rep, rep_with_login


def assert_fits_the_screen(checked: Checked) -> None:
    width = checked.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{checked.page.url} is {width}px wide on a 390px phone"


def test_a_rep_logs_time_and_a_conversation_on_a_phone(world, phone):
    rep = rep_with_login(world)
    PersonFactory(first_name="Sam", last_name="Lee", branch=world.derby, workplace=world.town_hall)
    sign_in(phone, "ulr@example.org")
    phone.goto("/reps/me/")
    assert_fits_the_screen(phone)
    phone.check("reps-own")

    phone.page.get_by_role("button", name="Log time").click()
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("Log facility time")
    assert_fits_the_screen(phone)
    phone.check("reps-time-log")
    phone.page.get_by_label("1½ hours").check()
    phone.page.get_by_label("Advising members about learning").check()
    phone.page.get_by_role("button", name="Log time").click()
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("Time logged")
    expect(phone.page.locator("#used-week")).to_contain_text("1.5 hours")
    assert_fits_the_screen(phone)
    phone.check("reps-time-logged")
    assert FacilityTimeEntry.objects.get().rep == rep

    phone.goto("/reps/conversations/log/")
    phone.page.get_by_label("Who did you talk to?").fill("sam")
    expect(phone.page.get_by_label("Sam Lee")).to_be_visible()
    assert_fits_the_screen(phone)
    phone.check("reps-conversation-log")
    phone.page.get_by_label("Sam Lee").check()
    phone.page.get_by_label("A course or activity").check()
    phone.page.get_by_label("They would like to become a rep").check()
    phone.page.get_by_role("button", name="Log conversation").click()
    expect(phone.page.locator(".govuk-notification-banner--success")).to_contain_text("prospect ULR")
    assert Conversation.objects.get().person.first_name == "Sam"


def test_find_works_without_javascript(world, phone_without_js):
    rep_with_login(world)
    sign_in(phone_without_js, "ulr@example.org")
    phone_without_js.goto("/reps/conversations/log/")
    phone_without_js.page.get_by_label("Who did you talk to?").fill("Maria")
    phone_without_js.page.get_by_role("button", name="Find").click()
    expect(phone_without_js.page.get_by_label("Maria Alberts")).to_be_visible()
    expect(phone_without_js.page.get_by_label("Who did you talk to?")).to_have_value("Maria")


def test_the_facility_report_fits_a_phone(world, phone):
    maria = derby_rep(world)
    facility.allowance_set(acting_user=None, rep=maria, employer=world.council, hours=2, per="week")
    sign_in(phone, "coordinator@example.org")
    phone.goto("/reps/facility-time/")
    expect(phone.page.locator("#reps")).to_contain_text("Using none")
    assert_fits_the_screen(phone)
    phone.check("reps-facility-report")
