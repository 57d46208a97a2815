"""Browser journeys of the notification and the co-ordinator's home: checked with axe and photographed."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from learningdesk.reps.models import Rep, Stage, SupportContact
from tests.browser.conftest import sign_in
from tests.reps import days_ago, make_rep

pytestmark = pytest.mark.browser


def test_record_the_notification_and_download_the_letter(world, desktop):
    rep = make_rep(world.derby_person, stage=Stage.AGREED, workplaces=[world.town_hall], on=days_ago(20))
    sign_in(desktop, "coordinator@example.org")
    desktop.goto(f"/reps/{rep.pk}/")
    desktop.page.get_by_role("button", name="Record the notification to the employer").click()
    expect(desktop.page.get_by_role("heading", level=1)).to_have_text("Record the notification to the employer")
    desktop.check("notify")
    desktop.page.get_by_label("Employer contact").fill("Pat Manager")
    desktop.page.get_by_label("Their job title").fill("Head of HR")
    desktop.page.get_by_label("Their postal address").fill("Council House\nCorporation Street\nDerby DE1 2FS")
    desktop.page.get_by_role("button", name="Record the notification").click()
    expect(desktop.page.locator(".govuk-notification-banner--success")).to_contain_text("must be trained by")
    desktop.check("notification")
    with desktop.page.expect_download() as download:
        desktop.page.get_by_role("link", name="Download the letter as PDF").click()
    assert download.value.suggested_filename.startswith("ULR-notification-Maria-Alberts-")


def test_the_coordinators_home_on_a_phone(world, phone):
    make_rep(world.derby_person, stage=Stage.NOTIFIED, workplaces=[world.town_hall], on=days_ago(170))
    quiet = make_rep(world.depot_person, kind="learner_rep", stage=Stage.ACTIVE, workplaces=[world.depot])
    SupportContact.objects.create(rep=quiet, on=days_ago(60))
    Rep.objects.filter(pk=quiet.pk).update(created_at=timezone.now() - datetime.timedelta(days=90))
    sign_in(phone, "coordinator@example.org")
    expect(phone.page.locator("#attention-deadlines")).to_have_text("Training deadlines")
    expect(phone.page.get_by_role("link", name="Maria Alberts")).to_be_visible()
    expect(phone.page.get_by_role("link", name="Dev Patel")).to_be_visible()
    phone.check("home-attention")
    phone.page.get_by_role("link", name="Change after how many days a rep is listed").click()
    phone.page.get_by_label("Flag a rep after how many days without contact?").fill("30")
    phone.page.get_by_role("button", name="Save settings").click()
    expect(phone.page.locator(".govuk-notification-banner--success")).to_contain_text("Settings for Derby City saved.")
    phone.check("rep-settings")
