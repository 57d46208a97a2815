"""Sign-in security's part of subject access and erasure (accounts/security.py, called by the privacy app)."""

from __future__ import annotations

import json

from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from learningdesk.accounts import security, two_factor
from learningdesk.accounts.models import SignInEvent, UserSession
from tests.conftest import client_for


def busy_login(world) -> Client:
    """The Derby co-ordinator with everything sign-in security can hold about a login."""
    failing = Client()
    for _ in range(2):
        failing.post(reverse("login"), {"username": "coordinator@example.org", "password": "wrong"})
    client = Client()
    client.post(reverse("login"), {"username": "coordinator@example.org", "password": "correct horse battery"})
    TOTPDevice.objects.create(user=world.coordinator, name=two_factor.APP_NAME, confirmed=True)
    device = StaticDevice.objects.create(user=world.coordinator, name=two_factor.RECOVERY_NAME, confirmed=True)
    StaticToken.objects.create(device=device, token="secretco")
    client_for(world.outsider).get(reverse("org:person_detail", args=[world.derby_person.pk]))
    return client


def test_export_holds_every_kind_of_row_and_no_secret(world):
    client = busy_login(world)
    AccessAttempt.objects.create(
        username="coordinator@example.org", ip_address="127.0.0.1", user_agent="x", failures_since_start=2
    )
    exported = security.export_user(world.coordinator)
    text = json.dumps(exported)
    assert set(exported) == {
        "Sign-in sessions",
        "Sign-in and access log",
        "Two-step sign-in",
        "Failed sign-ins being counted",
    }
    assert len(exported["Sign-in sessions"]) == 1
    kinds = [row["what"] for row in exported["Sign-in and access log"]]
    assert kinds.count("Wrong email or password") == 2 and "Signed in" in kinds
    assert [row["kind"] for row in exported["Two-step sign-in"]] == ["Authenticator app", "Recovery codes"]
    assert exported["Two-step sign-in"][1]["codes left"] == 1
    assert exported["Failed sign-ins being counted"][0]["failed tries"] == 2
    for secret in (
        client.session.session_key,
        TOTPDevice.objects.get(user=world.coordinator).key,
        "secretco",
        "Owen Outsider",
    ):
        assert secret not in text


def test_forgetting_a_login_leaves_nothing_of_it_in_sign_in_security(world):
    client = busy_login(world)
    session_key = client.session.session_key
    counts = security.forget_user(world.coordinator)
    assert counts["accounts.UserSession"] == 1
    assert counts["accounts.SignInEvent"] == 3
    assert counts["otp_totp.TOTPDevice"] == 1
    assert counts["otp_static.StaticToken"] == 1
    assert all(isinstance(value, int) for value in counts.values())
    assert not UserSession.objects.filter(user=world.coordinator).exists()
    assert not SignInEvent.objects.filter(user=world.coordinator).exists()
    assert not SignInEvent.objects.filter(email_typed__iexact="coordinator@example.org").exists()
    assert not TOTPDevice.objects.filter(user=world.coordinator).exists()
    assert not StaticDevice.objects.filter(user=world.coordinator).exists()
    assert not StaticToken.objects.exists()
    assert not AccessAttempt.objects.filter(username__iexact="coordinator@example.org").exists()
    assert not Session.objects.filter(session_key=session_key).exists()
    # Other people's rows stay.
    assert SignInEvent.objects.filter(user=world.outsider, kind=SignInEvent.Kind.ACCESS_DENIED).exists()
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_forgetting_a_login_with_nothing_recorded_counts_nothing(world):
    counts = security.forget_user(world.officer)
    assert set(counts.values()) == {0}
