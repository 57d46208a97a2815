from __future__ import annotations

import pytest
from django.urls import reverse

from learningdesk.accounts.models import AuditEvent
from learningdesk.org.models import Consent, EqualityRecord, Person
from tests.conftest import client_for
from tests.factories import PersonFactory


def test_people_list_shows_the_branch_and_paginates_in_the_database(
    world, coordinator_client, django_assert_max_num_queries, settings
):
    settings.PAGE_SIZE = 10
    PersonFactory.create_batch(25, branch=world.derby, workplace=world.depot)
    # One query finds the page's ids, one reads their rows (core/pagination.py: paginate_late).
    with django_assert_max_num_queries(11):
        response = coordinator_client.get(reverse("org:person_list"))
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert page.paginator.count == 27
    assert len(page.object_list) == 10
    assert "Okafor" not in response.content.decode()


@pytest.mark.parametrize(
    "query", ["alberts", "Alb", "maria alb", "alberts maria", "ALBERTS", "maria.alberts@example.net"]
)
def test_search_finds_a_member_by_name_or_email(world, coordinator_client, query):
    response = coordinator_client.get(reverse("org:person_list"), {"q": query})
    assert [p.last_name for p in response.context["page_obj"].object_list] == ["Alberts"]


def test_search_finds_a_member_by_membership_number(world, coordinator_client):
    number = world.derby_person.membership_number
    response = coordinator_client.get(reverse("org:person_list"), {"q": number.lower()})
    assert [p.pk for p in response.context["page_obj"].object_list] == [world.derby_person.pk]


def test_search_never_looks_outside_the_users_scope(world, coordinator_client):
    response = coordinator_client.get(reverse("org:person_list"), {"q": "okafor"})
    assert response.context["page_obj"].paginator.count == 0
    assert "No one matches" in response.content.decode()


def test_filters_by_status_and_workplace(world, coordinator_client):
    PersonFactory(branch=world.derby, workplace=world.depot, status=Person.Status.LAPSED, membership_number=None)
    response = coordinator_client.get(reverse("org:person_list"), {"status": "lapsed"})
    assert response.context["page_obj"].paginator.count == 1
    response = coordinator_client.get(reverse("org:person_list"), {"workplace": world.town_hall.pk})
    assert [p.last_name for p in response.context["page_obj"].object_list] == ["Alberts"]


def test_htmx_search_returns_only_the_results_fragment(world, coordinator_client):
    response = coordinator_client.get(reverse("org:person_list"), {"q": "alb"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'id="results"' in body
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_adding_a_person_saves_them_and_logs_who_did_it(world, coordinator_client):
    response = coordinator_client.post(
        reverse("org:person_add"),
        {
            "first_name": "Sam",
            "last_name": "Jones",
            "status": "non_member",
            "membership_number": "",
            "email": "  Sam.Jones@Example.org ",
            "branch": world.derby.pk,
            "workplace": world.depot.pk,
            "time_zone": "Europe/London",
            "preferred_language": "English",
        },
    )
    person = Person.objects.get(last_name="Jones")
    assert response.status_code == 302
    assert response["Location"] == reverse("org:person_detail", args=[person.pk])
    assert person.email == "sam.jones@example.org"
    assert person.membership_number is None
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATED, target_id=person.pk)
    assert event.actor == world.coordinator
    assert event.unit == world.derby


def test_a_member_needs_a_membership_number_and_the_error_says_so(world, coordinator_client):
    response = coordinator_client.post(
        reverse("org:person_add"),
        {
            "first_name": "Sam",
            "last_name": "Jones",
            "status": "member",
            "branch": world.derby.pk,
            "time_zone": "Europe/London",
        },
    )
    assert response.status_code == 200
    assert "Enter the membership number of a member" in response.content.decode()
    assert not Person.objects.filter(last_name="Jones").exists()


def test_cannot_add_a_person_to_another_branch_by_posting_its_id(world, coordinator_client):
    response = coordinator_client.post(
        reverse("org:person_add"),
        {
            "first_name": "Sam",
            "last_name": "Jones",
            "status": "non_member",
            "branch": world.notts.pk,
            "time_zone": "Europe/London",
        },
    )
    assert response.status_code == 200
    assert not Person.objects.filter(last_name="Jones").exists()


def test_workplace_must_belong_to_the_chosen_branch(world):
    client = client_for(world.regional)
    response = client.post(
        reverse("org:person_add"),
        {
            "first_name": "Sam",
            "last_name": "Jones",
            "status": "non_member",
            "branch": world.notts.pk,
            "workplace": world.depot.pk,
            "time_zone": "Europe/London",
        },
    )
    assert "organised by another branch" in response.content.decode()


def test_editing_a_person_records_what_changed_without_copying_contact_details(world, coordinator_client):
    person = world.derby_person
    data = {
        "first_name": "Maria",
        "last_name": "Alberts-Smith",
        "status": "member",
        "membership_number": person.membership_number,
        "email": "new@example.org",
        "branch": world.derby.pk,
        "workplace": world.depot.pk,
        "time_zone": "Europe/London",
        "preferred_language": "English",
    }
    response = coordinator_client.post(reverse("org:person_edit", args=[person.pk]), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.last_name == "Alberts-Smith"
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGED, target_id=person.pk)
    assert event.changes["last_name"] == "changed"
    assert event.changes["email"] == "changed"
    assert event.changes["workplace"] == [world.town_hall.pk, world.depot.pk]
    assert "new@example.org" not in str(event.changes)


def test_branch_officer_can_read_but_not_edit(world):
    client = client_for(world.officer)
    assert client.get(reverse("org:person_detail", args=[world.derby_person.pk])).status_code == 200
    assert client.get(reverse("org:person_edit", args=[world.derby_person.pk])).status_code == 404
    assert "Edit details" not in client.get(reverse("org:person_detail", args=[world.derby_person.pk])).content.decode()


def test_opening_a_person_is_logged(world, coordinator_client):
    coordinator_client.get(reverse("org:person_detail", args=[world.derby_person.pk]))
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEWED, target_id=world.derby_person.pk, actor=world.coordinator
    ).exists()


