"""A co-ordinator lets a rep sign in: a ULR role on a login linked to the rep's person record."""

from __future__ import annotations

import pytest
from django.urls import reverse

from learningdesk.accounts.models import User
from learningdesk.org import scoping
from learningdesk.org.models import Role
from tests.conftest import client_for
from tests.factories import PersonFactory, UserFactory
from tests.reps import derby_rep, make_rep

pytestmark = pytest.mark.django_db


def test_a_rep_without_a_login_gets_one_linked_to_them_and_an_email(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    rep = derby_rep(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.coordinator).post(reverse("reps:give_login", args=[rep.pk]))
    assert response.status_code == 302
    user = User.objects.get(email__iexact=rep.person.email)
    assert user.person == rep.person
    assignment = scoping.active_roles(user).get()
    assert assignment.role == Role.ULR
    assert list(assignment.workplaces.all()) == [world.town_hall]
    assert [message.to for message in mailoutbox] == [[rep.person.email]]
    assert list(scoping.own_reps(user)) == [rep]


def test_an_existing_login_with_their_email_gets_the_role_and_the_link(world, mailoutbox):
    rep = derby_rep(world)
    existing = UserFactory(email=rep.person.email.upper())
    client_for(world.coordinator).post(reverse("reps:give_login", args=[rep.pk]))
    existing.refresh_from_db()
    assert existing.person == rep.person
    assert scoping.active_roles(existing).filter(role=Role.ULR).exists()
    assert mailoutbox == []


def test_a_rep_without_an_email_is_told_to_add_one(world):
    person = PersonFactory(branch=world.derby, workplace=world.depot, email="")
    rep = make_rep(person)
    client = client_for(world.coordinator)
    page = client.get(reverse("reps:give_login", args=[rep.pk])).content.decode()
    assert "Add their email address" in page
    response = client.post(reverse("reps:give_login", args=[rep.pk]))
    assert response.status_code == 200
    assert "Add their email address to their record first" in response.content.decode()
    assert not User.objects.filter(person=person).exists()


def test_a_login_linked_to_someone_else_is_refused(world):
    rep = derby_rep(world)
    other = PersonFactory(branch=world.derby)
    UserFactory(email=rep.person.email, person=other)
    response = client_for(world.coordinator).post(reverse("reps:give_login", args=[rep.pk]))
    assert "belongs to someone else" in response.content.decode()


@pytest.mark.parametrize("who", ["outsider", "officer", "ulr"])
def test_only_a_coordinator_of_the_reps_branch_may_give_a_login(world, who):
    rep = derby_rep(world)
    response = client_for(getattr(world, who)).post(reverse("reps:give_login", args=[rep.pk]))
    assert response.status_code == 404
    assert not User.objects.filter(person=rep.person).exists()
