"""Evidence files encrypted in chunks (intake.privacy.files): what goes in comes back, whatever its
size or the way the upload stream hands it over, and a file that was cut, reordered, put under
another evidence row or renamed does not open (ASVS 6.2.1, 6.2.2: authenticated encryption)."""

from __future__ import annotations

import io
import os
from typing import IO

import pytest

from intake.privacy.files import CHUNK, MAGIC, TAG, DecryptingReader, encrypt_stream
from intake.privacy.keys import parse_keyring
from intake.privacy.sealing import UnsealError
from tests.conftest import TEST_BLIND_INDEX_KEY, TEST_DATA_KEYS

KEYS = parse_keyring(TEST_DATA_KEYS, TEST_BLIND_INDEX_KEY)
PLACE = "evidence:0f3c:ab12"


class Trickle(io.RawIOBase):
    """A stream that hands over at most `step` bytes per read, as a pipe or a socket may."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data, self._step, self._at = data, step, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = self._step if size < 0 else min(size, self._step)
        part = self._data[self._at : self._at + size]
        self._at += len(part)
        return part


def sealed(data: bytes | IO[bytes], place: str = PLACE) -> bytes:
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    out = io.BytesIO()
    encrypt_stream(source, out, place, KEYS)
    return out.getvalue()


def opened(raw: bytes, place: str = PLACE) -> bytes:
    return DecryptingReader(io.BytesIO(raw), place, KEYS).read()


@pytest.mark.parametrize(
    "size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK, 3 * CHUNK + 17], ids=str
)
def test_any_size_comes_back_as_it_went_in(size: int) -> None:
    data = os.urandom(size)
    raw = sealed(data)
    assert raw.startswith(MAGIC)
    if size >= 16:  # a shorter random string may turn up in random ciphertext by chance
        assert data[:64] not in raw
    assert opened(raw) == data


@pytest.mark.parametrize("step", [1000, CHUNK - 1, 7919])
def test_a_stream_that_hands_over_short_reads_still_reads_back(step: int) -> None:
    data = os.urandom(2 * CHUNK + 5000)
    assert opened(sealed(Trickle(data, step))) == data  # every chunk but the last is whole


def test_reading_from_anywhere_checks_only_what_it_reads() -> None:
    data = os.urandom(3 * CHUNK)
    reader = DecryptingReader(io.BytesIO(sealed(data)), PLACE, KEYS)
    reader.seek(CHUNK + 10)
    assert reader.read(20) == data[CHUNK + 10 : CHUNK + 30]
    reader.seek(-5, io.SEEK_END)
    assert reader.read() == data[-5:]


def test_a_file_cut_reordered_or_moved_does_not_open() -> None:
    data = os.urandom(3 * CHUNK)
    raw = sealed(data)
    header = raw[: len(raw) - 3 * (CHUNK + TAG)]
    body = raw[len(header) :]
    parts = [body[i : i + CHUNK + TAG] for i in range(0, len(body), CHUNK + TAG)]
    assert len(parts) == 3
    damaged = {
        "the last chunk cut off": header + parts[0] + parts[1],
        "two chunks swapped": header + parts[1] + parts[0] + parts[2],
        "a chunk repeated": header + parts[0] + parts[0] + parts[2],
        "a byte changed": raw[:-1] + bytes([raw[-1] ^ 1]),
        "truncated mid-chunk": raw[: len(header) + CHUNK // 2],
    }
    for what, bytes_ in damaged.items():
        with pytest.raises(UnsealError):
            DecryptingReader(io.BytesIO(bytes_), PLACE, KEYS).read()
            pytest.fail(what)
    with pytest.raises(UnsealError):  # the same file under another evidence row
        opened(raw, "evidence:9999:ab12")
    with pytest.raises(UnsealError):  # or under another name
        opened(raw, "evidence:0f3c:cd34")


def test_a_file_of_whole_chunks_cut_at_a_chunk_boundary_does_not_open() -> None:
    """The last chunk says it is the last (in its nonce): dropping whole chunks at the end shows."""
    data = os.urandom(2 * CHUNK)
    raw = sealed(data)
    with pytest.raises(UnsealError):
        opened(raw[: len(raw) - (CHUNK + TAG)])
