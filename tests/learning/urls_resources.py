"""URLs of learning/views/resources.py for tests/test_every_url.py: a Derby resource for each URL that names one,
the catalogue and the add page, and the public pages with Derby's code and a real public resource."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from learningdesk.learning.models import Resource
from learningdesk.org.models import OrgUnit
from tests.conftest import World

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def make_resource(unit: OrgUnit, *, title: str = "Maths workbook", **fields) -> Resource:
    """A resource of `unit`: public, a link, due for review in six months, unless told otherwise."""
    fields.setdefault("kind", Resource.Kind.LINK)
    fields.setdefault("url", "https://www.example.org/maths")
    fields.setdefault("review_by", timezone.localdate() + datetime.timedelta(days=180))
    return Resource.objects.create(unit=unit, title=title, **fields)


def derby_resource(world: World) -> Resource:
    """Derby's members-only "Branch learning plan", owned by the co-ordinator."""
    existing = Resource.objects.filter(unit=world.derby, title="Branch learning plan").first()
    return existing or make_resource(
        world.derby, title="Branch learning plan", visibility=Resource.Visibility.MEMBERS, owner=world.coordinator
    )


def derby_public_file(world: World) -> Resource:
    """Derby's public PDF guide. (tests/test_every_url.py has no MEDIA_ROOT of its own: the one small file it
    needs is written once, under a fixed name.)"""
    name = "resources/tests/every-url-guide.pdf"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(PDF))
    resource = make_resource(world.derby, title="Guide to learning", kind=Resource.Kind.FILE, url="")
    resource.file.name = name
    resource.save(update_fields=["file"])
    return resource


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "learning:resource_detail": lambda w: {"pk": derby_resource(w).pk},
    "learning:resource_edit": lambda w: {"pk": derby_resource(w).pk},
    "learning:resource_delete": lambda w: {"pk": derby_resource(w).pk},
    "learning:resource_download": lambda w: {"pk": derby_resource(w).pk},
}
SCOPED_LISTS: set[str] = {"learning:resources", "learning:resource_add"}
PUBLIC: set[str] = {"learn:resources", "learn:resource_download"}
PUBLIC_ARGS: dict[str, Callable[[World], dict]] = {
    "learn:resources": lambda w: {"code": "em-derby"},
    "learn:resource_download": lambda w: {"code": "em-derby", "pk": derby_public_file(w).pk},
}
