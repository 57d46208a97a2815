from __future__ import annotations

import datetime
import re

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.org.models import Role, RoleAssignment
from tests.conftest import client_for
from tests.employers import contact_with_login


def test_sign_in_with_email_in_any_case(world, client):
    response = client.post(
        reverse("login"), {"username": "Coordinator@Example.org", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_says_what_to_fix(world, client):
    response = client.post(reverse("login"), {"username": "coordinator@example.org", "password": "nope"})
    assert response.status_code == 200
    assert "Enter the email address and password of your Learning Desk account" in response.content.decode()


def test_repeated_failures_lock_the_account_for_a_while(world, client):
    for _ in range(5):
        client.post(reverse("login"), {"username": "coordinator@example.org", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "coordinator@example.org", "password": "correct horse battery"}
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from learningdesk.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_password_reset_sends_a_working_link(world, client):
    client.post(reverse("password_reset"), {"email": "coordinator@example.org"})
    [message] = mail.outbox
    link = re.search(r"http://testserver(/password-reset/\S+/)", message.body).group(1)
    response = client.get(link, follow=True)
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )
    assert response.status_code == 302
    assert User.objects.get(email="coordinator@example.org").check_password("a brand new passphrase")


def test_coordinator_gives_a_new_ulr_a_role_and_they_get_an_email(
    world, coordinator_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            reverse("accounts:role_grant"),
            {
                "full_name": "Priya Shah",
                "email": "priya@example.org",
                "role": Role.ULR,
                "unit": world.derby.pk,
                "workplaces": [world.depot.pk],
                "starts_on": timezone.localdate().isoformat(),
            },
        )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user__email="priya@example.org")
    assert list(assignment.workplaces.all()) == [world.depot]
    assert mail.outbox[0].to == ["priya@example.org"]
    assert "Choose your password" in mail.outbox[0].body


def test_a_ulr_role_needs_workplaces(world, coordinator_client):
    response = coordinator_client.post(
        reverse("accounts:role_grant"),
        {
            "full_name": "P",
            "email": "p@example.org",
            "role": Role.ULR,
            "unit": world.derby.pk,
            "starts_on": timezone.localdate().isoformat(),
        },
    )
    assert "Choose at least one workplace" in response.content.decode()


def test_only_a_national_admin_can_make_national_admins(world, coordinator_client):
    response = coordinator_client.post(
        reverse("accounts:role_grant"),
        {
            "full_name": "P",
            "email": "p@example.org",
            "role": Role.NATIONAL_ADMIN,
            "unit": world.derby.pk,
            "starts_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert not RoleAssignment.objects.filter(user__email="p@example.org").exists()


def test_an_employer_contacts_login_cannot_be_given_a_union_role(world, coordinator_client):
    contact_user = contact_with_login(world)
    response = coordinator_client.post(
        reverse("accounts:role_grant"),
        {
            "full_name": "Tessa Trainer",
            "email": contact_user.email.upper(),
            "role": Role.BRANCH_OFFICER,
            "unit": world.derby.pk,
            "starts_on": timezone.localdate().isoformat(),
        },
    )
    assert "belongs to an employer contact" in response.content.decode()
    assert list(contact_user.roles.values_list("role", flat=True)) == [Role.EMPLOYER_CONTACT]


def test_the_employer_contact_role_is_not_offered_on_the_team_page(world, coordinator_client):
    response = coordinator_client.get(reverse("accounts:role_grant"))
    assert "Employer contact" not in response.content.decode()


def test_ending_a_role_removes_access_from_the_next_day(world, coordinator_client):
    officer_role = world.officer.roles.get()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = coordinator_client.post(
        reverse("accounts:role_end", args=[officer_role.pk]), {"ends_on": yesterday.isoformat()}
    )
    assert response.status_code == 302
    officer = client_for(world.officer)
    assert officer.get(reverse("org:person_detail", args=[world.derby_person.pk])).status_code == 404
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_ENDED).exists()


def test_team_page_lists_current_roles_in_scope(world, coordinator_client):
    body = coordinator_client.get(reverse("accounts:team")).content.decode()
    assert "Uma Rep" in body and "Owen Outsider" not in body


def test_audit_log_shows_the_scope_only(world, coordinator_client):
    coordinator_client.get(reverse("org:person_detail", args=[world.derby_person.pk]))
    client_for(world.outsider).get(reverse("org:person_detail", args=[world.notts_person.pk]))
    response = coordinator_client.get(reverse("accounts:audit_log"))
    rows = response.context["rows"]
    assert [person.pk for _, person in rows] == [world.derby_person.pk]


def test_branch_officer_has_no_audit_log(world):
    assert client_for(world.officer).get(reverse("accounts:audit_log")).status_code == 404


def test_change_your_own_password(world, coordinator_client):
    url = reverse("accounts:password_change")
    response = coordinator_client.post(
        url,
        {"old_password": "wrong", "new_password1": "a new long passphrase", "new_password2": "a new long passphrase"},
    )
    assert response.status_code == 200
    response = coordinator_client.post(
        url,
        {
            "old_password": "correct horse battery",
            "new_password1": "a new long passphrase",
            "new_password2": "a new long passphrase",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="coordinator@example.org").check_password("a new long passphrase")
