"""Blind indexes: an identifier's keyed hash (HMAC-SHA256 under BLIND_INDEX_KEY), so that reports
naming the same phone, IBAN or address still find each other while the database holds no identifier
in clear. The purpose is part of what is hashed: a suspect's phone and a reporter's phone never meet."""

from __future__ import annotations

import hashlib
import hmac

from intake.privacy.keys import KeyRing
from intake.privacy.sealing import keyring


def blind_index(purpose: str, normalised: str, keys: KeyRing | None = None) -> str:
    """64 hex characters for `normalised` (as intake.reports.identifiers writes it) and `purpose`
    (`suspect:phone`, `reporter_email`…)."""
    key = (keys or keyring()).blind_index_key
    return hmac.new(key, f"{purpose}\x00{normalised}".encode(), hashlib.sha256).hexdigest()


def suspect_index(kind: str, normalised: str, keys: KeyRing | None = None) -> str:
    return blind_index(f"suspect:{kind}", normalised, keys)
