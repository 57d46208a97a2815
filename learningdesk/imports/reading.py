"""Reading a member file: kept in the database in pieces, detected (CSV or XLSX, encoding, delimiter), read row by row.

Membership systems export CSV in UTF-8 (with or without a byte order mark), in Windows-1252 from older Excel, or
as UTF-16 "Unicode text"; and XLSX. Everything here streams: a million-row file is never held in memory.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from learningdesk.imports.models import ImportFileChunk, MemberImport

CHUNK_BYTES = 1 << 20
HEAD_BYTES = 64 * 1024
MAX_CELL = 10_000  # characters: far more than any field holds; a longer "cell" is an unclosed quote mark
DELIMITERS = (",", ";", "\t", "|")
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
PDF_MAGIC = b"%PDF-"  # a printed member list: mostly plain text at the start, so the NUL test below misses it
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

csv.field_size_limit(MAX_CELL)


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says what to do about it."""


# Keeping the file ------------------------------------------------------------------------------------


def store_file(member_import: MemberImport, uploaded: UploadedFile | Iterable[bytes]) -> int:
    """Save the upload in 1 MB pieces beside the import. Returns the size in bytes."""
    pieces = uploaded.chunks(CHUNK_BYTES) if isinstance(uploaded, UploadedFile) else uploaded
    size, number, buffer = 0, 0, bytearray()
    with transaction.atomic():
        for piece in pieces:
            buffer += piece
            while len(buffer) >= CHUNK_BYTES:
                ImportFileChunk.objects.create(
                    member_import=member_import, number=number, data=bytes(buffer[:CHUNK_BYTES])
                )
                del buffer[:CHUNK_BYTES]
                number += 1
            size += len(piece)
        if buffer or number == 0:
            ImportFileChunk.objects.create(member_import=member_import, number=number, data=bytes(buffer))
    return size


def file_pieces(member_import: MemberImport) -> Iterator[bytes]:
    """The stored file, piece by piece, one query each (so only one piece is in memory at a time)."""
    numbers = ImportFileChunk.objects.filter(member_import=member_import).order_by("number")
    for pk in numbers.values_list("pk", flat=True):
        data = ImportFileChunk.objects.filter(pk=pk).values_list("data", flat=True).get()
        yield bytes(data)


def file_head(member_import: MemberImport, size: int = HEAD_BYTES) -> bytes:
    head = bytearray()
    for piece in file_pieces(member_import):
        head += piece
        if len(head) >= size:
            break
    return bytes(head[:size])


class _PieceStream(io.RawIOBase):
    def __init__(self, pieces: Iterator[bytes]) -> None:
        self.pieces = pieces
        self.left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self.left:
            try:
                self.left = next(self.pieces)
            except StopIteration:
                return 0
        count = min(len(buffer), len(self.left))
        buffer[:count] = self.left[:count]
        self.left = self.left[count:]
        return count


def open_binary(member_import: MemberImport) -> io.BufferedReader:
    return io.BufferedReader(_PieceStream(file_pieces(member_import)), buffer_size=CHUNK_BYTES)


# Working out what the file is ------------------------------------------------------------------------


@dataclass(frozen=True)
class FileFormat:
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""


def detect(head: bytes) -> FileFormat:
    """CSV or XLSX; for CSV the encoding and the delimiter, from the first bytes of the file."""
    if head.startswith(XLSX_MAGIC):
        return FileFormat("xlsx")
    if head.startswith(OLE_MAGIC):
        raise FileProblem(
            "This is an old-style Excel file (.xls). Open it in Excel and save it as .xlsx or as CSV, then upload it."
        )
    if head.startswith(PDF_MAGIC):
        raise FileProblem(
            "This is a PDF, not a CSV or Excel file. Export the member list as CSV or XLSX from the membership system."
        )
    if not head.strip():
        raise FileProblem("The file is empty. Export the member list again and upload that file.")
    encoding = _encoding(head)
    text = head.decode(encoding, errors="ignore")
    if "\x00" in text:
        raise FileProblem(
            "This is not a CSV or Excel file. Export the member list as CSV or XLSX from the membership system."
        )
    return FileFormat("csv", encoding, _delimiter(text))


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(UTF16_BOMS):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A character cut in two at the end of the sample is still UTF-8.
        if error.start < len(head) - 3:
            return "cp1252"
    return "utf-8"


