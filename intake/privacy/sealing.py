"""Values sealed with AES-256-GCM: each ciphertext carries its key id (`k2:<base64url(nonce|ct)>`)
and is bound to its place (table, column and the report it belongs to, as associated data), so it
cannot be moved to another report or another field.

`SealedField` makes a mapped model keep a personal value encrypted in its column while code reads
and writes it in clear: the value is sealed as the row is flushed, when the report it belongs to is
known, and opened (once, then cached) when it is read.
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
from sqlalchemy import event
from sqlalchemy.orm import Mapper

from intake.privacy.keys import KeyRing

NONCE_BYTES = 12
_PENDING = "_sealed_pending"  # in an instance's __dict__: values set in clear, sealed at flush
_OPENED = "_sealed_opened"  # in an instance's __dict__: (ciphertext, clear text) already opened
_PLACEHOLDER = "sealed:pending"  # what the column holds until the flush seals the value


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


class SealedField:
    """`description = SealedField("description_sealed", "reports.description", lambda r: r.reference)`:
    the mapped attribute `description_sealed` holds the ciphertext, bound to the place
    `reports.description:<what binding returns for the row>`."""

    def __init__(self, attribute: str, place: str, binding: Callable[[Any], object]) -> None:
        self.attribute = attribute
        self.place = place
        self.binding = binding
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        fields: list[SealedField] = owner.__dict__.get("__sealed_fields__") or []
        if "__sealed_fields__" not in owner.__dict__:
            owner.__sealed_fields__ = fields  # type: ignore[attr-defined]
            event.listen(owner, "before_insert", _seal_pending)
            event.listen(owner, "before_update", _seal_pending)
        fields.append(self)

    def place_of(self, row: Any) -> str:
        return f"{self.place}:{self.binding(row)}"

    def __get__(self, row: Any, owner: type | None = None) -> Any:
        if row is None:
            return self
        pending = row.__dict__.get(_PENDING, {})
        if self.name in pending:
            return pending[self.name]
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
        pending = row.__dict__.setdefault(_PENDING, {})
        if clear is None:
            pending.pop(self.name, None)
            setattr(row, self.attribute, None)
            return
        pending[self.name] = clear
        setattr(row, self.attribute, _PLACEHOLDER)  # the ORM now knows the row must be written


def _seal_pending(mapper: Mapper[Any], connection: Any, row: Any) -> None:
    """As the row is written (its report now known), seal the values that were set in clear."""
    pending: dict[str, str] = row.__dict__.get(_PENDING) or {}
    if not pending:
        return
    opened = row.__dict__.setdefault(_OPENED, {})
    for field in type(row).__sealed_fields__:
        if field.name in pending:
            clear = pending.pop(field.name)
            sealed = seal(clear, field.place_of(row))
            setattr(row, field.attribute, sealed)
            opened[field.name] = (sealed, clear)
