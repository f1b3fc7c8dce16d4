"""Values sealed with AES-256-GCM: each ciphertext carries its key id (`k2:<base64url(nonce|ct)>`)
and is bound to its place (table, column and the row's own identity, as associated data), so it
cannot be moved to another row, report or field.

`SealedField` makes a mapped model keep a personal value encrypted in its column while code reads
and writes it in clear: the value is sealed as it is set, and opened (once, then cached) when read.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, validates

from intake.privacy.keys import KeyRing

NONCE_BYTES = 12
_OPENED = "_sealed_opened"  # in an instance's __dict__: (ciphertext, clear text) already opened


class UnsealError(ValueError):
    """A ciphertext that does not open: an unknown key id, the wrong place, or altered bytes."""


def keyring() -> KeyRing:
    ring: KeyRing = current_app.config["KEYRING"]
    return ring


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(clear: str, place: str, keys: KeyRing | None = None) -> str:
    keys = keys or keyring()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(keys.current).encrypt(nonce, clear.encode("utf-8"), place.encode("utf-8"))
    return f"{keys.current_id}:{_b64(nonce + sealed)}"


def key_id_of(sealed: str) -> str:
    return sealed.partition(":")[0]


def unseal(sealed: str, place: str, keys: KeyRing | None = None) -> str:
    keys = keys or keyring()
    key_id, colon, body = sealed.partition(":")
    key = keys.key(key_id)
    if not colon or key is None:
        raise UnsealError(f"no data key with the id {key_id!r} (is DATA_KEYS complete?)")
    try:
        raw = _unb64(body)
        return (
            AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], place.encode("utf-8")).decode("utf-8")
        )
    except (InvalidTag, binascii.Error, ValueError) as error:
        raise UnsealError(f"a value sealed for another place, or altered ({place.split(':')[0]})") from error


def reseal(sealed: str, place: str, keys: KeyRing | None = None) -> str:
    """The same value under the newest key (key rotation)."""
    keys = keys or keyring()
    return seal(unseal(sealed, place, keys), place, keys)


def new_seal_id() -> str:
    """A row's own identity for sealing, drawn before the row exists (its database id does not yet)."""
    return secrets.token_hex(16)


def seal_id_of(row: Any) -> str:
    """The binding of a row that has a `seal_id` column: drawn the first time a value is sealed."""
    if row.seal_id is None:
        row.seal_id = new_seal_id()
    return str(row.seal_id)


class SealedRow:
    """A mapped row whose sealed values are bound to its own identity, `seal_id`, drawn before the row
    exists (its database id does not yet). Set once: changing it would orphan every value sealed so
    far, so a second, different value is refused (give `seal_id=` first when building a row)."""

    seal_id: Mapped[str] = mapped_column(String(32), default=new_seal_id)

    @validates("seal_id")
    def _set_once(self, key: str, value: str) -> str:
        current = self.__dict__.get("seal_id")
        if current is not None and current != value:
            raise ValueError("a row's seal_id is set once: its sealed values are bound to it")
        return value


class SealedField:
    """`description = SealedField("description_sealed", "reports.description", lambda r: r.reference)`:
    the mapped attribute `description_sealed` holds the ciphertext, bound to the place
    `reports.description:<what binding returns for the row>`: the row's own identity (a report's
    reference, a child row's `seal_id`), so that a value moved to another row does not open.

    A value is sealed as it is set (nothing in clear waits for a flush), and opened once when read."""

    def __init__(self, attribute: str, place: str, binding: Callable[[Any], object]) -> None:
        self.attribute = attribute
        self.place = place
        self.binding = binding
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        if "__sealed_fields__" not in owner.__dict__:
            owner.__sealed_fields__ = []  # type: ignore[attr-defined]
        owner.__sealed_fields__.append(self)  # type: ignore[attr-defined]

    def sealed(self, clear: str | None, identity: object) -> str | None:
        """The column's value for `clear` in the row whose identity (what `binding` would return)
        is `identity`: for rows written by an INSERT statement rather than as objects."""
        return None if clear is None else seal(clear, self._place(identity))

    def place_of(self, row: Any) -> str:
        return self._place(self.binding(row))

    def _place(self, identity: object) -> str:
        if not identity:
            raise ValueError(f"{self.place}: the row's identity must be set before a sealed value")
        return f"{self.place}:{identity}"

    def __get__(self, row: Any, owner: type | None = None) -> Any:
        if row is None:
            return self
        sealed = getattr(row, self.attribute)
        if sealed is None:
            return None
        opened = row.__dict__.setdefault(_OPENED, {})
        cached = opened.get(self.name)
        if cached is not None and cached[0] == sealed:
            return cached[1]
        clear = unseal(sealed, self.place_of(row))
        opened[self.name] = (sealed, clear)
        return clear

    def __set__(self, row: Any, clear: str | None) -> None:
        if clear is None:
            setattr(row, self.attribute, None)
            row.__dict__.get(_OPENED, {}).pop(self.name, None)  # nothing in clear stays behind
            return
        sealed = seal(clear, self.place_of(row))
        setattr(row, self.attribute, sealed)
        row.__dict__.setdefault(_OPENED, {})[self.name] = (sealed, clear)
