"""The verification code printed on an acknowledgement: an HMAC over the facts it states, under a
server key, so that a bank can check a paper copy at /<lang>/verify without seeing the report.

The code covers what never changes once filed (reference, filing instant, category, region, amount
declared) and the evidence files listed, which only ever grow (a citizen's answer may add files):
a check tries the list as it is and each shorter list, so a copy printed before later files came
still checks. The status printed is a reading at the time of printing, outside the code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Sequence

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from intake.acknowledgements.facts import EvidenceFacts, FilingFacts
from intake.privacy.keys import KeyRing
from intake.reports.receipts import ALPHABET
from intake.text import ascii_digits

CODE_LENGTH = 16  # 16 letters of a 29-letter alphabet: about 78 bits, far beyond online guessing
_PURPOSE = b"blagh acknowledgement code v1"


def acknowledgement_key(keys: KeyRing) -> bytes:
    """A key of its own, derived from the blind-index key (HKDF), so that no other use of that key
    can ever yield a valid code."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(keys.blind_index_key)


def _message(facts: FilingFacts, evidence: Sequence[EvidenceFacts]) -> bytes:
    fields = {
        "v": 1,
        "reference": facts.reference,
        "filed_at": facts.filed_at.replace(microsecond=0).isoformat(),
        "category": facts.category,
        "region": facts.region,
        "amount": None if facts.loss_amount is None else f"{facts.loss_amount:.2f}",
        "currency": facts.loss_currency,
        "evidence": [[item.sha256, item.size] for item in evidence],
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def _letters(digest: bytes) -> str:
    number = int.from_bytes(digest[:16], "big")
    letters = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[index])
    return "".join(letters)


def verification_code(facts: FilingFacts, key: bytes, evidence: Sequence[EvidenceFacts] | None = None) -> str:
    """`7KQ4-M9XD-…`: four groups of four, the letters of references (no 0/O, 1/I/L to confuse)."""
    listed = facts.evidence if evidence is None else evidence
    letters = _letters(hmac.new(key, _message(facts, listed), hashlib.sha256).digest())
    return "-".join(letters[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def clean_code(text: str) -> str:
    """The code however typed from paper: case, spaces, dashes, Arabic-Indic digits; O read as 0
    and I or L as 1 are impossible (not in the alphabet), so they are left to fail."""
    compact = re.sub(r"[^0-9A-Za-z]", "", ascii_digits(text or "")).upper()
    if len(compact) != CODE_LENGTH:
        return ""
    return "-".join(compact[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def listed_files(facts: FilingFacts, code: str, key: bytes) -> int | None:
    """How many of the report's files the acknowledgement with `code` listed, or None when no
    acknowledgement of this report carries that code. Compared in constant time."""
    found = None
    for count in range(len(facts.evidence), -1, -1):
        expected = verification_code(facts, key, facts.evidence[:count])
        if hmac.compare_digest(expected, code) and found is None:
            found = count
    return found
