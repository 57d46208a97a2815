"""Communications and members' data rights end to end: the regional co-ordinator must set up two-step sign-in
before anything else, and signs in with a code next time; the Derby co-ordinator writes a newsletter that reaches
only the members who agreed to newsletters, one of whom unsubscribes on her phone without signing in, so the next
newsletter skips her; and a member's subject access ZIP, self-service link and anonymisation. Every page is
axe-checked and photographed."""

from __future__ import annotations

import json
import re
import zipfile

from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from learningdesk.accounts.testing import totp_code
from learningdesk.comms.models import Mailing, Recipient
from learningdesk.org.models import Consent, Person
from tests.browser.conftest import sign_in
from tests.factories import PersonFactory


def consenting(world, first: str, email: str, *, newsletter: bool) -> Person:
    person = PersonFactory(first_name=first, last_name="Member", email=email, branch=world.derby)
    Consent.objects.create(person=person, kind=Consent.Kind.NEWSLETTER, given=newsletter, method=Consent.Method.ONLINE)
    return person


def test_two_step_sign_in_is_set_up_before_anything_else(world, desktop, phone):
    page = desktop.page
    desktop.goto("/sign-in/")
    page.get_by_label("Email address").fill("region@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    # A regional co-ordinator sees a whole region: two-step sign-in first.
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    desktop.check("rights-two-step-setup")
    desktop.goto("/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    device = TOTPDevice.objects.get(user=world.regional)
    page.get_by_label("Code from your authenticator app").fill(totp_code(device))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    desktop.check("rights-recovery-codes")
    page.get_by_role("button", name="I have saved them").click()
    # On to the page she asked for before setting it up.
    page.wait_for_url(desktop.base_url + "/people/")

    # Next time, on her phone: the password, then the code from the app.
    phone.goto("/sign-in/")
    phone.page.get_by_label("Email address").fill("region@example.org")
    phone.page.get_by_label("Password").fill("correct horse battery")
    phone.page.get_by_role("button", name="Sign in").click()
    phone.page.wait_for_url(re.compile(r"/sign-in/code/"))
    phone.check("rights-two-step-code")
    phone.page.get_by_label("Code from your authenticator app").fill("000000")
    phone.page.get_by_role("button", name="Continue").click()
    expect(phone.page.locator(".govuk-error-summary")).to_be_visible()
    phone.page.wait_for_timeout(2_100)  # after a wrong code, django-otp makes the next try wait a moment
    device.refresh_from_db()
    phone.page.get_by_label("Code from your authenticator app").fill(totp_code(device))
    phone.page.get_by_role("button", name="Continue").click()
    phone.page.wait_for_url(phone.base_url + "/")

    # Two sessions now: the desktop ends the phone's.
    desktop.goto("/account/sessions/")
    desktop.check("rights-sessions")
    page.get_by_role("button", name=re.compile("Sign out everywhere else|sign out of all", re.I)).first.click()
    phone.goto("/people/")
    expect(phone.page).to_have_url(re.compile(r"/sign-in/"))


def test_a_newsletter_with_consent_and_one_click_unsubscribe(world, desktop, phone):
    anna = consenting(world, "Anna", "anna@example.org", newsletter=True)
    consenting(world, "Bilal", "bilal@example.org", newsletter=True)
    consenting(world, "Cara", "cara@example.org", newsletter=False)
    sign_in(desktop, "coordinator@example.org")
    page = desktop.page
    desktop.goto("/mailings/")
    desktop.check("rights-mailings-empty")
    page.get_by_role("button", name="Write a mailing").click()
    page.get_by_label("Newsletter", exact=True).check()
    page.get_by_label(re.compile("Email subject", re.I)).fill("Learning news: winter")
    desktop.check("rights-mailing-form")
    page.get_by_role("button", name=re.compile("Save|Continue")).first.click()
    mailing = Mailing.objects.get(subject="Learning news: winter")

    desktop.goto(f"/mailings/{mailing.pk}/audience/")
    page.get_by_label("Everyone in a branch or region").check()
    page.get_by_label("Branch or region", exact=True).select_option(value=str(world.derby.pk))
    page.get_by_role("button", name="Save and count").click()
    desktop.check("rights-mailing-detail")
    page.get_by_role("button", name="Add an article").click()
    page.get_by_label("Heading").fill("Maths for work starts in January")
    page.get_by_label("Article").fill("Ten Tuesday evenings at the Council House. Free for members.")
    page.get_by_role("button", name=re.compile("Save|Add")).first.click()
    desktop.goto(f"/mailings/{mailing.pk}/preview/")
    desktop.check("rights-mailing-preview")
    desktop.goto(f"/mailings/{mailing.pk}/send/")
    desktop.check("rights-mailing-send")
    # Two agreed to newsletters; Cara said no, so she is left out.
    page.get_by_role("button", name="Send to 2 people").click()
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {"anna@example.org", "bilal@example.org"}
    desktop.goto(f"/mailings/{mailing.pk}/recipients/")
    desktop.check("rights-mailing-recipients")

    # Anna unsubscribes on her phone from the link in the email: no sign-in, one button.
    message = sent["anna@example.org"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(r"<(https?://[^>]+)>", message.extra_headers["List-Unsubscribe"]).group(1)
    phone.goto(re.sub(r"^https?://[^/]+", "", link))
    phone.check("rights-unsubscribe")
    phone.page.get_by_role("button", name=re.compile("Unsubscribe", re.I)).click()
    expect(phone.page.locator("body")).to_contain_text(re.compile("unsubscribed|will not", re.I))
    phone.check("rights-unsubscribed")
    consent = Consent.objects.get(person=anna, kind=Consent.Kind.NEWSLETTER)
    assert consent.withdrawn_at is not None
    assert Recipient.objects.get(mailing=mailing, person=anna).status == Recipient.Status.UNSUBSCRIBED


def test_subject_access_self_service_and_anonymising(world, desktop, phone):
    maria = world.derby_person
    maria.email = "maria@example.org"
    maria.save()
    sign_in(desktop, "coordinator@example.org")
    page = desktop.page
    desktop.goto(f"/people/{maria.pk}/")
    desktop.check("rights-person-data-rights")

    # Everything held on Maria, as a ZIP with a readable PDF and the data as JSON.
    page.get_by_role("button", name="Download everything we hold").click()
    desktop.check("rights-subject-access")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the ZIP file").click()
    archive = zipfile.ZipFile(download.value.path())
    assert {"summary.pdf", "data.json"} <= set(archive.namelist())
    assert "Alberts" in json.dumps(json.loads(archive.read("data.json")))

    # A link for Maria to check her own details, opened on her phone without signing in.
    desktop.goto(f"/people/{maria.pk}/")
    page.get_by_role("button", name="Send a link to check their details").click()
    page.get_by_role("button", name="Send the link").click()
    link = re.search(r"https?://\S+/my-details/\S+", mail.outbox[-1].body).group(0)
    phone.goto(re.sub(r"^https?://[^/]+", "", link))
    expect(phone.page.get_by_label("Phone or mobile")).to_be_visible()
    phone.check("rights-my-details")
    phone.page.get_by_label("Phone or mobile").fill("07700 900123")
    phone.page.get_by_role("button", name=re.compile("Save|Update|Confirm", re.I)).first.click()
    maria.refresh_from_db()
    assert maria.phone.replace(" ", "") == "07700900123"

    # Anonymised: the record stays for the counts, with nothing that says who she was.
    desktop.goto(f"/people/{maria.pk}/")
    page.get_by_role("button", name="Anonymise").click()
    desktop.check("rights-anonymise")
    page.get_by_label("I understand that this cannot be undone").check()
    page.get_by_role("button", name=re.compile("^Anonymise")).click()
    maria.refresh_from_db()
    assert "Alberts" not in maria.full_name and not maria.email and not maria.phone
