"""Two-step sign-in: required for roles that reach equality data or a whole region or nation, optional for others;
the code after the password, recovery codes, turning it off, and an administrator's reset for a lost phone."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from learningdesk.accounts import two_factor
from learningdesk.accounts.models import AuditEvent, SignInEvent, UserSession
from learningdesk.accounts.testing import totp_code
from learningdesk.org.models import Role
from tests.conftest import client_for
from tests.employers import contact_with_login
from tests.factories import UserFactory, give_role

PASSWORD = "correct horse battery"


def sign_in(client: Client, email: str, next_url: str = ""):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": email, "password": PASSWORD})


def app_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name=two_factor.APP_NAME, confirmed=True)


def codes_for(user) -> list[str]:
    device = StaticDevice.objects.create(user=user, name=two_factor.RECOVERY_NAME, confirmed=True)
    codes = ["abcd2345", "efgh6723"]
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return codes


# Who needs it --------------------------------------------------------------------------------------------------------


def test_roles_that_reach_equality_data_or_a_region_need_two_step_sign_in(world):
    assert two_factor.needs_two_step(world.admin)
    assert two_factor.needs_two_step(world.regional)
    assert two_factor.needs_two_step(world.equality)
    for user in (world.coordinator, world.outsider, world.ulr, world.officer, contact_with_login(world)):
        assert not two_factor.needs_two_step(user), user


def test_any_role_held_at_a_region_needs_it_whatever_its_name(world):
    officer = UserFactory()
    give_role(officer, Role.BRANCH_OFFICER, world.region)
    assert two_factor.needs_two_step(officer)


# Setting it up when required -----------------------------------------------------------------------------------------


def test_a_regional_coordinator_without_an_app_is_sent_to_set_it_up_from_every_page(world, client):
    response = sign_in(client, "region@example.org")
    assert response.status_code == 302
    for url in (reverse("home"), reverse("org:person_list"), reverse("accounts:team")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:two_step_setup") + "?next=")
    page = client.get(reverse("accounts:two_step_setup")).content.decode()
    assert "Your role lets you see equality data" in page
    assert '<svg width="200" height="200" role="img"' in page
    device = TOTPDevice.objects.get(user=world.regional)
    assert not device.confirmed
    assert two_factor.typed_key(device) in page


def test_the_qr_code_and_the_key_stay_the_same_when_the_page_is_reloaded(world, client):
    sign_in(client, "region@example.org")
    first = client.get(reverse("accounts:two_step_setup")).context
    second = client.get(reverse("accounts:two_step_setup")).context
    assert (first["qr"], first["key"]) == (second["qr"], second["key"])
    assert TOTPDevice.objects.filter(user=world.regional).count() == 1


def test_a_wrong_first_code_says_what_to_do_next_to_the_field(world, client):
    sign_in(client, "region@example.org")
    client.get(reverse("accounts:two_step_setup"))
    response = client.post(reverse("accounts:two_step_setup"), {"code": "12345"})
    page = response.content.decode()
    assert 'class="govuk-error-message"' in page
    assert "Enter the 6 digits your app shows" in page
    response = client.post(reverse("accounts:two_step_setup"), {"code": "000000"})
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.get(user=world.regional).confirmed


def test_setting_up_shows_ten_recovery_codes_once_then_goes_where_the_user_was_going(world, client):
    sign_in(client, "region@example.org")
    client.get(reverse("org:person_list"))
    client.get(reverse("accounts:two_step_setup"))
    device = TOTPDevice.objects.get(user=world.regional)
    response = client.post(
        reverse("accounts:two_step_setup"), {"code": totp_code(device), "next": reverse("org:person_list")}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:recovery_codes"))
    page = client.get(response["Location"]).content.decode()
    shown = re.findall(r"<code>(\w{4} \w{4})</code>", page)
    assert len(shown) == 10
    stored = set(StaticToken.objects.filter(device__user=world.regional).values_list("token", flat=True))
    assert {code.replace(" ", "") for code in shown} == stored
    response = client.post(response["Location"])
    assert response["Location"] == reverse("org:person_list")
    assert "<code>" not in client.get(reverse("accounts:recovery_codes")).content.decode()
    assert client.get(reverse("org:person_list")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(target_type="user", target_id=world.regional.pk).exists()
    assert SignInEvent.objects.filter(user=world.regional, kind=SignInEvent.Kind.TWO_STEP_CHANGED).exists()


def test_setting_up_two_step_sign_in_signs_out_every_other_session(world, client):
    elsewhere = Client()
    sign_in(elsewhere, "coordinator@example.org")
    assert elsewhere.get(reverse("home")).status_code == 200
    sign_in(client, "coordinator@example.org")
    client.get(reverse("accounts:two_step_setup"))
    device = TOTPDevice.objects.get(user=world.coordinator)
    client.post(reverse("accounts:two_step_setup"), {"code": totp_code(device)})
    assert elsewhere.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 200


# The code after the password -----------------------------------------------------------------------------------------


def test_with_an_app_the_password_is_followed_by_the_code(world, client):
    device = app_for(world.coordinator)
    response = sign_in(client, "coordinator@example.org", next_url="/people/")
    assert response["Location"] == reverse("accounts:two_step_verify") + "?next=%2Fpeople%2F"
    assert client.get(reverse("org:person_list"))["Location"].startswith(reverse("accounts:two_step_verify"))
    # Not another app in place of the one it owes a code for.
    assert client.get(reverse("accounts:two_step_setup"))["Location"].startswith(reverse("accounts:two_step_verify"))
    key_before = client.session.session_key
    response = client.post(reverse("accounts:two_step_verify"), {"code": totp_code(device), "next": "/people/"})
    assert response["Location"] == "/people/"
    assert client.get(reverse("org:person_list")).status_code == 200
    assert client.session.session_key != key_before
    kinds = list(SignInEvent.objects.filter(user=world.coordinator).order_by("pk").values_list("kind", flat=True))
    assert kinds == [SignInEvent.Kind.SIGNED_IN, SignInEvent.Kind.TWO_STEP_PASSED]
    assert UserSession.objects.get(user=world.coordinator).session_key == client.session.session_key


def test_a_wrong_code_is_refused_and_logged(world, client):
    app_for(world.coordinator)
    sign_in(client, "coordinator@example.org")
    response = client.post(reverse("accounts:two_step_verify"), {"code": "000000"})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert SignInEvent.objects.filter(user=world.coordinator, kind=SignInEvent.Kind.TWO_STEP_FAILED).count() == 1


def test_a_code_works_once(world, client):
    device = app_for(world.coordinator)
    code = totp_code(device)
    sign_in(client, "coordinator@example.org")
    client.post(reverse("accounts:two_step_verify"), {"code": code})
    other = Client()
    sign_in(other, "coordinator@example.org")
    response = other.post(reverse("accounts:two_step_verify"), {"code": code})
    assert "That code is not right" in response.content.decode()


def test_after_too_many_codes_even_the_right_one_is_refused_for_a_while(world, client, settings):
    settings.TWO_STEP_TRIES = 3
    device = app_for(world.coordinator)
    sign_in(client, "coordinator@example.org")
    for _ in range(3):
        client.post(reverse("accounts:two_step_verify"), {"code": "000000"})
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = client.post(reverse("accounts:two_step_verify"), {"code": totp_code(device)})
    assert "You have entered too many codes. Wait 15 minutes" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_a_recovery_code_works_once_and_says_how_many_are_left(world, client):
    app_for(world.coordinator)
    first, _ = codes_for(world.coordinator)
    sign_in(client, "coordinator@example.org")
    page = client.get(reverse("accounts:two_step_verify"), {"recovery": "1"}).content.decode()
    assert "Recovery code" in page
    response = client.post(reverse("accounts:two_step_verify"), {"code": first.upper(), "recovery": "1"}, follow=True)
    assert "You signed in with a recovery code. You have 1 left" in response.content.decode()
    other = Client()
    sign_in(other, "coordinator@example.org")
    response = other.post(reverse("accounts:two_step_verify"), {"code": first, "recovery": "1"})
    assert "That recovery code is not right, or it has been used already" in response.content.decode()
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.TWO_STEP_PASSED, detail="recovery code").count() == 1


def test_an_htmx_request_owed_a_code_is_told_to_load_the_code_page(world, client):
    app_for(world.coordinator)
    sign_in(client, "coordinator@example.org")
    response = client.get(reverse("org:person_list"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("accounts:two_step_verify"))


def test_the_code_page_with_nothing_owed_says_so(world):
    response = client_for(world.coordinator).get(reverse("accounts:two_step_verify"))
    assert "You are signed in" in response.content.decode()


# Optional: on and off from the account page --------------------------------------------------------------------------


def test_the_account_page_offers_two_step_sign_in_to_a_coordinator(world):
    page = client_for(world.coordinator).get(reverse("accounts:account")).content.decode()
    assert "Set up two-step sign-in" in page
    assert "Off" in page


def test_turning_it_off_needs_the_password(world):
    app_for(world.coordinator)
    codes_for(world.coordinator)
    client = client_for(world.coordinator)
    response = client.post(reverse("accounts:two_step_off"), {"password": "wrong"})
    assert "That is not your password" in response.content.decode()
    assert TOTPDevice.objects.filter(user=world.coordinator).exists()
    response = client.post(reverse("accounts:two_step_off"), {"password": PASSWORD})
    assert response["Location"] == reverse("accounts:account")
    assert not TOTPDevice.objects.filter(user=world.coordinator).exists()
    assert not StaticDevice.objects.filter(user=world.coordinator).exists()
    assert client.get(reverse("home")).status_code == 200


def test_it_cannot_be_turned_off_by_someone_whose_role_needs_it(world):
    client = client_for(world.regional)
    page = client.get(reverse("accounts:two_step_off")).content.decode()
    assert "You cannot turn off two-step sign-in" in page
    response = client.post(reverse("accounts:two_step_off"), {"password": PASSWORD})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=world.regional, confirmed=True).exists()


def test_new_recovery_codes_replace_the_old_ones(world):
    client = client_for(world.regional)
    old = codes_for(world.regional)
    response = client.post(reverse("accounts:recovery_codes_new"))
    assert response["Location"] == reverse("accounts:recovery_codes")
    tokens = set(StaticToken.objects.filter(device__user=world.regional).values_list("token", flat=True))
    assert len(tokens) == 10
    assert not tokens & set(old)


def test_no_new_recovery_codes_without_two_step_sign_in(world):
    assert client_for(world.coordinator).post(reverse("accounts:recovery_codes_new")).status_code == 404


# An administrator's reset, for a lost phone --------------------------------------------------------------------------


def test_the_branch_coordinator_resets_a_ulrs_two_step_sign_in(world):
    app_for(world.ulr)
    codes_for(world.ulr)
    ulr = client_for(world.ulr)
    assert ulr.get(reverse("home")).status_code == 200
    coordinator = client_for(world.coordinator)
    team = coordinator.get(reverse("accounts:team")).content.decode()
    assert reverse("accounts:login_security", args=[world.ulr.pk]) in team
    page = coordinator.get(reverse("accounts:login_security", args=[world.ulr.pk])).content.decode()
    assert "Reset" in page
    response = coordinator.post(reverse("accounts:login_reset_two_step", args=[world.ulr.pk]))
    assert response["Location"] == reverse("accounts:login_security", args=[world.ulr.pk])
    assert not TOTPDevice.objects.filter(user=world.ulr).exists()
    assert not StaticDevice.objects.filter(user=world.ulr).exists()
    assert ulr.get(reverse("home"))["Location"].startswith(reverse("login"))
    event = AuditEvent.objects.get(target_type="user", target_id=world.ulr.pk)
    assert (event.actor, event.changes) == (world.coordinator, {"fields": ["two_step_sign_in_reset"]})
    assert event.unit == world.derby


def test_a_branch_coordinator_cannot_reset_someone_who_also_holds_a_role_elsewhere(world):
    give_role(world.admin, Role.BRANCH_OFFICER, world.derby)
    app_for(world.admin)
    coordinator = client_for(world.coordinator)
    assert coordinator.get(reverse("accounts:login_security", args=[world.admin.pk])).status_code == 404
    for name in ("accounts:login_reset_two_step", "accounts:login_end_sessions"):
        assert coordinator.post(reverse(name, args=[world.admin.pk])).status_code == 404
    assert TOTPDevice.objects.filter(user=world.admin).exists()


def test_a_national_administrator_may_reset_anyone_but_not_from_this_page_themselves(world):
    admin = client_for(world.admin)
    assert admin.get(reverse("accounts:login_security", args=[world.outsider.pk])).status_code == 200
    assert admin.get(reverse("accounts:login_security", args=[world.admin.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["ulr", "officer", "equality"])
def test_roles_that_do_not_grant_cannot_reach_another_login(world, persona):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("accounts:login_security", args=[world.coordinator.pk])).status_code == 404
