"""Recording the written notice to an employer (TULRCA s.168A), its letter as PDF and DOCX, the notify part of
a rep's page, and a unit's reminder settings."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from docx import Document

from learningdesk.accounts.models import AuditEvent
from learningdesk.org.models import Employer
from learningdesk.reps import letters, services
from learningdesk.reps.models import BranchRepSettings, EmployerNotification, Rep, Stage, training_deadline
from tests.conftest import client_for
from tests.factories import EmployerFactory, PersonFactory, WorkplaceFactory
from tests.reps import days_ago, derby_rep, make_rep
from tests.reps.urls_notify import derby_notification


def long_date(value: datetime.date) -> str:
    return f"{value.day} {value:%B %Y}"


def pdf_text(content: bytes) -> str:
    """The text of a PDF, as poppler's pdftotext reads it (one line per line of the page)."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "Install poppler-utils (.ci/run does) to read the letters' text"
    result = subprocess.run([pdftotext, "-layout", "-", "-"], input=content, capture_output=True, check=True)  # noqa: S603 (our own PDF)
    return " ".join(result.stdout.decode().split())


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    return " ".join(" ".join(p.text for p in document.paragraphs).split())


@pytest.fixture
def agreed(world) -> Rep:
    """Maria Alberts, a ULR prospect at the Council House who has agreed to stand."""
    return make_rep(world.derby_person, stage=Stage.AGREED, workplaces=[world.town_hall], on=days_ago(20))


def form_data(world, **changes) -> dict:
    data = {
        "employer": world.council.pk,
        "sent_on": timezone.localdate().isoformat(),
        "method": "email",
        "contact_name": "Pat Manager",
        "contact_job_title": "Head of HR",
        "contact_email": "pat.manager@derby.gov.uk",
        "contact_address": "Council House\nCorporation Street\nDerby DE1 2FS",
    }
    return {**data, **changes}


# Recording the notification ---------------------------------------------------------------------


def test_the_notify_page_explains_the_six_month_rule(world, agreed):
    page = client_for(world.coordinator).get(reverse("reps:notify", args=[agreed.pk])).content.decode()
    assert "section 168A" in page
    assert "in writing" in page
    assert long_date(training_deadline(timezone.localdate())) in page


def test_recording_the_notification_starts_the_training_deadline(world, agreed):
    sent_on = days_ago(3)
    response = client_for(world.coordinator).post(
        reverse("reps:notify", args=[agreed.pk]), form_data(world, sent_on=sent_on.isoformat()), follow=True
    )
    notification = EmployerNotification.objects.get(rep=agreed)
    assert response.redirect_chain[-1][0] == reverse("reps:notification", args=[notification.pk])
    agreed.refresh_from_db()
    assert agreed.stage == Stage.NOTIFIED
    assert agreed.training_due_by == sent_on + relativedelta(months=6)
    assert notification.contact_email == "pat.manager@derby.gov.uk"
    assert notification.letter["rep_name"] == "Maria Alberts"
    assert f"must be trained by {long_date(agreed.training_due_by)}" in response.content.decode()


def test_the_date_sent_cannot_be_in_the_future(world, agreed):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client_for(world.coordinator).post(
        reverse("reps:notify", args=[agreed.pk]), form_data(world, sent_on=tomorrow.isoformat())
    )
    assert response.status_code == 200
    assert "must be today or in the past" in response.content.decode()
    assert not EmployerNotification.objects.exists()


def test_the_employer_contact_is_required(world, agreed):
    response = client_for(world.coordinator).post(
        reverse("reps:notify", args=[agreed.pk]), form_data(world, contact_name="")
    )
    assert "Enter employer contact" in response.content.decode()
    assert not EmployerNotification.objects.exists()


def test_the_employers_offered_are_those_of_the_reps_workplaces(world, agreed):
    EmployerFactory(name="Derby Homes", unit=world.derby)
    form = client_for(world.coordinator).get(reverse("reps:notify", args=[agreed.pk])).context["form"]
    assert list(form.fields["employer"].queryset) == [world.council]
    assert form.fields["employer"].initial == world.council


