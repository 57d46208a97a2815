"""The sign-in and access log: failed sign-ins, lockouts and refused pages are written; administrators review them in
their scope; writing is capped and old rows are pruned."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts import security, sign_in_log
from learningdesk.accounts.models import SignInEvent, UserSession
from tests.conftest import client_for

Kind = SignInEvent.Kind


def fail(client: Client, email: str) -> None:
    client.post(reverse("login"), {"username": email, "password": "wrong"}, REMOTE_ADDR="198.51.100.7")


# What is written -----------------------------------------------------------------------------------------------------


def test_a_wrong_password_is_logged_with_the_email_typed_and_the_account(world):
    fail(Client(), "Coordinator@Example.org")
    event = SignInEvent.objects.get()
    assert (event.kind, event.user, event.email_typed) == (
        Kind.FAILED_PASSWORD,
        world.coordinator,
        "Coordinator@Example.org",
    )
    assert (event.ip_address, event.path) == ("198.51.100.7", "/sign-in/")


def test_a_sign_in_to_no_account_keeps_only_the_email_typed(world):
    fail(Client(), "nobody@example.org")
    event = SignInEvent.objects.get()
    assert (event.user, event.email_typed) == (None, "nobody@example.org")


def test_a_lockout_is_logged_once_for_each_try(world):
    client = Client()
    for _ in range(6):
        fail(client, "coordinator@example.org")
    kinds = list(SignInEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds.count(Kind.FAILED_PASSWORD) in (4, 5)
    assert Kind.LOCKED_OUT in kinds
    assert len(kinds) <= 7


def test_a_refused_record_is_logged_with_its_path(world):
    client = client_for(world.outsider)
    response = client.get(reverse("org:person_detail", args=[world.derby_person.pk]), {"q": "maria"})
    assert response.status_code == 404
    event = SignInEvent.objects.get(kind=Kind.ACCESS_DENIED)
    assert (event.user, event.path) == (world.outsider, f"/people/{world.derby_person.pk}/")


def test_an_address_that_is_no_page_and_visitors_not_signed_in_are_not_logged(world, client):
    client_for(world.outsider).get("/no-such-page/")
    client.get(reverse("org:person_detail", args=[world.derby_person.pk]))
    Client().get("/learn/NO-SUCH-UNIT/")
    assert not SignInEvent.objects.filter(kind=Kind.ACCESS_DENIED).exists()


def test_the_log_cannot_be_used_to_fill_the_disk(world, monkeypatch):
    monkeypatch.setattr(sign_in_log, "ROWS_PER_HOUR", 3)
    client = Client()
    for number in range(6):
        fail(client, f"guess{number}@example.org")
    assert SignInEvent.objects.count() == 3


# The review page -----------------------------------------------------------------------------------------------------


@pytest.fixture
def events(world):
    for user in (world.coordinator, world.ulr, world.outsider):
        SignInEvent.objects.create(user=user, kind=Kind.SIGNED_IN, ip_address="192.0.2.1")
    SignInEvent.objects.create(kind=Kind.FAILED_PASSWORD, email_typed="stranger@example.org")
    SignInEvent.objects.create(user=world.ulr, kind=Kind.ACCESS_DENIED, path="/people/1/")


def rows(response) -> list[SignInEvent]:
    return list(response.context["page_obj"].object_list)


def test_a_national_administrator_sees_every_event(world, events):
    page = client_for(world.admin).get(reverse("accounts:security_log"))
    content = page.content.decode()
    assert "No account: stranger@example.org" in content
    assert "Owen Outsider" in content and "Uma Rep" in content


def test_a_branch_coordinator_sees_the_logins_of_their_branch_only(world, events):
    response = client_for(world.coordinator).get(reverse("accounts:security_log"))
    users = {event.user for event in rows(response)}
    assert users == {world.coordinator, world.ulr}
    assert "stranger@example.org" not in response.content.decode()


def test_a_coordinator_does_not_see_someone_who_also_holds_a_role_elsewhere(world, events):
    from learningdesk.org.models import Role
    from tests.factories import give_role

    give_role(world.outsider, Role.BRANCH_OFFICER, world.derby)
    response = client_for(world.coordinator).get(reverse("accounts:security_log"))
    assert world.outsider not in {event.user for event in rows(response)}


@pytest.mark.parametrize("persona", ["ulr", "officer", "equality"])
def test_roles_without_the_audit_log_have_no_security_log(world, persona):
    assert client_for(getattr(world, persona)).get(reverse("accounts:security_log")).status_code == 404


def test_the_log_filters_by_kind_email_and_date(world, events):
    client = client_for(world.admin)
    url = reverse("accounts:security_log")
    assert {e.kind for e in rows(client.get(url, {"kind": Kind.ACCESS_DENIED}))} == {Kind.ACCESS_DENIED}
    assert {e.user for e in rows(client.get(url, {"email": "ULR@example.org"}))} == {world.ulr}
    assert [e.email_typed for e in rows(client.get(url, {"email": "stranger@example.org"}))] == ["stranger@example.org"]
    today = timezone.localdate()
    assert rows(client.get(url, {"since": (today + datetime.timedelta(days=1)).isoformat()})) == []
    assert len(rows(client.get(url, {"since": today.isoformat(), "until": today.isoformat()}))) >= 5


def test_a_backwards_date_range_is_explained_next_to_the_field(world, events):
    response = client_for(world.admin).get(
        reverse("accounts:security_log"), {"since": "2026-05-02", "until": "2026-05-01"}
    )
    assert "The end date must be the same as or after the start date" in response.content.decode()


def test_the_log_takes_a_few_queries_however_long(world, events, django_assert_max_num_queries):
    for _ in range(60):
        SignInEvent.objects.create(user=world.ulr, kind=Kind.SIGNED_IN)
    client = client_for(world.coordinator)
    client.get(reverse("accounts:security_log"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:security_log"))
    assert len(rows(response)) == 25


# Retention -----------------------------------------------------------------------------------------------------------


def test_retention_deletes_old_rows_and_blanks_old_emails_typed(world, settings):
    now = timezone.now()
    old = SignInEvent.objects.create(kind=Kind.SIGNED_IN, user=world.coordinator)
    SignInEvent.objects.filter(pk=old.pk).update(at=now - datetime.timedelta(days=settings.SIGN_IN_LOG_DAYS + 1))
    failed = SignInEvent.objects.create(kind=Kind.FAILED_PASSWORD, email_typed="typo@example.org")
    SignInEvent.objects.filter(pk=failed.pk).update(at=now - datetime.timedelta(days=settings.SIGN_IN_EMAIL_DAYS + 1))
    recent = SignInEvent.objects.create(kind=Kind.FAILED_PASSWORD, email_typed="recent@example.org")
    stale = UserSession.objects.create(user=world.coordinator, session_key="stale")
    UserSession.objects.filter(pk=stale.pk).update(created_at=now - datetime.timedelta(hours=13))
    report = security.prune()
    assert report == {
        "sign-in log rows deleted": 1,
        "emails typed at failed sign-ins blanked": 1,
        "ended sessions deleted": 0,
    }
    assert not SignInEvent.objects.filter(pk=old.pk).exists()
    assert SignInEvent.objects.get(pk=failed.pk).email_typed == ""
    assert SignInEvent.objects.get(pk=recent.pk).email_typed == "recent@example.org"
    assert UserSession.objects.get(pk=stale.pk).end_reason == UserSession.EndReason.TOO_LONG


def test_the_retention_command_says_what_it_did(world):
    out = StringIO()
    call_command("prune_sign_in_log", stdout=out)
    assert "0 sign-in log rows deleted" in out.getvalue()
