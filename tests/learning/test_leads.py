"""Join leads: the list for the co-ordinator to follow up, and recording how each went."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent
from learningdesk.learning import leads
from learningdesk.learning.models import JoinLead
from tests.conftest import client_for
from tests.learning import derby_activity
from tests.learning.urls_register import derby_lead, non_member

pytestmark = pytest.mark.django_db


def lead_for(world, first_name: str, status: str = JoinLead.Status.NEW, days_ago: int = 0) -> JoinLead:
    return JoinLead.objects.create(
        person=non_member(world, first_name, "Lead"),
        unit=world.derby,
        activity=derby_activity(world),
        source=JoinLead.Source.EVALUATION,
        status=status,
        created_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def test_the_list_shows_open_leads_newest_first_with_the_activity_and_source(world, coordinator_client):
    lead_for(world, "Older", days_ago=3)
    lead_for(world, "Newer", days_ago=1)
    lead_for(world, "Joined", status=JoinLead.Status.JOINED)

    page = coordinator_client.get(reverse("learning:leads")).content.decode()

    assert page.index("Newer Lead") < page.index("Older Lead")
    assert "Joined Lead" not in page
    assert "Course evaluation" in page and "Maths for work" in page


def test_the_list_filters_by_status(world, coordinator_client):
    lead_for(world, "Open")
    lead_for(world, "Joined", status=JoinLead.Status.JOINED)

    page = coordinator_client.get(reverse("learning:leads"), {"status": "joined"}).content.decode()

    assert "Joined Lead" in page and "Open Lead" not in page
    everyone = coordinator_client.get(reverse("learning:leads"), {"status": "all"}).content.decode()
    assert "Joined Lead" in everyone and "Open Lead" in everyone


def test_the_list_needs_no_more_queries_for_more_leads(world, coordinator_client, django_assert_max_num_queries):
    for n in range(8):
        lead_for(world, f"Person{n}")
    with django_assert_max_num_queries(12):
        response = coordinator_client.get(reverse("learning:leads"))
    assert response.content.decode().count("Lead</a>") == 8


def test_another_branch_sees_no_derby_leads(world, outsider_client):
    derby_lead(world)
    page = outsider_client.get(reverse("learning:leads")).content.decode()
    assert "Newcomer" not in page
    assert "No leads to follow up" in page


def test_updating_a_lead_records_who_handled_it_and_when(world, coordinator_client):
    lead = derby_lead(world)

    response = coordinator_client.post(
        reverse("learning:lead_update", args=[lead.pk]), {"status": "contacted", "notes": "Rang on Tuesday"}
    )

    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.notes, lead.handled_by) == ("contacted", "Rang on Tuesday", world.coordinator)
    assert lead.handled_at is not None
    assert AuditEvent.objects.filter(target_type="joinlead", target_id=lead.pk, action="changed").exists()


def test_a_lead_needs_a_status(world, coordinator_client):
    lead = derby_lead(world)
    response = coordinator_client.post(reverse("learning:lead_update", args=[lead.pk]), {"status": "", "notes": "x"})
    assert "Select how the follow-up went" in response.content.decode()
    lead.refresh_from_db()
    assert (lead.status, lead.notes) == ("new", "")


def test_a_lead_cannot_be_set_back_to_new_by_the_service(world):
    lead = derby_lead(world)
    with pytest.raises(ValidationError):
        leads.lead_update(acting_user=world.coordinator, lead=lead, status=JoinLead.Status.NEW, notes="")


def test_the_update_page_shows_how_to_reach_them(world, coordinator_client):
    lead = derby_lead(world)
    page = coordinator_client.get(reverse("learning:lead_update", args=[lead.pk])).content.decode()
    assert lead.person.email in page


def test_a_branch_officer_sees_the_list_but_cannot_update_a_lead(world):
    lead = derby_lead(world)
    client = client_for(world.officer)
    page = client.get(reverse("learning:leads")).content.decode()
    assert "Nina Newcomer" in page
    assert reverse("learning:lead_update", args=[lead.pk]) not in page
    response = client.post(reverse("learning:lead_update", args=[lead.pk]), {"status": "joined"})
    assert response.status_code == 404
    lead.refresh_from_db()
    assert lead.status == "new"


def test_another_branch_cannot_update_a_derby_lead(world, outsider_client):
    lead = derby_lead(world)
    response = outsider_client.post(reverse("learning:lead_update", args=[lead.pk]), {"status": "joined"})
    assert response.status_code == 404
    lead.refresh_from_db()
    assert lead.status == "new"
