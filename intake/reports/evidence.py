"""Evidence files: what type a file really is, and where the original bytes are kept.

The type comes from the content only; a file name or a declared type proves nothing. Storage sits
behind `EvidenceStore` so that an object store can replace the local directory when web servers
and workers run on different hosts.
"""

from __future__ import annotations

import email.parser
import io
import os
import re
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

import filetype
from flask import current_app

from intake.config import private_folder
from intake.privacy.files import CHUNK, DecryptingReader, encrypt_stream, is_encrypted, key_id_of_file
from intake.text import remove_format_characters

ALLOWED_MEDIA_TYPES = frozenset(
    {"image/png", "image/jpeg", "application/pdf", "text/plain", "message/rfc822", "video/mp4"}
)
_BINARY_TYPES = {"image/png", "image/jpeg", "application/pdf", "video/mp4"}
_MAIL_HEADERS = {"from", "to", "subject", "date", "received", "message-id", "mime-version", "return-path"}


def _looks_like_text(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return text if "\x00" not in text and controls <= len(text) // 100 else None


def _looks_like_mail(text: str) -> bool:
    headers = email.parser.Parser().parsestr(text[:16384], headersonly=True)
    return len({key.lower() for key in headers} & _MAIL_HEADERS) >= 3


def detect_media_type(stream: IO[bytes]) -> str | None:
    """The media type of the content, if it is one we accept; the stream is rewound."""
    start = stream.tell()
    head = stream.read(8192)
    stream.seek(start)
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime if kind.mime in _BINARY_TYPES else None
    data = stream.read()
    stream.seek(start)
    text = _looks_like_text(data)
    if text is None or not text.strip():
        return None
    return "message/rfc822" if _looks_like_mail(text) else "text/plain"


def stream_size(stream: IO[bytes]) -> int:
    start = stream.tell()
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(start)
    return size


_UNSAFE_IN_NAMES = re.compile(r"[\x00-\x1f\x7f-\x9f/\\\\:]")
_DOWNLOAD_NAMES = {
    "image/png": ("capture", "png"),
    "image/jpeg": ("capture", "jpg"),
    "application/pdf": ("document", "pdf"),
    "text/plain": ("piece", "txt"),
    "message/rfc822": ("message", "eml"),
    "video/mp4": ("video", "mp4"),
}


def safe_file_name(name: str | None, media_type: str) -> str:
    """The citizen's file name, kept for officers to read (never to name a download), minus what
    could break a header or a path or disguise an extension: control, bidi and invisible characters,
    separators, runs of spaces, and the spaces and dots Windows drops at the end of a name."""
    visible = remove_format_characters(name or "", keep_joiners=False)
    cleaned = " ".join(_UNSAFE_IN_NAMES.sub("_", visible).split()).strip(" .")[-255:]
    if not any(ch.isalnum() for ch in cleaned):
        return download_name(media_type, 1)
    return cleaned


def download_name(media_type: str, position: int) -> str:
    """What a download is called: after what the bytes are (`capture-1.png`), never after the
    citizen's extension, so that `invoice.hta` holding text saves as `piece-1.txt` (ASVS 12.3.1)."""
    stem, extension = _DOWNLOAD_NAMES.get(media_type, ("evidence", "bin"))
    return f"{stem}-{position}.{extension}"


def file_kind(media_type: str) -> str:
    """`PNG`, `PDF`, `EML`: what a file is, in the letters people know it by."""
    return _DOWNLOAD_NAMES.get(media_type, ("evidence", "bin"))[1].upper()


STORE_RETRY_AFTER = "120"  # seconds, in the Retry-After of a 503 while the store is down


class StoreUnavailable(Exception):
    """The file store cannot be reached (an object store that is down): a filing with files is
    refused with a 503 and nothing is stored, rather than accepted without its evidence."""


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    size: int
    sha256: str


class EvidenceStore(Protocol):
    """Files are bound to their owner (the evidence row's `seal_id`) and their stored name: a file
    opens only for the row it belongs to."""

    def save(self, stream: IO[bytes], owner: str) -> StoredFile: ...
    def open(self, stored_name: str, owner: str) -> IO[bytes]: ...
    def delete(self, stored_name: str) -> None: ...
    def key_id(self, stored_name: str) -> str | None: ...
    def reencrypt(self, stored_name: str, owner: str) -> None: ...


def file_place(stored_name: str, owner: str) -> str:
    """What an evidence file's encryption is bound to: its evidence row (`seal_id`) and its name."""
    return f"evidence:{owner}:{stored_name}"


def clear_reader(raw: IO[bytes], stored_name: str, owner: str) -> IO[bytes]:
    """The clear content of a stored file, read and checked chunk by chunk as it is read (a file from
    before encryption is read as it is, until `flask keys rotate` encrypts it). Closes `raw` if it
    cannot be opened."""
    if not is_encrypted(raw):
        return raw
    try:
        return io.BufferedReader(DecryptingReader(raw, file_place(stored_name, owner)), buffer_size=CHUNK)
    except BaseException:
        raw.close()
        raise


class SealedFiles:
    """What every store does the same way: new files named by a random id (never by anything the
    citizen typed), and re-encryption as a read then a write. A store writes a file whole, encrypted,
    or not at all (`_write`), and opens it for reading (`open`)."""

    def _write(self, stored_name: str, owner: str, stream: IO[bytes]) -> tuple[int, str]:
        raise NotImplementedError

    def open(self, stored_name: str, owner: str) -> IO[bytes]:
        raise NotImplementedError

    def _new_name(self) -> str:
        return uuid.uuid4().hex

    def save(self, stream: IO[bytes], owner: str) -> StoredFile:
        """Encrypt `stream` into a new file (streamed: written whole or not at all); the size and the
        SHA-256 returned are the clear content's."""
        stored_name = self._new_name()
        size, sha256 = self._write(stored_name, owner, stream)
        return StoredFile(stored_name=stored_name, size=size, sha256=sha256)

    def reencrypt(self, stored_name: str, owner: str) -> None:
        """The same content under the newest key (key rotation; a file in clear gets encrypted)."""
        with self.open(stored_name, owner) as clear:
            self._write(stored_name, owner, clear)


class LocalEvidenceStore(SealedFiles):
    """Originals and previews under one directory, encrypted (intake.privacy.files): the folder
    holds no evidence in clear."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path_of(self, stored_name: str) -> Path:
        if not stored_name.isalnum():
            raise ValueError("invalid stored name")
        return self.root / stored_name[:2] / stored_name

    def _write(self, stored_name: str, owner: str, stream: IO[bytes]) -> tuple[int, str]:
        path = self.path_of(stored_name)
        private_folder(self.root)
        private_folder(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                size, sha256 = encrypt_stream(stream, out, file_place(stored_name, owner))
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return size, sha256

    def open(self, stored_name: str, owner: str) -> IO[bytes]:
        """The clear content (see clear_reader)."""
        return clear_reader(self.path_of(stored_name).open("rb"), stored_name, owner)

    def key_id(self, stored_name: str) -> str | None:
        """The key a file is encrypted with; None for a file still in clear."""
        with self.path_of(stored_name).open("rb") as raw:
            return key_id_of_file(raw)

    def delete(self, stored_name: str) -> None:
        self.path_of(stored_name).unlink(missing_ok=True)


def evidence_store() -> EvidenceStore:
    """The store the app is configured with: the object store of STORAGE_URL (one client per
    process, kept on the app), else the local folder EVIDENCE_DIR."""
    location = current_app.config.get("STORAGE")
    if location is None:
        return LocalEvidenceStore(current_app.config["EVIDENCE_DIR"])
    from intake.storage.s3 import S3EvidenceStore, s3_client_of_app  # boto3 only where it is used

    return S3EvidenceStore(s3_client_of_app(), location)
