"""Checking an uploaded version of a learning agreement: a PDF or a Word document (.docx), known by its content.

What the browser says the file is, and what its name says, are both the uploader's to choose: the bytes decide.
A PDF starts with "%PDF-" and ends with "%%EOF" (in its last kilobyte: some writers add a line or two after it);
a Word document is a ZIP holding [Content_Types].xml and word/document.xml. A ZIP is only read through its
directory, never unpacked, and one that says it would unpack to more than MAX_UNPACKED_MB (a "zip bomb") or holds
too many parts is refused, as is a Word document with macros. The name's extension must then agree with what the
file is, so nobody downloads "agreement.pdf" and gets something else.

Files are stored under a random name (AgreementDocument's upload_to) and only ever sent through the download view,
as attachments, to those who may see the agreement.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from learningdesk.employers.models import AgreementDocument

DEFAULT_MAX_MB = 10
# A Word document of an agreement unpacks to a few megabytes; pictures can make it tens.
MAX_UNPACKED_MB = 100
MAX_ZIP_PARTS = 1000
# "%%EOF" may be followed by a few bytes (a newline, a stray space): look for it in the last kilobyte.
PDF_TAIL_BYTES = 1024

EXTENSIONS: dict[str, str] = {"pdf": AgreementDocument.Kind.PDF, "docx": AgreementDocument.Kind.DOCX}
ACCEPTED_EXTENSIONS = ".pdf,.docx"
NAMES: dict[str, str] = {AgreementDocument.Kind.PDF: "a PDF", AgreementDocument.Kind.DOCX: "a Word document (.docx)"}


def max_bytes() -> int:
    return max_mb() * 1024 * 1024


def max_mb() -> int:
    """The largest version that may be uploaded, in MB (settings.AGREEMENT_DOCUMENT_MAX_MB)."""
    return int(getattr(settings, "AGREEMENT_DOCUMENT_MAX_MB", DEFAULT_MAX_MB))


class NotAccepted(Exception):
    """The file cannot be kept; the message says what to do, in words for the person uploading it."""


def _looks_like_pdf(file: IO[bytes], size: int) -> bool:
    file.seek(0)
    if not file.read(8).startswith(b"%PDF-"):
        return False
    file.seek(max(0, size - PDF_TAIL_BYTES))
    return b"%%EOF" in file.read(PDF_TAIL_BYTES)


def _check_docx(file: IO[bytes]) -> bool:
    """Whether a ZIP is a Word document; raises NotAccepted for one that is unsafe to open."""
    file.seek(0)
    if file.read(4) != b"PK\x03\x04":
        return False
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return False
    if len(parts) > MAX_ZIP_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED_MB * 1024 * 1024:
        raise NotAccepted(
            f"The file would unpack to more than {MAX_UNPACKED_MB} MB, so it cannot be checked. "
            "Save the agreement again as a PDF and upload that"
        )
    names = {part.filename for part in parts}
    if not {"[Content_Types].xml", "word/document.xml"} <= names:
        return False
    if any(PurePath(name).name.lower() == "vbaproject.bin" for name in names):
        raise NotAccepted("The Word document contains macros. Save it as a plain .docx or as a PDF and upload that")
    return True


def content_kind(file: IO[bytes], size: int) -> str | None:
    """What the file is by its bytes: "pdf", "docx", or None for anything else."""
    if _looks_like_pdf(file, size):
        return AgreementDocument.Kind.PDF
    if _check_docx(file):
        return AgreementDocument.Kind.DOCX
    return None


@dataclass(frozen=True)
class Checked:
    """An upload that may be kept: what it is, its size, its SHA-256 and the name it came with."""

    kind: str
    size: int
    sha256: str
    original_name: str


def sha256_of(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(64 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def check_document(uploaded: UploadedFile) -> Checked:
    """Check an uploaded version; a ValidationError on "file" says what is wrong and what to do about it."""
    original_name = PurePath(uploaded.name or "").name
    extension = PurePath(original_name).suffix.lower().lstrip(".")
    named_kind = EXTENSIONS.get(extension)
    if named_kind is None:
        raise ValidationError({"file": "The file must be a PDF or a Word document (.docx)"})
    size = uploaded.size or 0
    if size == 0:
        raise ValidationError({"file": "The file is empty. Choose the file again"})
    if size > max_bytes():
        raise ValidationError({"file": f"The file is {filesizeformat(size)}: it must be {max_mb()} MB or smaller"})
    try:
        kind = content_kind(uploaded, size)
    except NotAccepted as problem:
        raise ValidationError({"file": str(problem)}) from None
    finally:
        uploaded.seek(0)
    if kind is None:
        raise ValidationError(
            {
                "file": f"The file is called .{extension} but is not really {NAMES[named_kind]}. "
                "Save the agreement as a PDF or a Word document (.docx) and upload that"
            }
        )
    if kind != named_kind:
        right = "pdf" if kind == AgreementDocument.Kind.PDF else "docx"
        raise ValidationError(
            {
                "file": f"The file is {NAMES[kind]} but its name ends .{extension}. "
                f"Rename it to end .{right} and upload it again"
            }
        )
    return Checked(kind=kind, size=size, sha256=sha256_of(uploaded), original_name=short_name(original_name))


def short_name(name: str, limit: int = 200) -> str:
    """The uploader's file name, cut to fit the database and keeping its extension."""
    if len(name) <= limit:
        return name
    suffix = PurePath(name).suffix
    return name[: limit - len(suffix)] + suffix
