"""Files encrypted in chunks (AES-256-GCM), so that a 10 MiB piece of evidence is encrypted and read
back as a stream, never held whole in memory, and any part of it can be read (and checked) alone.

Layout: a header (`BLGE`, version, key id, a random nonce prefix), then chunks of 64 KiB of clear
text, each sealed with the nonce `prefix | chunk number | last-chunk flag` and, as associated data,
the header and the file's place (`evidence:<evidence row's seal_id>:<stored name>`). A chunk moved,
dropped, reordered or cut off, or a file renamed or put under another evidence row, does not open.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from intake.privacy.keys import KeyRing
from intake.privacy.sealing import UnsealError, keyring

MAGIC = b"BLGE"
VERSION = 1
CHUNK = 64 * 1024
TAG = 16
PREFIX_BYTES = 7


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def _header(key_id: str, prefix: bytes) -> bytes:
    encoded = key_id.encode("ascii")
    return MAGIC + bytes([VERSION, len(encoded)]) + encoded + prefix


def encrypt_stream(
    source: IO[bytes], target: IO[bytes], place: str, keys: KeyRing | None = None
) -> tuple[int, str]:
    """Write `source` to `target` encrypted; returns the clear size and the clear text's SHA-256."""
    keys = keys or keyring()
    prefix = secrets.token_bytes(PREFIX_BYTES)
    header = _header(keys.current_id, prefix)
    aead, associated = AESGCM(keys.current), header + place.encode("utf-8")
    digest, size, index = hashlib.sha256(), 0, 0
    target.write(header)
    chunk = _read_full(source, CHUNK)
    while True:
        following = _read_full(source, CHUNK) if len(chunk) == CHUNK else b""
        last = not following
        digest.update(chunk)
        size += len(chunk)
        target.write(aead.encrypt(_nonce(prefix, index, last), chunk, associated))
        if last:
            return size, digest.hexdigest()
        chunk, index = following, index + 1


def _read_full(source: IO[bytes], size: int) -> bytes:
    """`size` bytes, or fewer only at the end: a stream may return less than asked (a pipe, a socket)
    and every chunk but the last must be whole, or the file would not read back."""
    parts, wanted = [], size
    while wanted:
        part = source.read(wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)


def is_encrypted(raw: IO[bytes]) -> bool:
    start = raw.tell()
    head = raw.read(len(MAGIC))
    raw.seek(start)
    return head == MAGIC


def key_id_of_file(raw: IO[bytes]) -> str | None:
    """The id of the key a file is encrypted with; None for a file in clear (from before encryption)."""
    raw.seek(0)
    head = raw.read(len(MAGIC) + 2)
    if head[: len(MAGIC)] != MAGIC:
        return None
    return raw.read(head[-1]).decode("ascii")


class DecryptingReader(io.RawIOBase):
    """The clear bytes of an encrypted file, read chunk by chunk (each one checked before any of it
    is returned), seekable: what detecting a type, hashing, previewing and downloading need."""

    def __init__(self, raw: IO[bytes], place: str, keys: KeyRing | None = None) -> None:
        super().__init__()
        keys = keys or keyring()
        self._raw = raw
        raw.seek(0)
        fixed = raw.read(len(MAGIC) + 2)
        if len(fixed) < len(MAGIC) + 2 or fixed[: len(MAGIC)] != MAGIC or fixed[len(MAGIC)] != VERSION:
            raise UnsealError("not an encrypted evidence file")
        key_id = raw.read(fixed[-1]).decode("ascii", "replace")
        prefix = raw.read(PREFIX_BYTES)
        key = keys.key(key_id)
        if key is None:
            raise UnsealError(f"no data key with the id {key_id!r} (is DATA_KEYS complete?)")
        self._prefix = prefix
        self._aead = AESGCM(key)
        header = _header(key_id, prefix)
        self._associated = header + place.encode("utf-8")
        self._start = len(header)
        body = raw.seek(0, io.SEEK_END) - self._start
        self._chunks = max(1, -(-body // (CHUNK + TAG)))
        self.size = body - self._chunks * TAG
        if self.size < 0:
            raise UnsealError("a truncated evidence file")
        self._position = 0
        self._loaded: tuple[int, bytes] | None = None
        self._chunk(self._chunks - 1)  # the last chunk opens: nothing was cut off, the place is right

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def _chunk(self, index: int) -> bytes:
        if self._loaded is not None and self._loaded[0] == index:
            return self._loaded[1]
        self._raw.seek(self._start + index * (CHUNK + TAG))
        sealed = self._raw.read(CHUNK + TAG)
        last = index == self._chunks - 1
        try:
            clear = self._aead.decrypt(_nonce(self._prefix, index, last), sealed, self._associated)
        except InvalidTag as error:
            raise UnsealError("an evidence file that was altered, cut or moved") from error
        self._loaded = (index, clear)
        return clear

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._position >= self.size:
            return 0
        index, within = divmod(self._position, CHUNK)
        part = self._chunk(index)[within : within + len(buffer)]
        buffer[: len(part)] = part
        self._position += len(part)
        return len(part)

    def close(self) -> None:
        self._raw.close()
        super().close()
