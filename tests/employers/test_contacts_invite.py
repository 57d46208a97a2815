"""Inviting an employer contact to sign in, and ending their access: a login that sees only what is shared, never
added on top of a union user's roles."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.employers import contacts
from learningdesk.employers.models import EmployerContact
from learningdesk.org import scoping
from learningdesk.org.models import Role, RoleAssignment
from tests.conftest import client_for
from tests.employers import contact_with_login, make_contact
from tests.factories import EmployerFactory, UserFactory, give_role

pytestmark = pytest.mark.django_db


def invite(client, contact: EmployerContact, capture) -> object:
    with capture(execute=True):
        return client.post(reverse("employers:contact_invite", args=[contact.pk]))


def test_the_confirm_page_says_what_they_will_see(world, coordinator_client):
    contact = make_contact(world.council)
    page = coordinator_client.get(reverse("employers:contact_invite", args=[contact.pk])).content.decode()
    assert "Invite Tessa Trainer to sign in?" in page
    assert "tessa.trainer@derby.gov.example" in page
    assert "Nothing about any member" in page
    assert not RoleAssignment.objects.filter(role=Role.EMPLOYER_CONTACT).exists()


def test_inviting_a_contact_gives_them_a_login_that_sees_only_their_employer(
    world, coordinator_client, django_capture_on_commit_callbacks
):
    contact = make_contact(world.council)
    response = invite(coordinator_client, contact, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    contact.refresh_from_db()
    user = contact.user
    assert user is not None and user.email == "tessa.trainer@derby.gov.example" and not user.has_usable_password()
    role = RoleAssignment.objects.get(user=user)
    assert (role.role, role.unit, role.employer, role.granted_by) == (
        Role.EMPLOYER_CONTACT,
        world.derby,
        world.council,
        world.coordinator,
    )
    scope = scoping.get_scope(User.objects.get(pk=user.pk))
    assert scope.is_employer_contact_only and scope.employer_ids == {world.council.pk}
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_GRANTED, target_id=role.pk)
    assert (event.actor, event.unit) == (world.coordinator, world.derby)
    assert mail.outbox[0].to == ["tessa.trainer@derby.gov.example"]
    assert "Derby City Council" in mail.outbox[0].subject
    assert mail.outbox[0].reply_to == ["coordinator@example.org"]


def test_the_link_in_the_email_lets_them_choose_a_password_and_land_on_the_shared_page(
    world, coordinator_client, client, django_capture_on_commit_callbacks
):
    contact = make_contact(world.council)
    invite(coordinator_client, contact, django_capture_on_commit_callbacks)
    link = re.search(r"https?://testserver(/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    password = "a long learning passphrase"
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    assert response.status_code == 302
    signed_in = client.post(reverse("login"), {"username": "tessa.trainer@derby.gov.example", "password": password})
    assert signed_in.status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("shared:home")
    assert "Derby City Council" in client.get(reverse("shared:home")).content.decode()


def test_an_existing_login_with_no_union_role_is_reused(world, coordinator_client, django_capture_on_commit_callbacks):
    """A former ULR who moved into management: their old role ended, their login is reused, not duplicated."""
    former = UserFactory(email="tessa.trainer@derby.gov.example", full_name="Tessa Trainer")
    give_role(former, Role.ULR, world.derby, workplaces=[world.town_hall], ends_on=datetime.date(2020, 1, 1))
    contact = make_contact(world.council, email="Tessa.Trainer@derby.gov.example")
    invite(coordinator_client, contact, django_capture_on_commit_callbacks)
    contact.refresh_from_db()
    assert contact.user == former
    assert User.objects.filter(email__iexact="tessa.trainer@derby.gov.example").count() == 1
    assert "your password" in mail.outbox[0].body


def test_a_union_user_is_never_given_employer_contact_access(world, coordinator_client):
    """Carol the co-ordinator's own address typed as a contact's: refused, and she gets no second role."""
    contact = make_contact(world.council, name="Carol at the council", email="COORDINATOR@example.org")
    response = coordinator_client.post(reverse("employers:contact_invite", args=[contact.pk]))
    assert response.status_code == 400
    assert "already signs in to Learning Desk as a union user" in response.content.decode()
    assert not RoleAssignment.objects.filter(role=Role.EMPLOYER_CONTACT).exists()
    contact.refresh_from_db()
    assert contact.user is None
    assert not mail.outbox


def test_a_login_already_of_another_employers_contact_is_refused(world, coordinator_client):
    other = make_contact(EmployerFactory(name="Derby Homes", unit=world.derby))
    other.user = UserFactory(email=other.email, full_name=other.name)
    other.save()
    give_role(other.user, Role.EMPLOYER_CONTACT, world.derby, employer=other.employer)
    contact = make_contact(world.council)
    response = coordinator_client.post(reverse("employers:contact_invite", args=[contact.pk]))
    assert response.status_code == 400
    assert "already signs in as Tessa Trainer, a contact of Derby Homes" in response.content.decode()
    assert RoleAssignment.objects.filter(role=Role.EMPLOYER_CONTACT, employer=world.council).count() == 0


def test_a_contact_without_an_email_address_cannot_be_invited(world, coordinator_client):
    contact = make_contact(world.council, email="")
    page = coordinator_client.get(reverse("employers:contact_invite", args=[contact.pk])).content.decode()
    assert "Add Tessa Trainer’s email address first" in page
    assert coordinator_client.post(reverse("employers:contact_invite", args=[contact.pk])).status_code == 400
    assert not User.objects.filter(full_name="Tessa Trainer").exists()


def test_inviting_again_resends_the_link_without_a_second_role(
    world, coordinator_client, django_capture_on_commit_callbacks
):
    contact = make_contact(world.council)
    invite(coordinator_client, contact, django_capture_on_commit_callbacks)
    page = coordinator_client.get(reverse("employers:contact_invite", args=[contact.pk])).content.decode()
    assert "Send Tessa Trainer the invitation again?" in page
    invite(coordinator_client, contact, django_capture_on_commit_callbacks)
    assert RoleAssignment.objects.filter(role=Role.EMPLOYER_CONTACT).count() == 1
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("who", ["ulr", "officer"])
def test_only_those_who_work_with_the_employer_invite_its_contacts(world, who):
    contact = make_contact(world.council)
    client = client_for(getattr(world, who))
    assert client.get(reverse("employers:contact_invite", args=[contact.pk])).status_code == 404
    assert client.post(reverse("employers:contact_invite", args=[contact.pk])).status_code == 404
    assert client.post(reverse("employers:contact_access_end", args=[contact.pk])).status_code == 404
    assert not RoleAssignment.objects.filter(role=Role.EMPLOYER_CONTACT).exists()


# Ending access ----------------------------------------------------------------------------------


def test_ending_access_takes_effect_at_once_and_is_audited(world, coordinator_client):
    user = contact_with_login(world)
    contact = EmployerContact.objects.get(user=user)
    confirm = coordinator_client.get(reverse("employers:contact_access_end", args=[contact.pk]))
    assert "End Tessa Trainer’s access?" in confirm.content.decode()
    assert client_for(user).get(reverse("shared:home")).status_code == 200

    response = coordinator_client.post(reverse("employers:contact_access_end", args=[contact.pk]))

    assert response.status_code == 302
    role = RoleAssignment.objects.get(user=user)
    assert role.ends_on == timezone.localdate() - datetime.timedelta(days=1)
    assert role.starts_on <= role.ends_on
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_ENDED, target_id=role.pk).exists()
    assert client_for(user).get(reverse("shared:home")).status_code == 404


def test_a_contact_no_longer_in_post_loses_their_sign_in(world, coordinator_client):
    user = contact_with_login(world)
    contact = EmployerContact.objects.get(user=user)
    response = coordinator_client.post(
        reverse("employers:contact_edit", args=[contact.pk]),
        {"name": contact.name, "kind": contact.kind, "email": contact.email},  # "still in post" unticked
    )
    assert response.status_code == 302
    assert not scoping.active_roles(user).exists()
    follow = coordinator_client.get(response["Location"]).content.decode()
    assert "their sign-in has ended" in follow


def test_access_can_be_given_again_after_it_ended(world, coordinator_client, django_capture_on_commit_callbacks):
    user = contact_with_login(world)
    contact = EmployerContact.objects.get(user=user)
    contacts.contact_access_end(acting_user=world.coordinator, contact=contact, today=timezone.localdate())
    invite(coordinator_client, contact, django_capture_on_commit_callbacks)
    assert scoping.active_roles(user).filter(role=Role.EMPLOYER_CONTACT, employer=world.council).count() == 1
    assert client_for(user).get(reverse("shared:home")).status_code == 200


def test_no_invitation_goes_once_access_has_ended_before_it_was_sent(world):
    user = contact_with_login(world)
    contact = EmployerContact.objects.get(user=user)
    contacts.contact_access_end(acting_user=world.coordinator, contact=contact, today=timezone.localdate())
    assert contacts.send_invitation_now(contact_id=contact.pk, inviter_id=None, site_url="https://x.example") is False
    assert not mail.outbox
