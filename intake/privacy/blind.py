"""Blind indexes: an identifier's keyed hash (HMAC-SHA256 under BLIND_INDEX_KEY), so that reports
naming the same phone, IBAN or address still find each other while the database holds no identifier
in clear. The purpose is part of what is hashed: a suspect's phone and a reporter's phone never meet.

A wrong BLIND_INDEX_KEY would fail silently (no report would match any more), so the database keeps
the key's fingerprint (written by the migration that made the first indexes) and each process
compares it before its first index: a different key stops there, loudly.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from sqlalchemy import select

from intake.extensions import db
from intake.privacy.keys import KeyRing
from intake.privacy.models import BLIND_INDEX_CHECK, KeyCheck
from intake.privacy.sealing import keyring

_CHECKED = "blagh.blind_index_key_checked"  # in app.extensions: the fingerprints found in the database


class WrongBlindIndexKey(RuntimeError):
    """BLIND_INDEX_KEY is not the key the database's blind indexes were made with."""


def key_fingerprint(key: bytes) -> str:
    """Says which key it is, and nothing of the key itself."""
    return hmac.new(key, b"blagh: which blind-index key", hashlib.sha256).hexdigest()


def blind_index(purpose: str, normalised: str, keys: KeyRing | None = None) -> str:
    """64 hex characters for `normalised` (as intake.reports.identifiers writes it) and `purpose`
    (`suspect:phone`, `reporter_email`…). With the app's keys, checked against the database first;
    a caller that passes `keys` (a migration) vouches for them."""
    key = (keys or _checked_keyring()).blind_index_key
    return hmac.new(key, f"{purpose}\x00{normalised}".encode(), hashlib.sha256).hexdigest()


def _checked_keyring() -> KeyRing:
    keys = keyring()
    fingerprint = key_fingerprint(keys.blind_index_key)
    checked: set[str] = current_app.extensions.setdefault(_CHECKED, set())
    if fingerprint not in checked:
        with db.engine.connect() as connection:  # a read of its own: the caller's unit of work is untouched
            stored = connection.scalar(
                select(KeyCheck.fingerprint).where(KeyCheck.purpose == BLIND_INDEX_CHECK)
            )
        if stored != fingerprint:
            raise WrongBlindIndexKey(
                "BLIND_INDEX_KEY is not the key this database's blind indexes were made with: set the "
                "original key (no report would match any other)"
                if stored
                else "the database has no blind-index key fingerprint: run `flask --app intake db upgrade`"
            )
        checked.add(fingerprint)
    return keys


def suspect_index(kind: str, normalised: str, keys: KeyRing | None = None) -> str:
    return blind_index(f"suspect:{kind}", normalised, keys)