def _delimiter(text: str) -> str:
    """The delimiter used most in the first line outside quotes (the header row has no quoted commas, mostly)."""
    # The first line with anything on it: the header row is read after any blank lines, so it is found here too.
    first_line = next((line for line in text.lstrip("\ufeff").splitlines() if line.strip()), "")
    outside = first_line.split('"')[::2]
    counts = {delimiter: sum(part.count(delimiter) for part in outside) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


# Reading rows ------------------------------------------------------------------------------------------


def is_blank(row: list[str]) -> bool:
    """A row with nothing but spaces in it: spreadsheets leave them between and around the data."""
    return not "".join(row).strip()


def read_rows(member_import: MemberImport) -> Iterator[list[str]]:
    """Every row of the file as a list of strings, the header row first; blank rows are left in (as [])."""
    if member_import.file_kind == "xlsx":
        yield from _xlsx_rows(member_import)
        return
    text = io.TextIOWrapper(open_binary(member_import), encoding=member_import.encoding, newline="")
    reader = csv.reader(_text_lines(text), delimiter=member_import.delimiter or ",", strict=False)
    number = 0
    try:
        for number, row in enumerate(reader, start=1):  # noqa: B007 (number is used after the loop)
            yield row
    except _NulFound:
        raise FileProblem(
            f"Row {number + 1} holds characters that are not text, so this is not a CSV file. Export the member "
            "list again as CSV or XLSX from the membership system."
        ) from None
    except csv.Error as error:
        if "field larger" in str(error):
            raise FileProblem(
                f"Row {number + 1} has a cell longer than {MAX_CELL:,} characters. This usually means a quote "
                'mark (") is not closed: check that row in a text editor.'
            ) from error
        raise FileProblem(f"Row {number + 1} could not be read ({error}). Export the file again as CSV.") from error
    except UnicodeDecodeError as error:
        # Only a UTF-8 guess can be wrong further on; read again as Windows-1252, which fails the same way
        # (it leaves five bytes undefined) and so was read again without end.
        if member_import.encoding != "utf-8":
            raise FileProblem(
                f"Some characters at or after row {number + 1} could not be read. Save the file again as "
                "“CSV UTF-8” and upload that."
            ) from error
        raise EncodingChanged(number + 1) from error


class _NulFound(Exception):
    pass


def _text_lines(text: io.TextIOWrapper) -> Iterator[str]:
    # detect() refuses a file with a NUL near its start; one further on is refused here, because PostgreSQL
    # cannot store NUL in text and the check failed on it ("something went wrong").
    for line in text:
        if "\x00" in line:
            raise _NulFound
        yield line


class EncodingChanged(Exception):
    """The file looked like UTF-8 at the start but is not; the caller reads it again as Windows-1252."""

    def __init__(self, row_number: int) -> None:
        super().__init__(f"Not UTF-8 at row {row_number}")
        self.row_number = row_number


def _xlsx_rows(member_import: MemberImport) -> Iterator[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    with tempfile.SpooledTemporaryFile(max_size=8 * CHUNK_BYTES) as spooled:
        for piece in file_pieces(member_import):
            spooled.write(piece)
        spooled.seek(0)
        try:
            workbook = load_workbook(spooled, read_only=True, data_only=True)
        except (InvalidFileException, KeyError, OSError, ValueError) as error:
            raise FileProblem(
                "This file could not be opened as an Excel workbook. Save it again as .xlsx or CSV."
            ) from error
        except Exception as error:  # zipfile.BadZipFile and the XML parser's errors have no common base
            raise FileProblem(
                "This file could not be opened as an Excel workbook. Save it again as .xlsx or CSV."
            ) from error
        try:
            sheet = workbook.worksheets[0]
            for values in sheet.iter_rows(values_only=True):
                yield [_cell_text(value) for value in values]
        finally:
            workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def estimate_rows(member_import: MemberImport) -> int:
    """About how many rows the file has: its lines (a quoted line break counts twice), for the progress bar."""
    if member_import.file_kind == "xlsx":
        return 0
    lines = sum(piece.count(b"\n") for piece in file_pieces(member_import))
    return max(lines, 1)
