"""Employer contacts and the notes of each conversation with them: who may add and change them, and what their
page shows."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.employers.models import ContactNote, EmployerContact
from tests.conftest import client_for
from tests.employers import days_from_today, make_action, make_committee, make_contact, make_meeting
from tests.employers.urls_contacts import derby_contact

pytestmark = pytest.mark.django_db


def contact_data(**changes) -> dict:
    data = {
        "name": "Tessa Trainer",
        "kind": EmployerContact.Kind.TRAINING_MANAGER,
        "job_title": "Learning and Development Manager",
        "workplace": "",
        "email": "tessa.trainer@derby.gov.example",
        "phone": "01332 000000",
        "notes": "",
    }
    return {**data, **changes}


def note_data(**changes) -> dict:
    data = {
        "note-on": timezone.localdate().isoformat(),
        "note-method": "phone",
        "note-summary": "She will ask the managers about time off for the maths course.",
        "note-next_step": "We send the survey findings.",
    }
    return {**data, **changes}


# Adding and changing contacts ---------------------------------------------------------------------


def test_the_coordinator_adds_a_contact_at_a_workplace_and_it_is_audited(world, coordinator_client):
    response = coordinator_client.post(
        reverse("employers:contact_add", args=[world.council.pk]), contact_data(workplace=world.town_hall.pk)
    )
    contact = EmployerContact.objects.get(name="Tessa Trainer")
    assert response.status_code == 302
    assert response["Location"] == reverse("employers:contact_detail", args=[contact.pk])
    assert (contact.employer, contact.workplace) == (world.council, world.town_hall)
    event = AuditEvent.objects.get(target_type="employercontact", target_id=contact.pk)
    assert (event.action, event.actor, event.unit) == (AuditEvent.Action.CREATED, world.coordinator, world.derby)


def test_a_contact_needs_a_name_and_a_real_email_address(world, coordinator_client):
    response = coordinator_client.post(
        reverse("employers:contact_add", args=[world.council.pk]), contact_data(name="", email="tessa at derby")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter the contact’s name" in page
    assert "Enter a valid email address" in page
    assert not EmployerContact.objects.exists()


def test_a_workplace_of_another_employer_cannot_be_chosen(world, coordinator_client):
    response = coordinator_client.post(
        reverse("employers:contact_add", args=[world.council.pk]), contact_data(workplace=world.hospital.pk)
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not EmployerContact.objects.exists()


def test_the_regional_coordinator_may_add_a_contact_at_a_branchs_employer(world):
    response = client_for(world.regional).post(
        reverse("employers:contact_add", args=[world.council.pk]), contact_data()
    )
    assert response.status_code == 302
    assert EmployerContact.objects.filter(employer=world.council).count() == 1


@pytest.mark.parametrize("who", ["ulr", "officer"])
def test_a_ulr_or_an_officer_reads_contacts_but_cannot_add_or_change_them(world, who):
    contact = derby_contact(world)
    client = client_for(getattr(world, who))
    page = client.get(reverse("employers:contact_detail", args=[contact.pk]))
    assert page.status_code == 200
    assert "Record a conversation" not in page.content.decode()
    assert "Change details" not in page.content.decode()
    assert client.get(reverse("employers:contact_add", args=[world.council.pk])).status_code == 404
    assert client.post(reverse("employers:contact_add", args=[world.council.pk]), contact_data()).status_code == 404
    assert client.post(reverse("employers:contact_edit", args=[contact.pk]), contact_data(name="X")).status_code == 404
    assert client.post(reverse("employers:contact_note_add", args=[contact.pk]), note_data()).status_code == 404
    assert EmployerContact.objects.get().name == "Harriet Hughes"
    assert not ContactNote.objects.exists()


def test_the_coordinator_changes_a_contacts_details(world, coordinator_client):
    contact = derby_contact(world)
    response = coordinator_client.post(
        reverse("employers:contact_edit", args=[contact.pk]),
        contact_data(name="Harriet Hughes", kind=EmployerContact.Kind.HR, job_title="Head of HR", is_current="on"),
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.job_title == "Head of HR"
    event = AuditEvent.objects.get(target_type="employercontact", action=AuditEvent.Action.CHANGED)
    assert "job_title" in event.changes["fields"] and "name" not in event.changes["fields"]


# Conversations ----------------------------------------------------------------------------------


def test_a_conversation_is_recorded_and_shown_newest_first(world, coordinator_client):
    contact = derby_contact(world)
    ContactNote.objects.create(contact=contact, on=days_from_today(-30), summary="First chat about the agreement.")
    response = coordinator_client.post(reverse("employers:contact_note_add", args=[contact.pk]), note_data())
    assert response.status_code == 302
    note = ContactNote.objects.get(method="phone")
    assert (note.recorded_by, note.next_step) == (world.coordinator, "We send the survey findings.")
    assert AuditEvent.objects.filter(target_type="contactnote", target_id=note.pk).exists()
    page = coordinator_client.get(reverse("employers:contact_detail", args=[contact.pk])).content.decode()
    assert page.index("She will ask the managers") < page.index("First chat about the agreement")
    assert "What happens next:</strong> We send the survey findings." in page


def test_a_conversation_cannot_be_dated_in_the_future_and_says_what_to_fix(world, coordinator_client):
    contact = derby_contact(world)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = coordinator_client.post(
        reverse("employers:contact_note_add", args=[contact.pk]), note_data(**{"note-on": tomorrow, "note-summary": ""})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The date of the conversation must be today or in the past" in page
    assert "Enter what was said" in page
    assert not ContactNote.objects.exists()


def test_the_contact_page_lists_their_meetings_and_the_actions_they_own(world, coordinator_client):
    contact = derby_contact(world)
    meeting = make_meeting(make_committee(world))
    meeting.employer_attendees.add(contact)
    make_action(meeting, description="Ask managers to release staff", owner_contact=contact, due_on=days_from_today(-3))
    page = coordinator_client.get(reverse("employers:contact_detail", args=[contact.pk])).content.decode()
    assert reverse("employers:meeting_detail", args=[meeting.pk]) in page
    assert "Ask managers to release staff" in page
    assert "Overdue" in page


def test_the_contact_page_pages_the_conversations_in_a_few_queries(
    world, coordinator_client, django_assert_max_num_queries
):
    contact = derby_contact(world)
    ContactNote.objects.bulk_create(
        ContactNote(contact=contact, on=days_from_today(-day), summary=f"Call {day}", recorded_by=world.coordinator)
        for day in range(40)
    )
    with django_assert_max_num_queries(12):
        response = coordinator_client.get(reverse("employers:contact_detail", args=[contact.pk]))
    page = response.content.decode()
    assert "Call 0" in page and "Call 39" not in page
    assert "Page 1 of 4" in page


def test_another_branchs_contact_is_not_found(world, outsider_client):
    contact = make_contact(world.council)
    assert outsider_client.get(reverse("employers:contact_detail", args=[contact.pk])).status_code == 404
