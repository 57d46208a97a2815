"""A branch co-ordinator recruits a ULR from prospect to trained, on a desktop and then on a phone: each page
checked with axe and photographed (var/screenshots/)."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

from learningdesk.reps.models import EmployerNotification, Rep, Stage
from learningdesk.reps.models import training_deadline as deadline_of
from tests.browser.conftest import Checked, sign_in
from tests.factories import PersonFactory
from tests.reps import rep_kind


def test_a_coordinator_recruits_a_prospect_through_to_trained(world, desktop):
    rep_kind("ulr")
    PersonFactory(
        first_name="Priya",
        last_name="Shah",
        branch=world.derby,
        workplace=world.depot,
        job_title="Stores assistant",
        email="priya.shah@example.net",
    )
    page = desktop.page
    sign_in(desktop, "coordinator@example.org")

    # The register starts empty and says what to do.
    page.get_by_role("link", name="Reps", exact=True).first.click()
    page.wait_for_load_state("load")
    desktop.check("reps-register-empty")
    page.locator("a", has_text="Add a prospect").first.click()

    # Find the person, then add them as a prospect found at a stall.
    page.get_by_label("Search").or_(page.locator("#id_q")).first.fill("Shah")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="Shah, Priya").click()
    page.wait_for_load_state("load")
    page.get_by_role("radio", name="ULR").check()
    page.get_by_label("Who they are").select_option(label="Attends the employer's training")
    page.get_by_label("How they were found").select_option(label="At a learning stall")
    page.get_by_role("checkbox", name="Loves helping people").check()
    page.get_by_role("checkbox", name="Doesn't have the time").check()
    desktop.check("reps-add-prospect")
    page.get_by_role("button", name="Add to the register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Shah")
    expect(page.locator("main")).to_contain_text("Prospect")
    desktop.check("reps-prospect")
    rep = Rep.objects.get(person__last_name="Shah")

    # Approached, then agreed to stand.
    for stage in ("Approached", "Agreed to stand"):
        page.locator("a", has_text="Move to the next stage").first.click()
        page.get_by_role("radio", name=stage).check()
        if stage == "Approached":
            desktop.check("reps-move")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("main")).to_contain_text(stage)

    # Notify the employer: the six-month training deadline starts, the letter is there to download.
    page.locator("a", has_text="Record the notification to the employer").first.click()
    page.get_by_label("Employer contact").fill("Pat Manager")
    page.get_by_label("Their job title").fill("Head of Learning and Development")
    page.get_by_label("Their email address").fill("pat.manager@example.org")
    desktop.check("reps-notify")
    page.get_by_role("button", name="Record the notification").click()
    due_by = deadline_of(timezone.localdate())
    expect(page.locator("main")).to_contain_text(f"{due_by:%-d %B %Y}")
    desktop.check("reps-notification")
    notification = EmployerNotification.objects.get(rep=rep)
    assert notification.contact_name == "Pat Manager"
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("PDF")).first.click()
    assert download.value.suggested_filename.endswith(".pdf")

    # Training: completing the initial course makes them trained and ends the deadline.
    page.goto(desktop.base_url + f"/reps/{rep.pk}/")
    expect(page.locator("#deadline-status")).to_be_visible()
    page.get_by_role("link", name="Add training").click()
    page.get_by_label("Course").fill("ULR stage 1")
    page.get_by_label("Provider").fill("Union education")
    page.get_by_label("Date").fill(f"{timezone.localdate():%Y-%m-%d}")
    page.get_by_role("checkbox", name="Completed").check()
    page.get_by_role("checkbox", name=re.compile("Initial rep training")).check()
    desktop.check("reps-training")
    page.get_by_role("button", name="Add training").click()
    expect(page.locator("main")).to_contain_text("Trained")
    expect(page.locator("#deadline-status")).to_have_count(0)
    desktop.check("reps-trained")

    rep.refresh_from_db()
    assert rep.stage == Stage.TRAINED
    assert [change.stage for change in rep.stage_changes.all()] == [
        "prospect",
        "approached",
        "agreed",
        "notified",
        "trained",
    ]
    assert not rep.owes_training


def test_the_reps_pages_on_a_phone(world, phone: Checked):
    """The register, recruitment, mapping and a rep's page at 390px: axe-clean, nothing wider than the screen."""
    from tests.reps import derby_rep, make_rep

    derby_rep(world)
    make_rep(world.depot_person, stage=Stage.NOTIFIED, workplaces=[world.depot])
    sign_in(phone, "coordinator@example.org")
    for path, name in (
        ("/", "reps-home"),
        ("/reps/", "reps-register"),
        (f"/reps/{Rep.objects.get(person=world.depot_person).pk}/", "reps-rep"),
        ("/reps/recruitment/", "reps-recruitment"),
        ("/reps/mapping/", "reps-mapping"),
        ("/reps/facility-time/", "reps-facility"),
        ("/reps/meetings/", "reps-meetings"),
        ("/reps/actions/", "reps-actions"),
    ):
        phone.goto(path)
        phone.check(name)
        width = phone.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide on a 390px phone"
