"""Versions of an agreement's text: real PDFs and Word documents are kept, numbered, hashed and stored under a
random name; fakes (renamed, disguised, a zip bomb, too big) are refused with a message next to the field; the
download goes only to those who may see the agreement, as an attachment."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import docx
import pytest
import weasyprint
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from learningdesk.accounts.models import AuditEvent
from learningdesk.employers import agreements, documents
from learningdesk.employers.models import AgreementDocument
from tests.conftest import client_for
from tests.employers import make_agreement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(scope="module")
def real_pdf() -> bytes:
    return weasyprint.HTML(string="<h1>Learning agreement</h1><p>Derby City Council and the union.</p>").write_pdf()


@pytest.fixture(scope="module")
def real_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Learning agreement", 0)
    document.add_paragraph("Facility time: each ULR has three hours a week.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def problem(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        documents.check_document(upload(name, content))
    return " ".join(caught.value.message_dict["file"])


def zip_of(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# The checks -------------------------------------------------------------------------------------


def test_a_real_pdf_and_a_real_word_document_are_accepted(real_pdf, real_docx):
    assert documents.check_document(upload("Agreement.pdf", real_pdf)).kind == "pdf"
    checked = documents.check_document(upload("Agreement v2.DOCX", real_docx))
    assert (checked.kind, checked.size, checked.original_name) == ("docx", len(real_docx), "Agreement v2.DOCX")
    assert checked.sha256 == hashlib.sha256(real_docx).hexdigest()


def test_a_pdf_renamed_docx_is_refused_saying_what_it_is(real_pdf):
    assert problem("agreement.docx", real_pdf) == (
        "The file is a PDF but its name ends .docx. Rename it to end .pdf and upload it again"
    )


def test_a_word_document_renamed_pdf_is_refused(real_docx):
    assert "is a Word document (.docx) but its name ends .pdf" in problem("agreement.pdf", real_docx)


def test_a_program_renamed_pdf_is_refused():
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
    assert problem("agreement.pdf", exe).startswith("The file is called .pdf but is not really a PDF")


def test_a_web_page_named_pdf_is_refused():
    html = b"<!DOCTYPE html><html><body><script>alert('hi')</script></body></html>"
    assert problem("agreement.pdf", html).startswith("The file is called .pdf but is not really a PDF")


def test_a_pdf_header_without_an_end_is_refused():
    truncated = b"%PDF-1.7\n" + b"1 0 obj << >> endobj\n" * 200
    assert "not really a PDF" in problem("agreement.pdf", truncated)


def test_a_zip_that_is_not_a_word_document_is_refused():
    spreadsheet = zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    assert "not really a Word document" in problem("agreement.docx", spreadsheet)


def test_a_zip_bomb_is_refused_without_unpacking_it(settings):
    bomb = zip_of(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document/>",
            "word/media/huge.bin": b"\x00" * (documents.MAX_UNPACKED_MB * 1024 * 1024 + 1),
        }
    )
    assert len(bomb) < 1024 * 1024  # small on the way in
    assert problem("agreement.docx", bomb).startswith(
        f"The file would unpack to more than {documents.MAX_UNPACKED_MB} MB"
    )


def test_a_word_document_with_macros_is_refused():
    macros = zip_of(
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>", "word/vbaProject.bin": b"x"}
    )
    assert "contains macros" in problem("agreement.docx", macros)


def test_a_file_over_the_size_limit_is_refused(settings, real_pdf):
    settings.AGREEMENT_DOCUMENT_MAX_MB = 1
    big = real_pdf.replace(b"%%EOF", b"%" + b" " * (1024 * 1024) + b"\n%%EOF")
    assert problem("agreement.pdf", big).endswith("it must be 1 MB or smaller")


@pytest.mark.parametrize("name", ["agreement.doc", "agreement.txt", "agreement", "agreement.pdf.exe"])
def test_other_kinds_of_file_are_refused_by_name(name, real_pdf):
    assert problem(name, real_pdf) == "The file must be a PDF or a Word document (.docx)"


def test_an_empty_file_is_refused():
    assert problem("agreement.pdf", b"") == "The file is empty. Choose the file again"


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=2048), name=st.sampled_from(["a.pdf", "a.docx"]))
def test_random_bytes_are_refused_or_are_what_they_claim(content, name):
    """Whatever the bytes, the check answers with a message or with the kind the name says: it never crashes."""
    try:
        checked = documents.check_document(upload(name, content))
    except ValidationError as error:
        assert error.message_dict["file"]
    else:
        assert name.endswith(checked.kind)


# Uploading --------------------------------------------------------------------------------------


def test_versions_are_numbered_hashed_audited_and_stored_under_a_random_name(world, media, real_pdf, real_docx):
    agreement = make_agreement(world)
    first = agreements.document_add(
        acting_user=world.coordinator, agreement=agreement, uploaded=upload("../../etc/Draft.pdf", real_pdf)
    )
    second = agreements.document_add(
        acting_user=world.coordinator, agreement=agreement, uploaded=upload("Signed.docx", real_docx), note="Signed"
    )
    assert (first.version, second.version) == (1, 2)
    assert first.original_name == "Draft.pdf"
    assert first.sha256 == hashlib.sha256(real_pdf).hexdigest()
    assert "Draft" not in first.file.name and first.file.name.startswith("agreements/")
    assert (media / second.file.name).read_bytes() == real_docx
    assert AuditEvent.objects.filter(target_type="agreementdocument", action="created").count() == 2


def test_a_refused_upload_stores_nothing(world, media, real_pdf):
    agreement = make_agreement(world)
    with pytest.raises(ValidationError):
        agreements.document_add(
            acting_user=world.coordinator, agreement=agreement, uploaded=upload("agreement.docx", real_pdf)
        )
    assert not AgreementDocument.objects.exists()
    assert not (media / "agreements").exists()


def test_the_upload_page_shows_the_problem_next_to_the_file(world):
    agreement = make_agreement(world)
    response = client_for(world.coordinator).post(
        reverse("employers:agreement_document_add", args=[agreement.pk]),
        {"file": upload("agreement.pdf", b"<html>not a pdf</html>", "application/pdf")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"][0].startswith("The file is called .pdf but is not really a PDF")
    assert 'id="id_file-error"' in response.content.decode()


def test_uploading_through_the_page_adds_a_version(world, real_pdf):
    agreement = make_agreement(world)
    response = client_for(world.coordinator).post(
        reverse("employers:agreement_document_add", args=[agreement.pk]),
        {"file": upload("Signed copy.pdf", real_pdf), "note": "Signed copy"},
    )
    assert response["Location"].endswith("#documents")
    document = AgreementDocument.objects.get()
    assert (document.version, document.note, document.uploaded_by) == (1, "Signed copy", world.coordinator)


# Downloading ------------------------------------------------------------------------------------


def test_the_download_is_an_attachment_with_its_original_name(world, real_pdf):
    agreement = make_agreement(world)
    document = agreements.document_add(
        acting_user=world.coordinator, agreement=agreement, uploaded=upload("Derby agreement.pdf", real_pdf)
    )
    response = client_for(world.officer).get(reverse("employers:agreement_document", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Derby agreement.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == real_pdf


def test_another_branch_cannot_download_it(world, outsider_client, real_pdf):
    agreement = make_agreement(world)
    document = agreements.document_add(
        acting_user=world.coordinator, agreement=agreement, uploaded=upload("Derby agreement.pdf", real_pdf)
    )
    assert outsider_client.get(reverse("employers:agreement_document", args=[document.pk])).status_code == 404


def test_files_are_not_served_from_a_public_url(world, client, real_pdf):
    agreement = make_agreement(world)
    document = agreements.document_add(
        acting_user=world.coordinator, agreement=agreement, uploaded=upload("Derby agreement.pdf", real_pdf)
    )
    assert client_for(world.coordinator).get(f"/media/{document.file.name}").status_code == 404
