"""Sessions: time limits, "Your sessions" (end one, or all the others), an administrator ending a login's sessions,
and what signing out and changing the password do to them."""

from __future__ import annotations

import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from learningdesk.accounts import sessions
from learningdesk.accounts.models import AuditEvent, SignInEvent, UserSession
from tests.conftest import client_for

PASSWORD = "correct horse battery"
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
)


def signed_in(email: str, user_agent: str = ANDROID_CHROME, ip: str = "203.0.113.9") -> Client:
    client = Client(headers={"User-Agent": user_agent}, REMOTE_ADDR=ip)
    response = client.post(reverse("login"), {"username": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def shift(client: Client, **seconds_ago: float) -> None:
    """Pretend the session signed in (started) or was last seen (seen) so many seconds ago."""
    session = client.session
    now = time.time()
    if "started" in seconds_ago:
        session[sessions.STARTED] = now - seconds_ago["started"]
    if "seen" in seconds_ago:
        session[sessions.SEEN] = now - seconds_ago["seen"]
    session.save()


# Recording a sign-in -------------------------------------------------------------------------------------------------


def test_signing_in_records_the_session_with_its_browser_and_address(world):
    client = signed_in("coordinator@example.org")
    row = UserSession.objects.get(user=world.coordinator)
    assert (row.browser, row.ip_address, row.ended_at) == ("Chrome on Android", "203.0.113.9", None)
    assert row.session_key == client.session.session_key
    event = SignInEvent.objects.get(user=world.coordinator)
    assert (event.kind, event.ip_address, event.email_typed) == (SignInEvent.Kind.SIGNED_IN, "203.0.113.9", "")


def test_signing_out_ends_the_session_and_is_logged(world):
    client = signed_in("coordinator@example.org")
    client.post(reverse("logout"))
    row = UserSession.objects.get(user=world.coordinator)
    assert row.end_reason == UserSession.EndReason.SIGNED_OUT
    assert row.ended_at is not None
    assert SignInEvent.objects.filter(user=world.coordinator, kind=SignInEvent.Kind.SIGNED_OUT).exists()


# Time limits ---------------------------------------------------------------------------------------------------------


def test_a_session_unused_for_two_hours_is_signed_out(world):
    client = signed_in("coordinator@example.org")
    shift(client, seen=2 * 3600 + 5)
    response = client.get(reverse("org:person_list"))
    assert response["Location"].startswith(reverse("login") + "?next=")
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because you had not used Learning Desk for a while" in page
    row = UserSession.objects.get(user=world.coordinator)
    assert row.end_reason == UserSession.EndReason.IDLE
    event = SignInEvent.objects.get(kind=SignInEvent.Kind.SESSION_EXPIRED)
    assert event.user == world.coordinator


def test_a_session_ends_twelve_hours_after_signing_in_however_busy(world):
    client = signed_in("coordinator@example.org")
    shift(client, started=12 * 3600 + 5, seen=10)
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert UserSession.objects.get(user=world.coordinator).end_reason == UserSession.EndReason.TOO_LONG


def test_the_limits_are_settings(world, settings):
    settings.SESSION_IDLE_MINUTES = 5
    client = signed_in("coordinator@example.org")
    shift(client, seen=6 * 60)
    assert client.get(reverse("home")).status_code == 302


def test_activity_is_written_at_most_once_a_minute(world):
    client = signed_in("coordinator@example.org")
    client.get(reverse("home"))  # the first page after signing in
    row = UserSession.objects.get(user=world.coordinator)
    seen = row.last_seen_at
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    assert not [q for q in queries.captured_queries if "accounts_usersession" in q["sql"]]
    assert UserSession.objects.get(pk=row.pk).last_seen_at == seen
    shift(client, seen=61)
    client.get(reverse("home"))
    assert UserSession.objects.get(pk=row.pk).last_seen_at > seen


# Your sessions -------------------------------------------------------------------------------------------------------


def test_your_sessions_lists_yours_only_with_this_one_marked(world):
    laptop = signed_in("coordinator@example.org", user_agent="Mozilla/5.0 (Windows NT 10.0) Firefox/128.0")
    signed_in("coordinator@example.org")
    signed_in("notts@example.org", user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1")
    page = laptop.get(reverse("accounts:sessions")).content.decode()
    assert "Firefox on Windows" in page
    assert "Chrome on Android" in page
    assert "iPhone" not in page
    assert page.count("This one") == 1


def test_ending_another_session_signs_that_browser_out(world):
    phone = signed_in("coordinator@example.org")
    laptop = signed_in("coordinator@example.org")
    phone_row = UserSession.objects.get(session_key=phone.session.session_key)
    response = laptop.post(reverse("accounts:session_end", args=[phone_row.pk]))
    assert response["Location"] == reverse("accounts:sessions")
    assert phone.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert laptop.get(reverse("home")).status_code == 200
    phone_row.refresh_from_db()
    assert phone_row.end_reason == UserSession.EndReason.ENDED_BY_USER


def test_this_session_is_not_ended_from_the_list_and_nobody_elses_is(world):
    laptop = signed_in("coordinator@example.org")
    outsider = signed_in("notts@example.org")
    own = UserSession.objects.get(session_key=laptop.session.session_key)
    theirs = UserSession.objects.get(session_key=outsider.session.session_key)
    assert laptop.post(reverse("accounts:session_end", args=[own.pk])).status_code == 404
    assert laptop.post(reverse("accounts:session_end", args=[theirs.pk])).status_code == 404
    assert outsider.get(reverse("home")).status_code == 200


def test_sign_out_everywhere_else(world):
    first, second = signed_in("coordinator@example.org"), signed_in("coordinator@example.org")
    here = signed_in("coordinator@example.org")
    assert "Sign out everywhere else?" in here.get(reverse("accounts:sessions_end_others")).content.decode()
    response = here.post(reverse("accounts:sessions_end_others"), follow=True)
    assert "Signed out everywhere else (2 sessions)" in response.content.decode()
    for other in (first, second):
        assert other.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert here.get(reverse("home")).status_code == 200


def test_an_old_session_is_not_listed_as_signed_in(world, settings):
    client = signed_in("coordinator@example.org")
    UserSession.objects.create(user=world.coordinator, session_key="gone", browser="Old browser")
    UserSession.objects.filter(browser="Old browser").update(last_seen_at="2020-01-01T00:00:00Z")
    assert "Old browser" not in client.get(reverse("accounts:sessions")).content.decode()


# Administrators and passwords ----------------------------------------------------------------------------------------


def test_a_coordinator_signs_a_ulr_out_everywhere(world):
    ulr = signed_in("ulr@example.org")
    coordinator = client_for(world.coordinator)
    assert (
        "Sign out everywhere"
        in coordinator.get(reverse("accounts:login_end_sessions", args=[world.ulr.pk])).content.decode()
    )
    response = coordinator.post(reverse("accounts:login_end_sessions", args=[world.ulr.pk]))
    assert response["Location"] == reverse("accounts:login_security", args=[world.ulr.pk])
    assert ulr.get(reverse("home"))["Location"].startswith(reverse("login"))
    event = AuditEvent.objects.get(target_type="user", target_id=world.ulr.pk)
    assert event.changes == {"fields": ["sessions_ended"]}
    assert UserSession.objects.get(user=world.ulr).end_reason == UserSession.EndReason.ENDED_BY_ADMIN


def test_changing_the_password_signs_out_the_other_sessions_but_not_this_one(world):
    elsewhere = signed_in("coordinator@example.org")
    here = signed_in("coordinator@example.org")
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "a new long passphrase", "new_password2": "a new long passphrase"},
    )
    assert response.status_code == 302
    assert here.get(reverse("home")).status_code == 200
    assert elsewhere.get(reverse("home"))["Location"].startswith(reverse("login"))
    here_row = UserSession.objects.get(session_key=here.session.session_key)
    assert here_row.ended_at is None
    assert UserSession.objects.filter(user=world.coordinator, end_reason="password_changed").count() == 1


# Browsers in a few words ---------------------------------------------------------------------------------------------


def test_browsers_are_summarised_in_words_people_know():
    assert sessions.browser_summary(ANDROID_CHROME) == "Chrome on Android"
    iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Safari/604.1"
    assert sessions.browser_summary(iphone) == "Safari on iPhone"
    edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0"
    assert sessions.browser_summary(edge) == "Edge on Windows"
    assert sessions.browser_summary("") == ""
    assert sessions.browser_summary("curl/8.5") == "Unknown browser"


@given(st.text(max_size=2000))
def test_any_user_agent_gives_a_short_summary(user_agent):
    summary = sessions.browser_summary(user_agent)
    assert len(summary) <= 60


def test_a_session_whose_row_was_closed_elsewhere_is_signed_out_within_a_minute(world):
    client = signed_in("coordinator@example.org")
    UserSession.objects.filter(user=world.coordinator).update(
        ended_at="2026-01-01T00:00:00Z", end_reason="ended_by_admin"
    )
    shift(client, seen=61)
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert SignInEvent.objects.filter(user=world.coordinator, kind=SignInEvent.Kind.SESSION_ENDED).exists()
