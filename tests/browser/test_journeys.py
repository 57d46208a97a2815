"""The main journeys of the foundation, on a phone and a desktop, each checked with axe and photographed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from learningdesk.org.models import Person
from tests.browser.conftest import sign_in
from tests.factories import PersonFactory


@pytest.fixture
def busy_world(world):
    """The personas, plus enough Derby members to make the lists look like a real branch."""
    PersonFactory.create_batch(30, branch=world.derby, workplace=world.town_hall, job_title="Care worker")
    PersonFactory.create_batch(12, branch=world.derby, workplace=world.depot, job_title="HGV driver")
    return world


def test_sign_in_on_a_phone(busy_world, phone):
    phone.goto("/")
    expect(phone.page).to_have_url(re.compile(r"/sign-in/\?next=/"))
    phone.check("sign-in")
    phone.page.get_by_label("Email address").fill("coordinator@example.org")
    phone.page.get_by_label("Password").fill("wrong password")
    phone.page.get_by_role("button", name="Sign in").click()
    expect(phone.page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the email address and password of your Learning Desk account"
    )
    phone.check("sign-in-error")
    sign_in(phone, "coordinator@example.org")
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("Hello, Carol")
    expect(phone.page.locator(".ld-stats")).to_contain_text("44")
    phone.check("home")


def test_browse_the_tree_as_a_regional_coordinator(busy_world, desktop):
    sign_in(desktop, "region@example.org")
    desktop.page.get_by_role("link", name="Organisation").first.click()
    desktop.check("tree")
    desktop.page.get_by_role("link", name="East Midlands").click()
    expect(desktop.page.get_by_role("heading", level=1)).to_have_text("East Midlands")
    desktop.check("region")
    desktop.page.get_by_role("link", name="Derby City", exact=True).click()
    desktop.check("branch")
    desktop.page.get_by_role("link", name="Council House").click()
    expect(desktop.page.get_by_role("heading", level=1)).to_have_text("Council House")
    desktop.check("workplace")
    desktop.page.get_by_role("link", name="Derby City Council").first.click()
    desktop.check("employer")


def test_search_for_a_member_on_a_phone(busy_world, phone):
    sign_in(phone, "coordinator@example.org")
    phone.goto("/people/")
    expect(phone.page.locator("#result-count")).to_contain_text("44 people")
    phone.check("people")
    phone.page.get_by_label("Search").fill("maria alb")
    # htmx swaps the results in as you type, without a page load.
    expect(phone.page.locator("#result-count")).to_contain_text("matching “maria alb”")
    expect(phone.page.locator(".ld-result")).to_have_count(1)
    expect(phone.page).to_have_url(re.compile(r"q=maria"))
    phone.check("people-search")
    phone.page.get_by_role("link", name="Alberts, Maria").click()
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("Maria Alberts")
    phone.check("person")


def test_search_works_without_javascript(busy_world, phone_without_js):
    sign_in(phone_without_js, "coordinator@example.org")
    phone_without_js.goto("/people/")
    phone_without_js.page.get_by_label("Search").fill("patel")
    phone_without_js.page.get_by_role("button", name="Search", exact=True).click()
    expect(phone_without_js.page.locator(".ld-result").first).to_contain_text("Patel")


def test_add_a_person_and_edit_them_on_a_phone(busy_world, phone):
    sign_in(phone, "coordinator@example.org")
    phone.goto("/people/")
    phone.page.get_by_role("button", name="Add a person").click()
    phone.page.get_by_role("button", name="Add person").click()
    summary = phone.page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()
    phone.check("person-add-errors")
    phone.page.get_by_label("First name").fill("Sam")
    phone.page.get_by_label("Last name").fill("Quartermaine")
    phone.page.get_by_label("Non-member").check()
    phone.page.get_by_label("Email").fill("sam.quartermaine@example.org")
    phone.page.get_by_label("Workplace").select_option(label="Stores Road Depot, Derby City Council")
    phone.page.get_by_role("button", name="Add person").click()
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("Sam Quartermaine")
    expect(phone.page.locator(".govuk-notification-banner")).to_contain_text("Sam Quartermaine added")
    phone.check("person-added")
    phone.page.get_by_role("button", name="Edit details").click()
    phone.page.get_by_label("Job title").fill("Stores assistant")
    phone.check("person-edit")
    phone.page.get_by_role("button", name="Save changes").click()
    expect(phone.page.locator(".govuk-summary-list").first).to_contain_text("Stores assistant")
    assert Person.objects.get(last_name="Quartermaine").job_title == "Stores assistant"


def test_another_branchs_person_is_not_found(busy_world, phone):
    sign_in(phone, "notts@example.org")
    phone.goto(f"/people/{busy_world.derby_person.pk}/")
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("Page not found")
    phone.check("not-found", page_is_an_error=True)


@pytest.mark.parametrize(
    ("email", "path", "name"),
    [
        ("coordinator@example.org", "/units/", "units"),
        ("coordinator@example.org", "/employers/", "employers"),
        ("coordinator@example.org", "/employers/add/", "employer-add"),
        ("coordinator@example.org", "/team/", "team"),
        ("coordinator@example.org", "/team/add/", "role-grant"),
        ("coordinator@example.org", "/audit/", "audit-log"),
        ("coordinator@example.org", "/people/{derby_person}/consent/", "consent"),
        ("equality@example.org", "/people/{derby_person}/equality/", "equality"),
        ("admin@example.org", "/units/kinds/", "unit-kinds"),
        ("coordinator@example.org", "/workplaces/{town_hall}/delete/", "workplace-delete"),
        ("ulr@example.org", "/", "home-ulr"),
        ("ulr@example.org", "/account/password/", "password-change"),
    ],
)
def test_other_pages_are_accessible_on_a_phone(busy_world, phone, email, path, name):
    sign_in(phone, email)
    phone.goto(path.format(derby_person=busy_world.derby_person.pk, town_hall=busy_world.town_hall.pk))
    expect(phone.page.get_by_role("heading", level=1)).to_be_visible()
    phone.check(name)


def test_a_form_with_errors_is_accessible(busy_world, phone):
    sign_in(phone, "coordinator@example.org")
    phone.goto("/team/add/")
    phone.page.get_by_role("button", name="Give role").click()
    expect(phone.page.locator(".govuk-error-summary")).to_be_visible()
    phone.check("role-grant-errors")