def test_a_rep_without_a_workplace_may_notify_any_employer_in_scope(world):
    person = PersonFactory(first_name="Sam", last_name="Shaw", branch=world.derby, workplace=None)
    rep = make_rep(person, stage=Stage.AGREED, workplaces=[])
    homes = EmployerFactory(name="Derby Homes", unit=world.derby)
    employers = set(
        client_for(world.coordinator)
        .get(reverse("reps:notify", args=[rep.pk]))
        .context["form"]
        .fields["employer"]
        .queryset
    )
    assert {world.council, homes} <= employers
    assert not any(employer.name == "Nottingham University Hospitals" for employer in employers)


def test_the_last_contact_at_the_employer_is_filled_in(world, agreed):
    derby_notification_to_council = services.rep_notify(
        acting_user=world.coordinator,
        rep=make_rep(world.depot_person, stage=Stage.AGREED, workplaces=[world.depot]),
        employer=world.council,
        sent_on=days_ago(40),
        contact={"contact_name": "Jo Human", "contact_job_title": "HR Business Partner"},
    )
    form = client_for(world.coordinator).get(reverse("reps:notify", args=[agreed.pk])).context["form"]
    assert form.fields["contact_name"].initial == derby_notification_to_council.contact_name
    assert form.fields["contact_job_title"].initial == "HR Business Partner"


