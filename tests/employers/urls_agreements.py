"""URLs of employers/views/agreements.py for tests/test_every_url.py: Derby City Council's agreement (and one
version of its text) for each URL that names one; the list and the add page."""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from learningdesk.employers.models import AgreementDocument, LearningAgreement
from tests.conftest import World
from tests.employers import make_agreement

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def derby_agreement(world: World) -> LearningAgreement:
    return LearningAgreement.objects.filter(employer=world.council).first() or make_agreement(world)


def derby_document(world: World) -> AgreementDocument:
    """Version 1 of Derby's agreement, a small PDF written once under a fixed name."""
    name = "agreements/tests/every-url-agreement.pdf"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(PDF))
    agreement = derby_agreement(world)
    return AgreementDocument.objects.create(
        agreement=agreement,
        version=1,
        file=name,
        original_name="Derby learning agreement.pdf",
        kind=AgreementDocument.Kind.PDF,
        size=len(PDF),
        sha256="0" * 64,
    )


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "employers:agreement_detail": lambda w: {"pk": derby_agreement(w).pk},
    "employers:agreement_edit": lambda w: {"pk": derby_agreement(w).pk},
    "employers:agreement_elements": lambda w: {"pk": derby_agreement(w).pk},
    "employers:agreement_document_add": lambda w: {"pk": derby_agreement(w).pk},
    "employers:agreement_document": lambda w: {"pk": derby_document(w).pk},
    "employers:agreement_apply_time": lambda w: {"pk": derby_agreement(w).pk},
}
SCOPED_LISTS: set[str] = {"employers:agreement_list", "employers:agreement_add"}
