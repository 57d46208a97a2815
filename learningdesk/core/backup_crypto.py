"""Encrypted backup files: AES-256-GCM in chunks, streamed, so a dump of many gigabytes needs a few MB of memory.

The construction is STREAM (Hoang, Reyhanitabar, Rogaway and Vizár, 2015), as in age and Tink's streaming AEAD:
the file is cut into chunks and each is sealed with a nonce made of its number and a "last chunk" flag, so a
chunk that is changed, dropped, repeated, moved, or cut off at the end (a truncated copy) fails to open.

File layout (version 1), all integers big-endian:

    header  "LDBACKUP" (8 bytes) | version 1 (1 byte) | chunk size C (4 bytes) | salt (16) | key check (16)
    chunks  AES-GCM(chunk i) = ciphertext (C bytes, the last one 0..C) + tag (16), i = 0, 1, ...

- The file key is HKDF-SHA256(BACKUP_KEY, salt, "learningdesk backup v1"), 48 bytes: the first 32 are the AES
  key, the last 16 the key check, so a wrong BACKUP_KEY is told apart from a damaged file without decrypting.
  A fresh random salt per file gives each file its own key, so the chunk counter is a safe nonce.
- The nonce of chunk i is i (11 bytes) followed by 1 for the last chunk and 0 for the others.
- Every chunk authenticates the whole header as associated data.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"LDBACKUP"
VERSION = 1
HEADER = struct.Struct(">8sBI16s16s")
TAG_SIZE = 16
CHUNK_SIZE = 1024 * 1024
# A header may not make the reader hold more than this in memory.
MAX_CHUNK_SIZE = 16 * 1024 * 1024
KEY_HELP = "BACKUP_KEY must be 32 random bytes in base64: make one with `openssl rand -base64 32`."


class BackupError(Exception):
    """A backup or restore that cannot go ahead (a key that cannot be used, a file that cannot be trusted...);
    the message says why and what to do."""


def parse_key(text: str) -> bytes:
    """The 32-byte key from BACKUP_KEY's base64 (standard or URL-safe alphabet)."""
    try:
        key = base64.b64decode(text.strip(), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise BackupError(f"BACKUP_KEY is not valid base64. {KEY_HELP}") from None
    if len(key) != 32:
        raise BackupError(f"BACKUP_KEY is {len(key)} bytes long, not 32. {KEY_HELP}")
    return key


def _file_cipher(key: bytes, salt: bytes) -> tuple[AESGCM, bytes]:
    material = HKDF(algorithm=SHA256(), length=48, salt=salt, info=b"learningdesk backup v1").derive(key)
    return AESGCM(material[:32]), material[32:]


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def is_encrypted(head: bytes) -> bool:
    """Whether a file starting with these bytes is one of our encrypted backups."""
    return head.startswith(MAGIC)


class EncryptingWriter:
    """A file-like object that encrypts what is written to it into `target`; `close()` seals the last chunk.

    Holds at most one chunk (plus the latest write) in memory.
    """

    def __init__(self, target: BinaryIO, key: bytes, *, chunk_size: int = CHUNK_SIZE) -> None:
        if not 0 < chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError(f"chunk_size must be between 1 and {MAX_CHUNK_SIZE}")
        salt = os.urandom(16)
        self._cipher, key_check = _file_cipher(key, salt)
        self._header = HEADER.pack(MAGIC, VERSION, chunk_size, salt, key_check)
        self._target = target
        self._chunk_size = chunk_size
        self._buffer = bytearray()
        self._index = 0
        self._closed = False
        target.write(self._header)

    def write(self, data: bytes) -> int:
        self._buffer += data
        # Only a chunk known not to be the last is sealed here: close() seals the last one with its flag.
        while len(self._buffer) > self._chunk_size:
            self._seal(bytes(self._buffer[: self._chunk_size]), last=False)
            del self._buffer[: self._chunk_size]
        return len(data)

    def close(self) -> None:
        if not self._closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._closed = True

    def _seal(self, chunk: bytes, *, last: bool) -> None:
        self._target.write(self._cipher.encrypt(_nonce(self._index, last), chunk, self._header))
        self._index += 1


def encrypt(source: BinaryIO, target: BinaryIO, key: bytes, *, chunk_size: int = CHUNK_SIZE) -> None:
    """Encrypt all of `source` into `target`."""
    writer = EncryptingWriter(target, key, chunk_size=chunk_size)
    while data := source.read(chunk_size):
        writer.write(data)
    writer.close()


def decrypt(source: BinaryIO, target: BinaryIO, key: bytes) -> None:
    """Decrypt all of `source` into `target`, chunk by chunk.

    Raises BackupError when the key is not the one the file was made with, or when any part of the file
    was changed, dropped or cut off; `target` then holds part of the backup and must not be used.
    """
    header = source.read(HEADER.size)
    if len(header) < HEADER.size or not is_encrypted(header):
        raise BackupError("This is not an encrypted Learning Desk backup (its first bytes are wrong).")
    _, version, chunk_size, salt, key_check = HEADER.unpack(header)
    if version != VERSION:
        raise BackupError(f"This backup was encrypted by a newer Learning Desk (format version {version}).")
    if not 0 < chunk_size <= MAX_CHUNK_SIZE:
        raise BackupError("This encrypted backup is damaged: its header is not valid.")
    cipher, expected_check = _file_cipher(key, salt)
    if not hmac.compare_digest(key_check, expected_check):
        raise BackupError(
            "This backup was encrypted with a different BACKUP_KEY: set the key that was in use when it was made."
        )
    sealed_size = chunk_size + TAG_SIZE
    index = 0
    sealed = source.read(sealed_size)
    while True:
        # A full-sized chunk is the last one only if nothing follows it.
        following = source.read(sealed_size) if len(sealed) == sealed_size else b""
        last = not following
        try:
            target.write(cipher.decrypt(_nonce(index, last), sealed, header))
        except InvalidTag:
            raise BackupError(
                f"This encrypted backup is damaged, cut short or was changed (chunk {index + 1} does not "
                "authenticate): it cannot be trusted. Use another copy."
            ) from None
        if last:
            return
        sealed, index = following, index + 1
