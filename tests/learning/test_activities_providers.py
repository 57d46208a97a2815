"""Learning providers with their contacts and the activities they ran, and the activity types a national
administrator looks after."""

from __future__ import annotations

import pytest
from django.urls import reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.learning.models import ActivityType, Provider
from tests.conftest import client_for
from tests.learning import activity_type, make_activity
from tests.learning.urls_activities import derby_provider

pytestmark = pytest.mark.django_db


def provider_post(world, **fields) -> dict:
    data = {
        "name": "Derby Adult Learning",
        "kind": "community",
        "unit": world.derby.pk,
        "website": "https://learning.example.org",
        "email": "",
        "phone": "01332 000000",
        "address": "",
        "notes": "",
    }
    data.update(fields)
    return data


# Providers ----------------------------------------------------------------------------------------


def test_the_providers_list_counts_the_activities_each_ran_in_scope(world, coordinator_client):
    college = derby_provider(world)
    make_activity(world.derby, title="Maths", provider=college)
    make_activity(world.derby, title="English", provider=college)
    make_activity(world.notts, title="Nottingham course", provider=college)  # not the co-ordinator's to count
    page = coordinator_client.get(reverse("learning:providers")).content.decode()
    assert "Derby College" in page
    assert 'data-label="Activities">2<' in page


def test_the_providers_list_searches_and_paginates(world, coordinator_client, django_assert_max_num_queries):
    for number in range(30):
        Provider.objects.create(unit=world.derby, name=f"Provider {number:02d}", kind="college")
    with django_assert_max_num_queries(6):
        page = coordinator_client.get(reverse("learning:providers")).content.decode()
    assert "30 providers" in page and "Provider 24" in page and "Provider 25" not in page
    found = coordinator_client.get(reverse("learning:providers"), {"q": "provider 07"}).content.decode()
    assert "Provider 07" in found and "Provider 08" not in found


def test_another_branch_does_not_see_derbys_providers(world, outsider_client):
    derby_provider(world)
    assert "Derby College" not in outsider_client.get(reverse("learning:providers")).content.decode()


def test_a_regions_provider_is_offered_to_its_branches(world, coordinator_client):
    Provider.objects.create(unit=world.region, name="East Midlands WEA", kind="community")
    assert "East Midlands WEA" in coordinator_client.get(reverse("learning:providers")).content.decode()
    assert "East Midlands WEA" in coordinator_client.get(reverse("learning:activity_add")).content.decode()


def test_a_coordinator_adds_a_provider(world, coordinator_client):
    response = coordinator_client.post(reverse("learning:provider_add"), provider_post(world))
    provider = Provider.objects.get(name="Derby Adult Learning")
    assert response["Location"] == reverse("learning:provider_detail", args=[provider.pk])
    assert (provider.unit, provider.kind) == (world.derby, "community")
    assert AuditEvent.objects.filter(target_type="provider", target_id=provider.pk, action="created").exists()


def test_a_provider_name_is_used_once_per_unit(world, coordinator_client):
    derby_provider(world)
    response = coordinator_client.post(reverse("learning:provider_add"), provider_post(world, name="Derby College"))
    assert response.status_code == 200
    assert Provider.objects.filter(name="Derby College").count() == 1


def test_the_providers_page_shows_details_contacts_and_activities(world, coordinator_client):
    college = derby_provider(world)
    college.contacts.create(name="Priya Shah", job_title="Adult learning manager", email="priya@example.org")
    make_activity(world.derby, title="Maths for work", provider=college)
    make_activity(world.notts, title="Nottingham course", provider=college)
    page = coordinator_client.get(reverse("learning:provider_detail", args=[college.pk])).content.decode()
    assert "Priya Shah" in page and "Adult learning manager" in page
    assert "Maths for work" in page and "Nottingham course" not in page
    assert "Change details" in page and "Add a contact" in page