def test_preview_shows_a_draft_letter_without_saving(world, agreed):
    response = client_for(world.coordinator).post(
        reverse("reps:notify", args=[agreed.pk]), {**form_data(world), "preview": "1"}
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "DRAFT" in text
    assert "Maria Alberts" in text
    assert not EmployerNotification.objects.exists()
    agreed.refresh_from_db()
    assert agreed.stage == Stage.AGREED


@pytest.mark.parametrize("who", ["officer", "ulr", "outsider", "equality"])
def test_only_those_who_may_change_the_rep_can_record_a_notification(world, agreed, who):
    client = client_for(getattr(world, who))
    assert client.get(reverse("reps:notify", args=[agreed.pk])).status_code == 404
    assert client.post(reverse("reps:notify", args=[agreed.pk]), form_data(world)).status_code == 404
    assert not EmployerNotification.objects.exists()


def test_a_rep_who_stood_down_cannot_be_notified(world, agreed):
    services.rep_move(
        acting_user=world.coordinator, rep=agreed, stage=Stage.STOOD_DOWN, on=days_ago(1), reason="no_time"
    )
    response = client_for(world.coordinator).post(reverse("reps:notify", args=[agreed.pk]), form_data(world))
    assert response.status_code == 302
    assert response["Location"] == reverse("reps:detail", args=[agreed.pk])
    assert not EmployerNotification.objects.exists()


def test_an_employer_outside_the_choices_is_refused(world, agreed):
    trust = Employer.objects.get(name="Nottingham University Hospitals")
    response = client_for(world.coordinator).post(
        reverse("reps:notify", args=[agreed.pk]), form_data(world, employer=trust.pk)
    )
    assert response.status_code == 200
    assert not EmployerNotification.objects.exists()


# The notification and its letter ----------------------------------------------------------------


def test_the_notification_page_shows_the_deadline_and_the_letter(world):
    rep = make_rep(world.derby_person, stage=Stage.NOTIFIED, workplaces=[world.town_hall], on=days_ago(170))
    notification = rep.notifications.get()
    page = client_for(world.coordinator).get(reverse("reps:notification", args=[notification.pk])).content.decode()
    assert f"Training must be completed by <strong>{long_date(rep.training_due_by)}</strong>" in page
    assert "days left" in page
    assert reverse("reps:letter_pdf", args=[notification.pk]) in page
    assert reverse("reps:letter_docx", args=[notification.pk]) in page


def test_the_notification_page_says_when_the_rule_is_met(world):
    notification = derby_notification(world)  # Maria is an active, trained ULR
    Rep.objects.filter(pk=notification.rep_id).update(trained_on=days_ago(5))
    page = client_for(world.coordinator).get(reverse("reps:notification", args=[notification.pk])).content.decode()
    assert "the six-month rule is met" in page


def test_an_officer_may_read_the_notification_and_its_letter(world):
    notification = derby_notification(world)
    client = client_for(world.officer)
    assert client.get(reverse("reps:notification", args=[notification.pk])).status_code == 200
    assert client.get(reverse("reps:letter_pdf", args=[notification.pk])).status_code == 200


@pytest.mark.parametrize("name", ["reps:notification", "reps:letter_pdf", "reps:letter_docx"])
def test_another_branch_cannot_read_the_notification(world, name):
    notification = derby_notification(world)
    assert client_for(world.outsider).get(reverse(name, args=[notification.pk])).status_code == 404


def test_the_letter_pdf_names_the_rep_the_employer_and_the_deadline(world):
    rep = make_rep(world.derby_person, stage=Stage.NOTIFIED, workplaces=[world.town_hall], on=days_ago(10))
    notification = rep.notifications.get()
    response = client_for(world.coordinator).get(reverse("reps:letter_pdf", args=[notification.pk]))
    assert response["Content-Type"] == "application/pdf"
    filename = f"ULR-notification-Maria-Alberts-{days_ago(10).isoformat()}.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Maria Alberts" in text
    assert "Derby City Council" in text
    assert long_date(rep.training_due_by) in text
    assert "section 168A of the Trade Union and Labour Relations (Consolidation) Act 1992" in text
    assert "Derby City" in text  # the letterhead


def test_the_letter_docx_is_an_editable_copy_of_the_same_letter(world):
    rep = make_rep(world.derby_person, stage=Stage.NOTIFIED, workplaces=[world.town_hall], on=days_ago(10))
    notification = rep.notifications.get()
    response = client_for(world.coordinator).get(reverse("reps:letter_docx", args=[notification.pk]))
    assert response["Content-Type"] == letters.DOCX_TYPE
    assert response["Content-Disposition"].endswith(f'-{days_ago(10).isoformat()}.docx"')
    document = Document(io.BytesIO(response.content))
    assert any(p.style.name == "Heading 1" and p.text == letters.SUBJECT for p in document.paragraphs)
    text = docx_text(response.content)
    assert "Maria Alberts" in text
    assert "Derby City Council" in text
    assert long_date(rep.training_due_by) in text


def test_the_letter_stays_as_it_was_sent(world):
    notification = derby_notification(world)
    world.derby_person.last_name = "Alberts-Khan"
    world.derby_person.save()
    text = pdf_text(client_for(world.coordinator).get(reverse("reps:letter_pdf", args=[notification.pk])).content)
    assert "Maria Alberts" in text
    assert "Alberts-Khan" not in text


def test_a_trained_reps_letter_says_they_are_trained(world):
    rep = derby_rep(world)
    Rep.objects.filter(pk=rep.pk).update(trained_on=datetime.date(2026, 3, 3))
    rep.refresh_from_db()
    notification = services.rep_notify(
        acting_user=world.coordinator,
        rep=rep,
        employer=world.council,
        sent_on=days_ago(1),
        contact={"contact_name": "Pat"},
    )
    text = docx_text(letters.letter_docx(letters.build_letter(notification.letter)))
    assert "completed their training on 3 March 2026" in text
    assert "within six months" not in text


def test_a_champions_letter_claims_no_statutory_time_off(world):
    rep = make_rep(world.derby_person, kind="learner_champion", stage=Stage.AGREED, workplaces=[world.town_hall])
    client_for(world.coordinator).post(reverse("reps:notify", args=[rep.pk]), form_data(world))
    notification = rep.notifications.get()
    text = pdf_text(client_for(world.coordinator).get(reverse("reps:letter_pdf", args=[notification.pk])).content)
    assert "learner champion of Derby City" in text
    assert "168A" not in text
    rep.refresh_from_db()
    assert rep.training_due_by is None


def test_the_letter_file_name_is_plain_ascii():
    snapshot = {"rep_name": "Zoë O'Brien-Núñez", "date": "2026-11-25"}
    assert letters.letter_file_stem(snapshot) == "ULR-notification-Zoe-O-Brien-Nunez-2026-11-25"
    assert letters.letter_file_stem(snapshot, draft=True).startswith("DRAFT-ULR-notification-")


# The notify part of the rep's page --------------------------------------------------------------


def test_the_reps_page_offers_to_record_the_notification(world, agreed):
    page = client_for(world.coordinator).get(reverse("reps:detail", args=[agreed.pk])).content.decode()
    assert "The employer has not been notified yet" in page
    assert reverse("reps:notify", args=[agreed.pk]) in page
    assert "Record the notification to the employer" in page


def test_the_reps_page_lists_notifications_and_the_deadline(world):
    rep = make_rep(world.derby_person, stage=Stage.NOTIFIED, workplaces=[world.town_hall], on=days_ago(160))
    notification = rep.notifications.get()
    page = client_for(world.coordinator).get(reverse("reps:detail", args=[rep.pk])).content.decode()
    assert reverse("reps:notification", args=[notification.pk]) in page
    assert f"Training must be completed by <strong>{long_date(rep.training_due_by)}</strong>" in page
    assert "Record a notification to another employer" in page


def test_an_officer_sees_the_notifications_but_no_button(world):
    rep = make_rep(world.derby_person, stage=Stage.NOTIFIED, workplaces=[world.town_hall], on=days_ago(10))
    page = client_for(world.officer).get(reverse("reps:detail", args=[rep.pk])).content.decode()
    assert reverse("reps:notification", args=[rep.notifications.get().pk]) in page
    assert reverse("reps:notify", args=[rep.pk]) not in page


def test_for_a_champion_notifying_is_optional(world):
    rep = make_rep(world.derby_person, kind="learner_champion", stage=Stage.ACTIVE, workplaces=[world.town_hall])
    page = client_for(world.coordinator).get(reverse("reps:detail", args=[rep.pk])).content.decode()
    assert "notifying the employer is optional" in page
    assert "Record a letter to the employer" in page


# A unit's reminder settings ---------------------------------------------------------------------


def test_a_coordinator_sets_their_branchs_no_contact_days(world):
    client = client_for(world.coordinator)
    page = client.get(reverse("reps:settings")).content.decode()
    assert "Derby City" in page
    response = client.post(reverse("reps:settings"), {"no_contact_days": "28", "weekly_digest": ""}, follow=True)
    assert "Settings for Derby City saved." in response.content.decode()
    settings = BranchRepSettings.objects.get(unit=world.derby)
    assert (settings.no_contact_days, settings.weekly_digest) == (28, False)
    event = AuditEvent.objects.get(target_type="branchrepsettings")
    assert event.unit_id == world.derby.pk
    assert event.changes["no_contact_days"] == [42, 28]


@pytest.mark.parametrize(("days", "message"), [("6", "7 or more"), ("366", "365 or fewer"), ("soon", "like 42")])
def test_no_contact_days_must_be_between_7_and_365(world, days, message):
    response = client_for(world.coordinator).post(reverse("reps:settings"), {"no_contact_days": days})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BranchRepSettings.objects.exists()


def test_a_regional_coordinator_picks_the_unit(world):
    client = client_for(world.regional)
    page = client.get(reverse("reps:settings")).content.decode()
    assert "East Midlands" in page
    client.post(f"{reverse('reps:settings')}?unit={world.derby.pk}", {"no_contact_days": "30", "weekly_digest": "on"})
    assert BranchRepSettings.objects.get(unit=world.derby).no_contact_days == 30


@pytest.mark.parametrize("who", ["outsider", "officer", "ulr"])
def test_only_the_units_coordinators_change_its_settings(world, who):
    client = client_for(getattr(world, who))
    url = f"{reverse('reps:settings')}?unit={world.derby.pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, {"no_contact_days": "7", "weekly_digest": ""}).status_code == 404
    assert not BranchRepSettings.objects.filter(unit=world.derby).exists()


def test_a_bad_unit_in_the_settings_address_is_not_found(world):
    assert client_for(world.coordinator).get(f"{reverse('reps:settings')}?unit=derby").status_code == 404


def test_the_settings_page_shows_nothing_to_someone_without_a_unit_to_change(world):
    assert client_for(world.officer).get(reverse("reps:settings")).status_code == 404


def test_a_workplace_of_another_employer_is_not_named_in_the_letter(world):
    """The letter names the workplaces at the notified employer only (a rep may work for two)."""
    other = WorkplaceFactory(name="Derby College", branch=world.derby)
    rep = make_rep(world.derby_person, stage=Stage.AGREED, workplaces=[world.town_hall, other])
    notification = services.rep_notify(
        acting_user=world.coordinator,
        rep=rep,
        employer=world.council,
        sent_on=days_ago(1),
        contact={"contact_name": "Pat"},
    )
    assert notification.letter["workplaces"] == ["Council House"]
