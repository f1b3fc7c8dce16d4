"""Validate and normalise the identifiers a citizen gives for a suspect, one function per kind.

The normalised form is what triage matches reports on: the same phone typed as `06 12-34 56 78`,
`+212612345678` or with Arabic-Indic digits gives one value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from intake.reports.models import SuspectKind
from intake.text import ascii_digits, remove_format_characters

MAX_VALUE_LENGTH = 500


class IdentifierError(ValueError):
    """The value is not a valid identifier of its kind; `message` is for the citizen."""

    def __init__(self, message: LazyString) -> None:
        super().__init__(str(message))
        self.message = message


def _compact(text: str) -> str:
    return re.sub(r"[\s.\-_/]", "", ascii_digits(text))


def normalise_phone(value: str) -> str:
    """E.164; a number without country code is read as Moroccan."""
    try:
        number = phonenumbers.parse(ascii_digits(value), "MA")
    except phonenumbers.NumberParseException as error:
        raise IdentifierError(_l("This is not a valid phone number.")) from error
    if not phonenumbers.is_valid_number(number):
        raise IdentifierError(_l("This is not a valid phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(value: str) -> str:
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise IdentifierError(_l("This is not a valid e-mail address.")) from error
    return result.normalized.lower()


# Parameters that only track who clicked; they differ between victims of the same link.
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "igshid", "mc_cid", "mc_eid", "si", "ref"}
)
HOST_PATTERN = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z0-9-]{2,63}$|^\d{1,3}(\.\d{1,3}){3}$")


def normalise_url(value: str) -> str:
    """host + path + query, without scheme, `www.`, fragment or tracking parameters."""
    text = value.strip()
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        text = "http://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").rstrip(".")
        host = host.encode("idna").decode("ascii").lower() if host else ""
        port = parts.port
    except (ValueError, UnicodeError) as error:
        raise IdentifierError(_l("This is not a valid web address.")) from error
    if parts.scheme.lower() not in {"http", "https"} or not HOST_PATTERN.match(host) or " " in text:
        raise IdentifierError(_l("This is not a valid web address."))
    host = host.removeprefix("www.")
    query = [
        (key, val)
        for key, val in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMETERS and not key.lower().startswith("utm_")
    ]
    path = parts.path.rstrip("/")
    normalised = host + (f":{port}" if port and port not in (80, 443) else "") + path
    if query:
        normalised += "?" + urlencode(sorted(query))
    return normalised


def _iban_checksum_ok(iban: str) -> bool:
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def _rib_key_ok(rib: str) -> bool:
    """Moroccan RIB: 3 bank + 3 town + 16 account + 2 key; the 24-digit number is a multiple of 97."""
    return int(rib) % 97 == 0


def normalise_bank_account(value: str) -> str:
    """A Moroccan IBAN becomes its 24-digit RIB, so that IBAN and RIB of one account match."""
    compact = _compact(value).upper()
    if re.fullmatch(r"\d{24}", compact):
        if not _rib_key_ok(compact):
            raise IdentifierError(_l("This RIB is not valid: check its 24 digits."))
        return compact
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        raise IdentifierError(_l("Enter an IBAN (MA followed by 26 digits) or a 24-digit RIB."))
    if not _iban_checksum_ok(compact):
        raise IdentifierError(_l("This IBAN is not valid: check its digits."))
    if compact.startswith("MA"):
        if not re.fullmatch(r"MA\d{26}", compact) or not _rib_key_ok(compact[4:]):
            raise IdentifierError(_l("This IBAN is not valid: check its digits."))
        return compact[4:]
    return compact


CRYPTO_PATTERNS: tuple[tuple[re.Pattern[str], bool], ...] = (
    # (pattern, case-insensitive address: normalised to lower case)
    (re.compile(r"^0x[0-9a-fA-F]{40}$"), True),  # Ethereum and EVM chains
    (re.compile(r"^(bc1|tb1)[02-9ac-hj-np-z]{8,87}$", re.IGNORECASE), True),  # Bitcoin bech32
    (re.compile(r"^[13][1-9A-HJ-NP-Za-km-z]{25,34}$"), False),  # Bitcoin base58
    (re.compile(r"^T[1-9A-HJ-NP-Za-km-z]{33}$"), False),  # Tron (USDT-TRC20)
    (re.compile(r"^[LM][1-9A-HJ-NP-Za-km-z]{26,33}$"), False),  # Litecoin
    (re.compile(r"^[1-9A-HJ-NP-Za-km-z]{32,44}$"), False),  # Solana and other base58 chains
)


def normalise_crypto_wallet(value: str) -> str:
    text = value.strip()
    for pattern, lower in CRYPTO_PATTERNS:
        if pattern.match(text):
            return text.lower() if lower else text
    raise IdentifierError(_l("This does not look like a crypto wallet address."))


def normalise_username(value: str) -> str:
    text = " ".join(unicodedata.normalize("NFKC", value).split()).lstrip("@").strip()
    if not text:
        raise IdentifierError(_l("Enter the username or the account name."))
    return text.casefold()


def normalise_other(value: str) -> str:
    text = " ".join(unicodedata.normalize("NFKC", value).split())
    if not text:
        raise IdentifierError(_l("Enter a value."))
    return text.casefold()


NORMALISERS: dict[str, Callable[[str], str]] = {
    SuspectKind.PHONE: normalise_phone,
    SuspectKind.EMAIL: normalise_email,
    SuspectKind.URL: normalise_url,
    SuspectKind.USERNAME: normalise_username,
    SuspectKind.IBAN: normalise_bank_account,
    SuspectKind.CRYPTO_WALLET: normalise_crypto_wallet,
    SuspectKind.OTHER: normalise_other,
}


def normalise_identifier(kind: str, value: str) -> str:
    """The matchable form of `value`; raises IdentifierError with a message for the citizen."""
    too_long = _l("This identifier is too long (%(max)s characters at most).", max=MAX_VALUE_LENGTH)
    if len(value) > MAX_VALUE_LENGTH:
        raise IdentifierError(too_long)
    normalised = NORMALISERS[kind](remove_format_characters(value, keep_joiners=False))
    if len(normalised) > MAX_VALUE_LENGTH:  # NFKC can lengthen text: "ﷺ" is one character, then 18
        raise IdentifierError(too_long)
    return normalised