def test_a_coordinator_changes_a_provider_and_adds_a_contact(world, coordinator_client):
    college = derby_provider(world)
    response = coordinator_client.post(
        reverse("learning:provider_edit", args=[college.pk]),
        provider_post(world, name="Derby College Group", kind="college"),
    )
    assert response.status_code == 302
    college.refresh_from_db()
    assert (college.name, college.is_active) == ("Derby College Group", False)  # unticked: no longer used
    response = coordinator_client.post(
        reverse("learning:provider_contact_add", args=[college.pk]),
        {"name": "Sam Tutor", "email": "sam@example.org", "job_title": "", "phone": "", "notes": ""},
    )
    assert response.status_code == 302
    assert college.contacts.get().name == "Sam Tutor"


@pytest.mark.parametrize("persona", ["ulr", "officer"])
def test_a_ulr_or_officer_sees_providers_but_cannot_add_or_change_them(world, persona):
    client = client_for(getattr(world, persona))
    college = derby_provider(world)
    assert "Add a provider" not in client.get(reverse("learning:providers")).content.decode()
    assert client.post(reverse("learning:provider_add"), provider_post(world)).status_code == 403
    response = client.post(reverse("learning:provider_edit", args=[college.pk]), provider_post(world, name="X"))
    assert response.status_code == 404
    assert client.post(reverse("learning:provider_contact_add", args=[college.pk]), {"name": "X"}).status_code == 404
    college.refresh_from_db()
    assert college.name == "Derby College" and not college.contacts.exists()


# Activity types -----------------------------------------------------------------------------------


def test_everyone_with_a_role_sees_the_types_but_only_a_national_administrator_may_change_them(world):
    the_type = activity_type("Webinar")
    edit_url = reverse("learning:activity_type_edit", args=[the_type.pk])
    coordinator_page = client_for(world.coordinator).get(reverse("learning:activity_types")).content.decode()
    assert "Webinar" in coordinator_page and edit_url not in coordinator_page
    admin_page = client_for(world.admin).get(reverse("learning:activity_types")).content.decode()
    assert edit_url in admin_page and "Add a type" in admin_page


@pytest.mark.parametrize("persona", ["coordinator", "regional", "ulr", "officer"])
def test_only_a_national_administrator_adds_or_changes_types(world, persona):
    the_type = activity_type("Webinar")
    client = client_for(getattr(world, persona))
    response = client.post(
        reverse("learning:activity_type_edit", args=[the_type.pk]), {"name": "Hijacked", "order": "1"}
    )
    assert response.status_code == 403
    assert client.post(reverse("learning:activity_type_add"), {"name": "New", "order": "1"}).status_code == 403
    the_type.refresh_from_db()
    assert the_type.name == "Webinar"
    assert not ActivityType.objects.filter(name="New").exists()


def test_a_national_administrator_renames_and_retires_a_type(world):
    the_type = activity_type("Webinar")
    client = client_for(world.admin)
    response = client.post(
        reverse("learning:activity_type_edit", args=[the_type.pk]),
        {"name": "Online talk", "description": "A talk online.", "order": "3"},
    )
    assert response["Location"] == reverse("learning:activity_types")
    the_type.refresh_from_db()
    assert (the_type.name, the_type.is_active, the_type.order) == ("Online talk", False, 3)
    assert "Retired" in client.get(reverse("learning:activity_types")).content.decode()
    assert AuditEvent.objects.filter(target_type="activitytype", target_id=the_type.pk).exists()


def test_a_national_administrator_adds_a_type_and_it_is_offered(world):
    client_for(world.admin).post(
        reverse("learning:activity_type_add"),
        {"name": "Family learning day", "description": "", "order": "30", "is_active": "on"},
    )
    assert "Family learning day" in client_for(world.coordinator).get(reverse("learning:activity_add")).content.decode()


def test_a_type_name_is_used_once(world):
    activity_type("Webinar")
    response = client_for(world.admin).post(reverse("learning:activity_type_add"), {"name": "Webinar", "order": "1"})
    assert response.status_code == 200
    assert ActivityType.objects.filter(name="Webinar").count() == 1
