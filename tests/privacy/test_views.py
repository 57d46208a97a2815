"""The data rights pages: only co-ordinators of the person's unit (or above it) act; everyone else gets 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from learningdesk.org.models import Person
from learningdesk.privacy.models import AnonymisedPerson
from tests.conftest import client_for

ACTIONS = ("privacy:subject_access", "privacy:send_link", "privacy:remove", "privacy:anonymise")


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize("who", ["coordinator", "regional", "admin"])
def test_coordinators_of_the_persons_unit_or_above_it_act(world, name, who):
    response = client_for(getattr(world, who)).get(reverse(name, args=[world.derby_person.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize("who", ["outsider", "officer", "ulr", "equality"])
def test_everyone_else_gets_404_and_nothing_changes(world, name, who):
    client = client_for(getattr(world, who))
    url = reverse(name, args=[world.derby_person.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"understood": "on"}).status_code == 404
    assert Person.objects.filter(pk=world.derby_person.pk, first_name="Maria").exists()


def test_the_person_page_shows_data_rights_to_coordinators_only(world):
    url = reverse("org:person_detail", args=[world.derby_person.pk])

    coordinator_page = client_for(world.coordinator).get(url).content.decode()
    officer_page = client_for(world.officer).get(url).content.decode()

    assert "Data rights" in coordinator_page
    for name in ACTIONS:
        assert reverse(name, args=[world.derby_person.pk]) in coordinator_page
    assert "Data rights" not in officer_page


def test_removing_asks_for_confirmation_next_to_the_box(world):
    url = reverse("privacy:remove", args=[world.derby_person.pk])
    client = client_for(world.coordinator)

    page = client.get(url).content.decode()
    response = client.post(url, {})

    assert "This cannot be undone" in page and "What we hold on them now" in page
    assert response.status_code == 400
    assert 'id="id_understood-error"' in response.content.decode()
    assert "Tick the box to say you understand that this cannot be undone" in response.content.decode()
    assert Person.objects.filter(pk=world.derby_person.pk).exists()


def test_removing_deletes_the_person_and_says_so(world):
    response = client_for(world.coordinator).post(
        reverse("privacy:remove", args=[world.derby_person.pk]), {"understood": "on"}, follow=True
    )

    assert "Maria Alberts was removed." in response.content.decode()
    assert not Person.objects.filter(pk=world.derby_person.pk).exists()


def test_anonymising_keeps_a_placeholder_that_says_so(world):
    client = client_for(world.coordinator)

    client.post(reverse("privacy:anonymise", args=[world.derby_person.pk]), {"understood": "on"})

    placeholder = Person.objects.get(pk=world.derby_person.pk)
    assert placeholder.full_name == "Anonymised person"
    page = client.get(reverse("org:person_detail", args=[placeholder.pk])).content.decode()
    assert "This record was anonymised on" in page
    assert client.get(reverse("privacy:anonymise", args=[placeholder.pk])).status_code == 404
    assert AnonymisedPerson.objects.count() == 1


def test_a_person_who_signs_in_with_a_role_cannot_be_erased_from_the_page(world):
    world.ulr.person = world.derby_person
    world.ulr.save(update_fields=["person"])
    url = reverse("privacy:remove", args=[world.derby_person.pk])
    client = client_for(world.coordinator)

    page = client.get(url).content.decode()
    client.post(url, {"understood": "on"})

    assert "End their roles on the team page first" in page
    assert 'type="submit"' not in page.split("<main", 1)[1].split("</main>", 1)[0].replace("Sign out", "")
    assert Person.objects.filter(pk=world.derby_person.pk).exists()
