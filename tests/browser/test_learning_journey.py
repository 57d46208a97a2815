"""The learning programme end to end, on phones: a learner signs up from the public page and gets the email
with an .ics, the organiser takes the register and records an outcome, the learner's evaluation puts them on
the ULR register as a prospect, and both look at the learner's record. Every page is axe-checked and
photographed (var/screenshots/)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import icalendar
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, expect

from learningdesk.learning import evaluation
from learningdesk.learning.models import Outcome, Session, SignUp
from learningdesk.reps.models import Method, Rep
from tests.browser.conftest import PHONE, Checked, _context, sign_in
from tests.learning import make_activity, make_session
from tests.reps import rep_kind


def assert_fits_the_screen(checked: Checked) -> None:
    width = checked.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{checked.page.url} is {width}px wide on a 390px phone"


def link_in(message: mail.EmailMessage, pattern: str) -> str:
    """The path of the first link in the email's text that matches the pattern (the site URL set aside)."""
    url = re.search(rf"https?://\S*{pattern}\S*", str(message.body))
    assert url, f"No link matching {pattern} in: {message.body}"
    return urlsplit(url.group(0)).path


@pytest.fixture
def organiser_phone(browser: Browser, live_server) -> Iterator[Checked]:
    context = _context(browser, PHONE)
    yield Checked(context.new_page(), live_server.url, "phone")
    context.close()


def test_a_learner_signs_up_on_a_phone_and_the_organiser_follows_it_through(world, phone, organiser_phone):
    rep_kind("ulr")
    activity = make_activity(world.derby, title="Maths for work")
    session = make_session(activity, capacity=12, venue=Session.Venue.WORKPLACE, workplace=world.town_hall, address="")

    # The learner, from the QR code on a poster.
    phone.goto("/learn/em-derby/")
    expect(phone.page.locator("body")).to_contain_text("Derby City")
    assert_fits_the_screen(phone)
    phone.check("learning-public-unit")
    phone.page.get_by_role("link", name="Maths for work").click()
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("Maths for work")
    expect(phone.page.locator("body")).to_contain_text("12 places left")
    assert_fits_the_screen(phone)
    phone.check("learning-public-activity")
    phone.page.locator("a", has_text="Sign up").first.click()
    phone.page.get_by_label("First name").fill("Sam")
    phone.page.get_by_label("Last name").fill("Learner")
    phone.page.get_by_label("Email address").fill("sam.learner@example.org")
    phone.page.get_by_label("Your workplace").select_option(label="Council House")
    phone.page.get_by_label("No", exact=True).check()
    phone.page.get_by_label("Contact me about learning").check()
    assert_fits_the_screen(phone)
    phone.check("learning-sign-up")
    phone.page.get_by_role("button", name="Sign up").click()
    expect(phone.page.locator("body")).to_contain_text("Maths for work")
    expect(phone.page.locator("body")).to_contain_text("Place confirmed")
    assert_fits_the_screen(phone)
    phone.check("learning-signed-up")

    record = SignUp.objects.get(session=session)
    assert record.status == SignUp.Status.CONFIRMED
    assert record.person.full_name == "Sam Learner"

    # The confirmation email, with a calendar file any calendar reads.
    confirmation = next(m for m in mail.outbox if "sam.learner@example.org" in m.to)
    _name, content, content_type = next(a for a in confirmation.attachments if str(a[0]).endswith(".ics"))
    assert content_type.startswith("text/calendar")
    event = next(iter(icalendar.Calendar.from_ical(content).walk("VEVENT")))
    assert str(event["SUMMARY"]) == "Maths for work"
    assert event.decoded("DTSTART") == session.starts_at
    phone.goto(link_in(confirmation, "/learn/sign-ups/"))
    expect(phone.page.locator("body")).to_contain_text("Cancel")
    phone.check("learning-manage")

    # The session happens; the organiser takes the register on their phone.
    started = timezone.now() - datetime.timedelta(hours=2)
    Session.objects.filter(pk=session.pk).update(starts_at=started, ends_at=started + datetime.timedelta(hours=1))
    sign_in(organiser_phone, "coordinator@example.org")
    organiser_phone.goto(f"/learning/activities/{activity.pk}/")
    organiser_phone.check("learning-activity")
    organiser_phone.page.locator("a", has_text="Take the register").first.click()
    expect(organiser_phone.page.get_by_role("heading", level=1)).to_have_text("Register")
    organiser_phone.page.get_by_label("Sam Learner").check()
    assert_fits_the_screen(organiser_phone)
    organiser_phone.check("learning-register")
    organiser_phone.page.get_by_role("button", name="Save the register").click()
    expect(organiser_phone.page.locator(".govuk-notification-banner--success")).to_be_visible()
    record.refresh_from_db()
    assert record.status == SignUp.Status.ATTENDED

    # ... and records that Sam completed it.
    organiser_phone.goto(f"/learning/activities/{activity.pk}/outcomes/")
    organiser_phone.check("learning-outcomes")
    organiser_phone.page.locator("a", has_text="Add an outcome").first.click()
    organiser_phone.page.get_by_label("Completed").check()
    organiser_phone.check("learning-outcome-add")
    organiser_phone.page.get_by_role("button", name=re.compile("Save|Record")).click()
    expect(organiser_phone.page.locator(".govuk-notification-banner--success")).to_be_visible()
    assert Outcome.objects.get(person=record.person).kind == Outcome.Kind.COMPLETED

    # The evaluation: Sam would like to be a ULR, and is on the register as a prospect without anyone typing.
    mail.outbox.clear()
    assert evaluation.send_requests() == 1
    phone.goto(link_in(mail.outbox[0], "/learn/evaluation/"))
    phone.page.get_by_label("5").check()
    phone.page.get_by_label("What did you learn?").fill("Percentages, and that I can do maths after all.")
    phone.page.get_by_label(re.compile("becoming a union learning rep")).check()
    assert_fits_the_screen(phone)
    phone.check("learning-evaluation")
    phone.page.get_by_role("button", name="Send feedback").click()
    expect(phone.page.locator("body")).to_contain_text("Thank you")
    prospect = Rep.objects.get(person=record.person)
    assert prospect.method == Method.COURSE_EVALUATION

    organiser_phone.goto("/reps/")
    expect(organiser_phone.page.get_by_role("link", name="Learner, Sam")).to_be_visible()

    # The learner's record: on their page for the co-ordinator, and by an emailed link for Sam.
    organiser_phone.goto(f"/people/{record.person.pk}/")
    expect(organiser_phone.page.locator("body")).to_contain_text("Maths for work")
    organiser_phone.page.locator("a", has_text="See the full record").click()
    assert_fits_the_screen(organiser_phone)
    organiser_phone.check("learning-person-record")

    mail.outbox.clear()
    phone.goto("/learn/my-record/")
    phone.page.get_by_label(re.compile("Email address")).fill("sam.learner@example.org")
    phone.page.get_by_role("button").filter(has_text=re.compile("Send|Email")).first.click()
    expect(phone.page.locator("body")).to_contain_text("we've sent a link")
    phone.goto(link_in(mail.outbox[0], "/learn/my-record/"))
    expect(phone.page.locator("body")).to_contain_text("Maths for work")
    assert_fits_the_screen(phone)
    phone.check("learning-own-record")
