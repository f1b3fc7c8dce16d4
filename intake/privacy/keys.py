"""The keys: `DATA_KEYS` (AES-256-GCM keys, newest first, each with an id carried by every ciphertext)
and `BLIND_INDEX_KEY` (HMAC-SHA256, for matching identifiers without decrypting them).

Formats, fixed so that operators' tooling can rely on them:

    DATA_KEYS=k2:<base64url of 32 random bytes>,k1:<base64url of 32 random bytes>
    BLIND_INDEX_KEY=<base64url of 32 random bytes>

The first data key encrypts; every listed key decrypts. Losing them loses the data.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

KEY_BYTES = 32
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
KEYS_FILE = "keys.env"


class BadKeySetting(ValueError):
    """A key setting that does not parse; the message names the setting and what is wrong."""


def _decode(text: str, setting: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError) as error:
        raise BadKeySetting(f"{setting}: a key is not base64url") from error
    if len(raw) != KEY_BYTES:
        raise BadKeySetting(f"{setting}: a key must be {KEY_BYTES} bytes (it is {len(raw)})")
    return raw


def encode_key(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class KeyRing:
    """The data keys by id (the first one encrypts) and the blind-index key."""

    data_keys: tuple[tuple[str, bytes], ...]
    blind_index_key: bytes

    @property
    def current_id(self) -> str:
        return self.data_keys[0][0]

    @property
    def current(self) -> bytes:
        return self.data_keys[0][1]

    def key(self, key_id: str) -> bytes | None:
        return dict(self.data_keys).get(key_id)

    def __repr__(self) -> str:  # never print a key by accident
        return f"KeyRing(ids={[key_id for key_id, _ in self.data_keys]})"


def parse_data_keys(text: str) -> tuple[tuple[str, bytes], ...]:
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    if not entries:
        raise BadKeySetting("DATA_KEYS is empty")
    keys: list[tuple[str, bytes]] = []
    for entry in entries:
        key_id, colon, encoded = entry.partition(":")
        if not colon or not KEY_ID.match(key_id):
            raise BadKeySetting("DATA_KEYS: each entry is id:key, the id made of letters, digits, - or _")
        if key_id in dict(keys):
            raise BadKeySetting(f"DATA_KEYS: the id {key_id} appears twice")
        keys.append((key_id, _decode(encoded, "DATA_KEYS")))
    return tuple(keys)


def parse_keyring(data_keys: str, blind_index_key: str) -> KeyRing:
    return KeyRing(parse_data_keys(data_keys), _decode(blind_index_key, "BLIND_INDEX_KEY"))


def generate_lines(key_id: str = "k1", data_only: bool = False) -> str:
    """A fresh pair of settings, as lines an operator pastes into the environment (with `data_only`,
    only a new data key: what a rotation needs)."""
    lines = f"DATA_KEYS={key_id}:{encode_key(secrets.token_bytes(KEY_BYTES))}\n"
    if not data_only:
        lines += f"BLIND_INDEX_KEY={encode_key(secrets.token_bytes(KEY_BYTES))}\n"
    return lines


def read_keys_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        name, equals, value = line.partition("=")
        if equals and name.strip() in {"DATA_KEYS", "BLIND_INDEX_KEY"}:
            values[name.strip()] = value.strip()
    return values


def generated_keys(folder: Path) -> dict[str, str]:
    """The embedded default's keys: generated once into `var/keys.env` (0600), like the secret key.
    Written whole under another name, then linked into place: a process starting at the same moment
    reads either no file or the whole of it, never a half-written one."""
    path = folder / KEYS_FILE
    folder.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd, draft = tempfile.mkstemp(dir=folder, prefix=".keys-")  # 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(generate_lines())
                handle.flush()
                os.fsync(handle.fileno())
            os.link(draft, path)
        except FileExistsError:
            pass  # another process put its keys there first: theirs are the keys
        finally:
            os.unlink(draft)
    return _complete(read_keys_file(path), path)


def _complete(values: dict[str, str], path: Path) -> dict[str, str]:
    """Both keys, or a stop: a new pair drawn over a damaged file would leave every value sealed
    so far unreadable."""
    missing = [name for name in ("DATA_KEYS", "BLIND_INDEX_KEY") if not values.get(name)]
    if missing:
        raise BadKeySetting(
            f"{path} lacks {' and '.join(missing)}: restore it from your backup (a new key would not "
            "read the data sealed so far); delete it only if no report was ever filed with it"
        )
    return values
