"""Walk every URL pattern: anonymous users are sent to sign in, and a co-ordinator of another branch
gets 403 or 404 for every record of Derby's. A new URL without an entry here fails the test."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from learningdesk.employers.middleware import ALWAYS_OPEN
from learningdesk.imports.models import MemberImport
from tests.conftest import World, client_for
from tests.employers import contact_with_login

# URLs anyone may open, signed in or not.
PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    "readyz",
}


def derby_import(world: World) -> MemberImport:
    """A checked member import into Derby, waiting to be confirmed."""
    return MemberImport.objects.create(
        created_by=world.coordinator, unit=world.derby, file_name="derby.csv", status=MemberImport.Status.CHECKED
    )


# For each URL that names a record: the kwargs of one Derby record, which the Nottingham co-ordinator must not reach.
DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "org:unit_detail": lambda w: {"pk": w.derby.pk},
    "org:unit_edit": lambda w: {"pk": w.derby.pk},
    "org:unit_add": lambda w: {"parent_pk": w.derby.pk},
    "org:unit_delete": lambda w: {"pk": w.derby.pk},
    "org:employer_delete": lambda w: {"pk": w.council.pk},
    "org:workplace_delete": lambda w: {"pk": w.town_hall.pk},
    "org:employer_detail": lambda w: {"pk": w.council.pk},
    "org:employer_edit": lambda w: {"pk": w.council.pk},
    "org:workplace_add": lambda w: {"employer_pk": w.council.pk},
    "org:workplace_detail": lambda w: {"pk": w.town_hall.pk},
    "org:workplace_edit": lambda w: {"pk": w.town_hall.pk},
    "org:person_detail": lambda w: {"pk": w.derby_person.pk},
    "org:person_edit": lambda w: {"pk": w.derby_person.pk},
    "org:person_consent": lambda w: {"pk": w.derby_person.pk},
    "org:person_equality": lambda w: {"pk": w.derby_person.pk},
    "org:person_equality_delete": lambda w: {"pk": w.derby_person.pk},
    "accounts:role_end": lambda w: {"pk": w.coordinator.roles.get().pk},
    "imports:detail": lambda w: {"pk": derby_import(w).pk},
    "imports:columns": lambda w: {"pk": derby_import(w).pk},
    "imports:confirm": lambda w: {"pk": derby_import(w).pk},
    "imports:cancel": lambda w: {"pk": derby_import(w).pk},
    "imports:error_report": lambda w: {"pk": derby_import(w).pk},
}

# Pages without a record in the URL: the outsider may open them, but must not see Derby's records there.
SCOPED_LISTS = {
    "accounts:password_change",
    "org:unit_kinds",
    "home",
    "org:unit_list",
    "org:employer_list",
    "org:person_list",
    "org:person_add",
    "org:employer_add",
    "accounts:team",
    "accounts:role_grant",
    "accounts:audit_log",
    "imports:list",
    "imports:upload",
    "system",  # national administrators only: the outsider gets 404
}

PUBLIC_ARGS: dict[str, Callable[[World], dict]] = {
    "password_reset_confirm": lambda w: {"uidb64": "MQ", "token": "set-password"},
}

# The ULR network, the learning programme, the surveys and the employer work list their own URLs in
# tests/<app>/urls_<part>.py, each with DERBY_RECORD and SCOPED_LISTS, and (for pages without a login) PUBLIC and
# PUBLIC_ARGS.
for _package in ("reps", "learning", "surveys", "employers", "reports", "comms", "privacy", "accounts"):
    for _module in pkgutil.iter_modules([str(Path(__file__).parent / _package)]):
        if _module.name.startswith("urls_"):
            _urls = importlib.import_module(f"tests.{_package}.{_module.name}")
            DERBY_RECORD.update(_urls.DERBY_RECORD)
            SCOPED_LISTS.update(_urls.SCOPED_LISTS)
            PUBLIC.update(getattr(_urls, "PUBLIC", set()))
            PUBLIC_ARGS.update(getattr(_urls, "PUBLIC_ARGS", {}))


def all_url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= all_url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_url_is_covered_by_this_test():
    covered = PUBLIC | set(DERBY_RECORD) | SCOPED_LISTS
    missing = sorted(all_url_names() - covered)
    assert not missing, f"Add these URLs to tests/test_every_url.py: {missing}"


@pytest.mark.parametrize("name", sorted(set(DERBY_RECORD) | SCOPED_LISTS))
def test_anonymous_users_are_sent_to_sign_in(world, client, name):
    kwargs = DERBY_RECORD[name](world) if name in DERBY_RECORD else {}
    url = reverse(name, kwargs=kwargs)
    for response in (client.get(url), client.post(url, {})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("name", sorted(DERBY_RECORD))
def test_another_branch_cannot_reach_derby_records(world, name):
    client = client_for(world.outsider)
    url = reverse(name, kwargs=DERBY_RECORD[name](world))
    for response in (client.get(url), client.post(url, {"first_name": "Hijacked", "name": "Hijacked"})):
        assert response.status_code in (403, 404, 405), f"{name} answered {response.status_code}"
    world.derby_person.refresh_from_db()
    world.derby.refresh_from_db()
    assert world.derby_person.first_name == "Maria"
    assert world.derby.name == "Derby City"


@pytest.mark.parametrize("name", sorted(SCOPED_LISTS))
def test_scoped_pages_show_nothing_of_another_branch(world, name):
    client = client_for(world.outsider)
    response = client.get(reverse(name))
    assert response.status_code in (200, 404)
    page = response.content.decode()
    for derby_thing in ("Alberts", "Council House", "Derby City Council", "Carol Coordinator"):
        assert derby_thing not in page, f"{name} shows {derby_thing} to another branch"


@pytest.mark.parametrize("name", sorted(PUBLIC - {"logout"}))
def test_public_pages_open_without_signing_in(world, client, name):
    kwargs = PUBLIC_ARGS[name](world) if name in PUBLIC_ARGS else {}
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert not response["Location"].startswith(reverse("login"))


def _is_shared_page(name: str) -> bool:
    return name.startswith("shared:") or name in ALWAYS_OPEN


@pytest.mark.parametrize("name", sorted(n for n in DERBY_RECORD if not _is_shared_page(n)))
def test_an_employer_contact_cannot_reach_union_records(world, name):
    """Derby City Council's training manager, signed in, guesses the URL of each of Derby's records."""
    client = client_for(contact_with_login(world))
    url = reverse(name, kwargs=DERBY_RECORD[name](world))
    for response in (client.get(url), client.post(url, {"first_name": "Hijacked", "name": "Hijacked"})):
        assert response.status_code in (403, 404, 405), f"{name} answered {response.status_code}"
    world.derby_person.refresh_from_db()
    assert world.derby_person.first_name == "Maria"


@pytest.mark.parametrize("name", sorted(n for n in SCOPED_LISTS if not _is_shared_page(n)))
def test_an_employer_contact_sees_no_union_page(world, name):
    client = client_for(contact_with_login(world))
    response = client.get(reverse(name))
    if name == "home":
        assert response.status_code == 302
        assert response["Location"] == reverse("shared:home")
    else:
        assert response.status_code == 404, f"{name} answered {response.status_code}"
