"""References (public, shown to officers) and receipts (the citizen's secret, stored only as a hash)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from intake.text import ascii_digits

# No 0/O, 1/I/L or U/V pairs: a citizen reads these aloud or copies them by hand.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
REFERENCE_PATTERN = re.compile(rf"^BLG-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")
RECEIPT_GROUPS = 6  # 24 characters of a 29-letter alphabet: about 116 bits of randomness
_DUMMY_HASH = hashlib.sha256(b"no such report").hexdigest()


_ACCEPTED_BYTE_BELOW = 256 - 256 % len(ALPHABET)  # so that every letter is equally likely


def _random_chars(count: int) -> str:
    """`count` letters of ALPHABET from the system's CSPRNG, in one call to it (secrets.choice
    makes one per letter); bytes at or above the last multiple of the alphabet's size are dropped."""
    chars: list[str] = []
    while len(chars) < count:
        chars += [
            ALPHABET[b % len(ALPHABET)] for b in secrets.token_bytes(count * 2) if b < _ACCEPTED_BYTE_BELOW
        ]
    return "".join(chars[:count])


def new_reference() -> str:
    """`BLG-7KQ4-M9XD`: random, never sequential (it must not reveal how many reports exist)."""
    chars = _random_chars(8)
    return f"BLG-{chars[:4]}-{chars[4:]}"


def new_receipt() -> str:
    chars = _random_chars(4 * RECEIPT_GROUPS)
    return "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


def clean_reference(text: str) -> str:
    """`BLG-7KQ4-M9XD` however typed: case, spaces, dashes, Arabic-Indic digits."""
    compact = re.sub(r"[^0-9A-Za-z]", "", ascii_digits(text or "")).upper()
    if compact.startswith("BLG"):
        compact = compact[3:]
    return f"BLG-{compact[:4]}-{compact[4:]}" if len(compact) == 8 else ""


def hash_receipt(receipt: str) -> str:
    """SHA-256 is enough: the receipt carries over 96 random bits, so there is nothing to guess."""
    compact = re.sub(r"[^0-9A-Za-z]", "", ascii_digits(receipt or "")).upper()
    return hashlib.sha256(compact.encode("ascii", "ignore")).hexdigest()


def receipt_matches(receipt: str, stored_hash: str | None) -> bool:
    """Constant time, and the same work whether or not the reference exists."""
    return hmac.compare_digest(hash_receipt(receipt), stored_hash or _DUMMY_HASH) and stored_hash is not None


def seal(receipt: str) -> tuple[bytes, bytes]:
    """(sealed, pad): the receipt XOR a one-time pad of the same length; each half alone says nothing."""
    plain = receipt.encode("ascii")
    pad = secrets.token_bytes(len(plain))
    return bytes(a ^ b for a, b in zip(plain, pad, strict=True)), pad


def unseal(sealed: bytes, pad: bytes) -> str | None:
    if len(sealed) != len(pad):
        return None
    try:
        return bytes(a ^ b for a, b in zip(sealed, pad, strict=True)).decode("ascii")
    except UnicodeDecodeError:
        return None
