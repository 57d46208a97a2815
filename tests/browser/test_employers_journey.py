"""Working with the employer end to end: a co-ordinator records a learning agreement with its key elements and
gets its review reminder; holds a committee meeting with actions and shares one; invites the employer's training
manager, who signs in on her phone and sees only that action; a refused time-off request opens a case; and the
facility-time figures for a year come out as CSV and a one-page PDF. Every page is axe-checked and photographed."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from learningdesk.employers.facility_figures import last_complete_year
from learningdesk.employers.models import (
    AgreementElement,
    CommitteeAction,
    FacilityTimeReturn,
    LearningAgreement,
    NegotiationCase,
    TimeOffRequest,
)
from learningdesk.reps import reminders
from learningdesk.reps.models import FacilityAllowance, FacilityTimeEntry, Stage
from tests.browser.conftest import sign_in
from tests.employers import make_contact
from tests.reps import make_rep


def iso(day: datetime.date) -> str:
    return day.isoformat()


def fill_date(page, label: str, day: datetime.date) -> None:
    """A date field by its label, which may end "(optional)"."""
    page.get_by_label(re.compile(rf"^{re.escape(label)}\b")).fill(iso(day))


def test_an_agreement_its_committee_and_what_the_employer_contact_sees(world, desktop, phone):
    today = timezone.localdate()
    rep = make_rep(world.depot_person, stage=Stage.ACTIVE, workplaces=[world.depot])
    make_contact(world.council, name="Tessa Trainer", email="tessa@derby.gov.example")
    sign_in(desktop, "coordinator@example.org")

    # The employer page is where the work with Derby City Council starts.
    desktop.goto(f"/employers/{world.council.pk}/")
    expect(desktop.page.get_by_role("heading", level=1)).to_have_text("Derby City Council")
    desktop.check("employers-employer")
    desktop.page.get_by_role("link", name="Record an agreement").first.click()

    # Record the agreement: signed a year ago, to be reviewed in 60 days, four hours a week for each ULR.
    page = desktop.page
    page.get_by_label("Title").fill("Learning agreement 2025")
    page.get_by_label("Derby City").check()
    page.get_by_label("Signed", exact=True).check()
    fill_date(page, "Date signed", today - datetime.timedelta(days=305))
    fill_date(page, "Review date", today + datetime.timedelta(days=60))
    page.get_by_label("Facility time for each ULR, in hours").fill("4")
    desktop.check("employers-agreement-form")
    page.get_by_role("button", name=re.compile("Save|Record")).first.click()
    agreement = LearningAgreement.objects.get(employer=world.council)
    assert agreement.status == LearningAgreement.Status.SIGNED

    # Signing it gave the depot's ULR the agreed facility time, marked as coming from the agreement.
    allowance = FacilityAllowance.objects.get(rep=rep, employer=world.council)
    assert allowance.hours == Decimal("4") and allowance.agreement == agreement

    # The key elements: most present, equalities weak, disagreements missing.
    if "elements" not in page.url:
        desktop.goto(f"/employers/agreements/{agreement.pk}/elements/")
    for fieldset in page.locator("fieldset").all():
        legend = fieldset.locator("legend").inner_text()
        state = "Weak" if "Equalities" in legend else "Missing" if "disagreements" in legend else "Present"
        fieldset.get_by_label(state, exact=True).check()
    page.get_by_label("Notes on equalities").fill("Mentions equal opportunities but no monitoring.")
    desktop.check("employers-agreement-elements")
    page.get_by_role("button", name="Save the key elements").click()
    states = dict(agreement.elements.values_list("element", "state"))
    assert states["equalities"] == AgreementElement.State.WEAK
    assert states["disagreements"] == AgreementElement.State.MISSING
    assert states["purpose"] == AgreementElement.State.PRESENT
    desktop.goto(f"/employers/agreements/{agreement.pk}/")
    desktop.check("employers-agreement")

    # Across the scope: which agreements lack which elements.
    desktop.goto("/employers/agreements/")
    expect(page.locator("body")).to_contain_text("Learning agreement 2025")
    desktop.check("employers-agreements")

    # The review reminder: on the home page, and in the co-ordinator's weekly digest.
    desktop.goto("/")
    expect(
        page.get_by_role("link", name="The learning agreement with Derby City Council: review in 60 days")
    ).to_be_visible()
    desktop.check("employers-home-reminder")
    reminders.send_rep_reminders(today=today)
    digest = [m for m in mail.outbox if "coordinator@example.org" in m.to]
    assert digest and "Learning agreement 2025" in digest[-1].body

    # The joint learning committee: set it up, hold a meeting, agree two actions.
    desktop.goto(f"/employers/{world.council.pk}/committees/add/")
    page.get_by_role("button", name=re.compile("Set up|Save|Add")).first.click()
    committee = world.council.learning_committees.get()
    desktop.goto(f"/employers/committees/{committee.pk}/meetings/add/")
    fill_date(page, "Date", today - datetime.timedelta(days=2))
    page.get_by_label("Tessa Trainer").check()
    page.get_by_label("Agenda").fill("Learning survey findings\nTime off for the maths course")
    page.get_by_label("Minutes").fill("Agreed to promote the maths course to the depot's night shift.")
    desktop.check("employers-meeting-form")
    page.get_by_role("button", name="Add meeting").click()
    meeting = committee.meetings.get()
    for description in ("Put the maths course on the depot's noticeboards", "Draft the rota for the stall"):
        desktop.goto(f"/employers/committees/meetings/{meeting.pk}/")
        page.get_by_label("What was agreed").fill(description)
        if "maths" in description:
            page.get_by_label("Who will do it").select_option(label="Tessa Trainer")
        else:
            page.get_by_label("Who will do it").select_option(label="Someone else: type their name")
            page.get_by_label(re.compile("^Their name")).fill("Carol Coordinator")
        fill_date(page, "By when", today + datetime.timedelta(days=14))
        page.get_by_role("button", name="Add action").click()
    shared, private = CommitteeAction.objects.order_by("id")
    desktop.goto(f"/employers/committees/meetings/{meeting.pk}/")
    desktop.check("employers-meeting")

    # Share one action with the employer's contacts.
    desktop.goto(f"/employers/committees/actions/{shared.pk}/share/")
    desktop.check("employers-action-share")
    page.get_by_role("button", name="Share with Derby City Council").click()
    shared.refresh_from_db()
    assert shared.is_shared

    # Invite Tessa to sign in; she chooses a password from the emailed link on her phone.
    contact = world.council.contacts.get()
    desktop.goto(f"/employers/contacts/{contact.pk}/invite/")
    desktop.check("employers-contact-invite")
    page.get_by_role("button", name="Send the invitation").click()
    invitation = next(m for m in mail.outbox if "tessa@derby.gov.example" in m.to)
    link = re.search(r"https?://[^\s]+/password-reset/[^\s]+/", invitation.body)
    assert link, invitation.body
    phone.page.goto(link.group(0))
    phone.page.get_by_label("New password", exact=True).fill("a long enough password 42")
    phone.page.get_by_label(re.compile("Confirm|again", re.I)).fill("a long enough password 42")
    phone.page.get_by_role("button").filter(has_text=re.compile("password", re.I)).click()
    phone.goto("/sign-in/")
    phone.page.get_by_label("Email address").fill("tessa@derby.gov.example")
    phone.page.get_by_label("Password").fill("a long enough password 42")
    phone.page.get_by_role("button", name="Sign in").click()
    expect(phone.page).to_have_url(re.compile("/shared/$"))
    body = phone.page.locator("main")
    expect(body).to_contain_text("Put the maths course on the depot's noticeboards")
    expect(body).not_to_contain_text("Draft the rota for the stall")
    expect(body).not_to_contain_text("night shift")  # the minutes stay the union's
    phone.check("employers-shared-home")

    # Guessing the union's URLs gets her nothing.
    for path in (f"/people/{world.derby_person.pk}/", "/people/", f"/employers/agreements/{agreement.pk}/", "/reps/"):
        response = phone.page.goto(phone.base_url + path)
        assert response is not None and response.status == 404, path
    phone.check("employers-shared-404", page_is_an_error=True)
    assert private.shared_at is None


def test_a_refused_time_off_request_opens_a_case(world, phone):
    sign_in(phone, "coordinator@example.org")
    phone.goto(f"/employers/time-off/add/?person={world.derby_person.pk}")
    page = phone.page
    page.get_by_label("Or what the learning is").fill("Functional skills maths, level 2")
    page.get_by_label("Hours asked for").fill("12")
    page.get_by_label("Or the manager's name").fill("Jo Bloggs")
    phone.check("employers-time-off-form")
    page.get_by_role("button", name=re.compile("Save|Log")).first.click()
    request = TimeOffRequest.objects.get(person=world.derby_person)
    phone.goto(f"/employers/time-off/{request.pk}/decision/")
    page.get_by_label("Refused").check()
    page.get_by_label("What reason did the manager give?").fill("Staffing levels on the late shift.")
    phone.check("employers-time-off-decide")
    page.get_by_role("button", name=re.compile("Save|Record")).first.click()
    case = NegotiationCase.objects.get(request=request)
    assert case.status == NegotiationCase.Status.OPEN
    phone.goto(f"/employers/time-off/cases/{case.pk}/")
    page.get_by_label("What happened").fill("Met Jo: she will look at cover for two Tuesdays.")
    page.get_by_role("button", name="Add the note").click()
    expect(page.locator("main")).to_contain_text("cover for two Tuesdays")
    phone.check("employers-case")
    phone.goto("/employers/time-off/")
    expect(page.locator("main")).to_contain_text("Refused")
    phone.check("employers-time-off-list")


def test_the_facility_time_figures_for_a_year(world, desktop):
    world.council.is_public_sector = True
    world.council.save(update_fields=["is_public_sector"])
    year = last_complete_year(timezone.localdate())
    start = datetime.date(year, 4, 1)
    rep = make_rep(world.derby_person, stage=Stage.ACTIVE, workplaces=[world.town_hall], on=start)
    for day, hours, purpose in (
        (start + datetime.timedelta(days=10), "37", FacilityTimeEntry.Purpose.ADVISING),
        (start + datetime.timedelta(days=40), "37", FacilityTimeEntry.Purpose.UNION_ACTIVITIES),
    ):
        FacilityTimeEntry.objects.create(rep=rep, employer=world.council, on=day, hours=Decimal(hours), purpose=purpose)
    sign_in(desktop, "coordinator@example.org")
    desktop.goto(f"/employers/facility-time/add/?employer={world.council.pk}")
    page = desktop.page
    page.get_by_label("Total pay bill for the period, in pounds (£)").fill("1000000")
    desktop.check("employers-return-add")
    page.get_by_role("button", name=re.compile("Produce|Save|Continue")).first.click()
    facility_return = FacilityTimeReturn.objects.get(employer=world.council)
    desktop.goto(f"/employers/facility-time/{facility_return.pk}/officials/")
    page.get_by_label(re.compile("Hourly cost")).first.fill("20")
    desktop.check("employers-return-officials")
    page.get_by_role("button", name="Save the officials").click()
    desktop.goto(f"/employers/facility-time/{facility_return.pk}/")
    main = page.locator("main")
    expect(main).to_contain_text("1–50%")
    desktop.check("employers-return")

    # 74 hours at £20 = £1,480 of a £1,000,000 pay bill: 0.15%; half the hours were union activities: 50.00%.
    response = page.request.get(desktop.base_url + f"/employers/facility-time/{facility_return.pk}/figures.csv")
    rows = list(csv.reader(io.StringIO(response.text())))
    flat = " ".join(" ".join(row) for row in rows)
    assert "0.15" in flat and "50.00" in flat, flat
    pdf = page.request.get(desktop.base_url + f"/employers/facility-time/{facility_return.pk}/figures.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