def test_recording_and_withdrawing_consent(world, coordinator_client):
    url = reverse("org:person_consent", args=[world.derby_person.pk])
    coordinator_client.post(url, {"kind": "newsletter", "given": "yes", "method": "in_person"})
    consent = Consent.objects.get(person=world.derby_person, kind="newsletter")
    assert consent.is_active and consent.recorded_by == world.coordinator
    coordinator_client.post(url, {"kind": "newsletter", "given": "no", "method": "email"})
    consent.refresh_from_db()
    assert not consent.is_active and consent.withdrawn_at is not None


def test_coordinator_cannot_see_equality_data(world, coordinator_client):
    url = reverse("org:person_equality", args=[world.derby_person.pk])
    assert coordinator_client.get(url).status_code == 404
    page = coordinator_client.get(reverse("org:person_detail", args=[world.derby_person.pk])).content.decode()
    assert "Only equality officers can see equality monitoring" in page


def test_equality_officer_records_equality_data_with_consent_and_views_are_logged(world):
    client = client_for(world.equality)
    url = reverse("org:person_equality", args=[world.derby_person.pk])
    response = client.post(url, {"age_band": "35_44", "gender": "woman", "consent_method": "in_person"})
    assert response.status_code == 200
    assert "They have agreed" in response.content.decode()
    assert not EqualityRecord.objects.exists()
    response = client.post(
        url, {"age_band": "35_44", "gender": "woman", "consent": "on", "consent_method": "in_person"}
    )
    assert response.status_code == 302
    record = EqualityRecord.objects.get(person=world.derby_person)
    assert record.gender == "woman" and record.ethnicity == ""
    change = AuditEvent.objects.get(action=AuditEvent.Action.CHANGED_EQUALITY)
    assert "woman" not in str(change.changes)
    client.get(url)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEWED_EQUALITY, actor=world.equality).count() == 1
    client.post(reverse("org:person_equality_delete", args=[world.derby_person.pk]))
    assert not EqualityRecord.objects.exists()


def test_workplace_filter_offers_only_workplaces_in_scope_and_in_the_chosen_unit(world):
    client = client_for(world.regional)
    response = client.get(reverse("org:person_list"), {"unit": world.notts.pk})
    choices = [label for value, label in response.context["form"].fields["workplace"].choices if value]
    assert choices == ["Queen's Medical Centre, Nottingham University Hospitals"]
    response = client.get(reverse("org:person_list"), {"unit": world.notts.pk, "workplace": world.depot.pk})
    assert "Choose a workplace in the unit you chose" in response.content.decode()


def test_workplace_filter_asks_for_a_unit_first_when_there_are_too_many_workplaces(world, monkeypatch):
    from learningdesk.org.forms import PeopleFilterForm

    monkeypatch.setattr(PeopleFilterForm, "WORKPLACE_CHOICES_LIMIT", 1)
    response = client_for(world.regional).get(reverse("org:person_list"))
    assert "choose a unit and apply the filters first" in response.content.decode()
    response = client_for(world.regional).get(reverse("org:person_list"), {"workplace": world.depot.pk})
    assert [p.last_name for p in response.context["page_obj"].object_list] == ["Patel"]


def test_a_nul_character_in_the_search_gets_a_message_not_a_server_error(world, coordinator_client):
    response = coordinator_client.get(reverse("org:person_list"), {"q": "alb\x00erts"})
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
