from __future__ import annotations

from django.test import Client
from django.urls import reverse


def test_pages_carry_a_strict_content_security_policy(world, coordinator_client):
    response = coordinator_client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


def test_not_found_page_says_what_to_do_next(world, coordinator_client):
    response = coordinator_client.get("/people/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert 'href="/"' in body


def test_health_check_needs_no_sign_in(db):
    response = Client().get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_signed_in_pages_show_the_navigation(world, coordinator_client):
    body = coordinator_client.get(reverse("home")).content.decode()
    for label in ("People", "Organisation", "Employers", "Team", "Your account"):
        assert label in body
    # The audit and sign-in logs are found from the Team page, which keeps the menu on one line.
    team = coordinator_client.get(reverse("accounts:team")).content.decode()
    assert reverse("accounts:audit_log") in team and reverse("accounts:security_log") in team


def test_navigation_shows_only_what_the_role_can_use(world):
    from tests.conftest import client_for

    body = client_for(world.ulr).get(reverse("home")).content.decode()
    assert reverse("org:person_list") in body
    assert "Audit log" not in body
    assert "Team" not in body
    officer = client_for(world.officer).get(reverse("home")).content.decode()
    assert "Team" in officer
    assert reverse("accounts:audit_log") not in client_for(world.officer).get(reverse("accounts:team")).content.decode()
