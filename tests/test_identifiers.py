"""Suspect identifiers: validation and the normalised form that triage matches on."""

from __future__ import annotations

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.reports.identifiers import (
    IdentifierError,
    normalise_bank_account,
    normalise_crypto_wallet,
    normalise_email,
    normalise_identifier,
    normalise_phone,
    normalise_url,
    normalise_username,
)
from intake.reports.models import SuspectKind
from tests.factories import iban_from_rib, rib

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
LAZY_OK = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(autouse=True)
def _context(app: Flask):
    """Error messages are lazy strings: they need an app to be rendered."""
    with app.test_request_context("/fr/report"):
        yield


@pytest.mark.parametrize(
    "typed",
    ["0612345678", "06 12 34 56 78", "06-12-34-56-78", "+212 6 12 34 56 78", "00212612345678", "٠٦١٢٣٤٥٦٧٨"],
)
def test_moroccan_mobile_in_any_format_is_one_e164(typed: str) -> None:
    assert normalise_phone(typed) == "+212612345678"


@pytest.mark.parametrize("typed", ["12345", "0612", "abc", "+212 1", "0012"])
def test_invalid_phone_numbers_are_refused(typed: str) -> None:
    with pytest.raises(IdentifierError):
        normalise_phone(typed)


def test_foreign_number_keeps_its_country() -> None:
    assert normalise_phone("+33 6 12 34 56 78") == "+33612345678"


def test_email_is_lower_cased() -> None:
    assert normalise_email("  Arnaque.Colis@Example.COM ") == "arnaque.colis@example.com"


@pytest.mark.parametrize("typed", ["no-at-sign", "a@", "@b.ma", "a b@c.ma"])
def test_invalid_emails_are_refused(typed: str) -> None:
    with pytest.raises(IdentifierError):
        normalise_email(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "https://www.shop-fake.ma/offre/?utm_source=fb&utm_medium=ad",
        "http://shop-fake.ma/offre",
        "SHOP-FAKE.MA/offre#photos",
        "shop-fake.ma/offre?fbclid=IwAR0abc",
    ],
)
def test_urls_lose_scheme_www_fragment_and_tracking(typed: str) -> None:
    assert normalise_url(typed) == "shop-fake.ma/offre"


def test_url_keeps_meaningful_query_sorted() -> None:
    assert normalise_url("https://pay.example.ma/p?id=7&amount=100") == "pay.example.ma/p?amount=100&id=7"


def test_internationalised_host_is_punycoded() -> None:
    assert normalise_url("https://بنك.example/login") == "xn--ngb8ci.example/login"


@pytest.mark.parametrize(
    "typed", ["not a url", "ftp://files.example.ma", "javascript:alert(1)", "http://", "localhost"]
)
def test_invalid_urls_are_refused(typed: str) -> None:
    with pytest.raises(IdentifierError):
        normalise_url(typed)


def test_moroccan_iban_and_rib_of_one_account_match() -> None:
    account = rib()
    assert normalise_bank_account(account) == account
    assert normalise_bank_account(iban_from_rib(account)) == account
    spaced = " ".join(iban_from_rib(account)[i : i + 4] for i in range(0, 28, 4))
    assert normalise_bank_account(spaced.lower()) == account


def test_foreign_iban_is_kept_whole() -> None:
    assert normalise_bank_account("DE89 3704 0044 0532 0130 00") == "DE89370400440532013000"


@pytest.mark.parametrize(
    "typed", ["0117800000123456789099", "123", "MA00" + "1" * 24, "DE00370400440532013000"]
)
def test_invalid_bank_accounts_are_refused(typed: str) -> None:
    with pytest.raises(IdentifierError):
        normalise_bank_account(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0x52908400098527886E0F7030069857D2E4169EE7", "0x52908400098527886e0f7030069857d2e4169ee7"),
        ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
        ("1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
        ("TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL", "TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL"),
    ],
)
def test_crypto_wallets(typed: str, expected: str) -> None:
    assert normalise_crypto_wallet(typed) == expected


@pytest.mark.parametrize("typed", ["my wallet", "0x123", "bitcoin"])
def test_invalid_wallets_are_refused(typed: str) -> None:
    with pytest.raises(IdentifierError):
        normalise_crypto_wallet(typed)


def test_usernames_are_case_folded_without_at_sign() -> None:
    assert normalise_username("@Karim_Trader ") == normalise_username("karim_trader")
    assert normalise_username("  سمير   المغربي ") == "سمير المغربي"


def test_too_long_values_are_refused() -> None:
    with pytest.raises(IdentifierError):
        normalise_identifier(SuspectKind.OTHER, "x" * 501)


# --- properties ---------------------------------------------------------------------------------

mobile_numbers = st.tuples(st.sampled_from("67"), st.text("0123456789", min_size=8, max_size=8))


@LAZY_OK
@given(
    number=mobile_numbers,
    separator=st.sampled_from(["", " ", "-", "."]),
    arabic=st.booleans(),
    plus=st.booleans(),
)
def test_phone_formatting_never_changes_the_normalised_number(
    number: tuple[str, str], separator: str, arabic: bool, plus: bool
) -> None:
    first, rest = number
    digits = first + rest
    try:
        expected = normalise_phone("+212" + digits)
    except IdentifierError:
        return  # not an allocated range: nothing to compare
    national = "0" + digits
    typed = separator.join(national[i : i + 2] for i in range(0, 10, 2))
    if plus:
        typed = "+212" + separator + separator.join(digits[i : i + 3] for i in range(0, 9, 3))
    if arabic:
        typed = typed.translate(ARABIC_INDIC)
    assert normalise_phone(typed) == expected
    assert normalise_phone(expected) == expected  # idempotent


@LAZY_OK
@given(
    account=st.text("0123456789", min_size=22, max_size=22),
    position=st.integers(0, 23),
    delta=st.integers(1, 9),
)
def test_rib_key_catches_every_single_digit_error(account: str, position: int, delta: int) -> None:
    valid = rib(account)
    assert normalise_bank_account(valid) == valid
    assert normalise_bank_account(iban_from_rib(valid)) == valid
    wrong = valid[:position] + str((int(valid[position]) + delta) % 10) + valid[position + 1 :]
    with pytest.raises(IdentifierError):
        normalise_bank_account(wrong)


hosts = st.from_regex(r"[a-z][a-z0-9]{1,12}\.(ma|com|net)", fullmatch=True)
paths = st.from_regex(r"(/[a-z0-9]{1,8}){0,3}", fullmatch=True)


@LAZY_OK
@given(
    host=hosts,
    path=paths,
    www=st.booleans(),
    https=st.booleans(),
    upper=st.booleans(),
    tracking=st.booleans(),
)
def test_url_variants_of_one_page_match(
    host: str, path: str, www: bool, https: bool, upper: bool, tracking: bool
) -> None:
    typed = (
        ("https://" if https else "http://")
        + ("www." if www else "")
        + (host.upper() if upper else host)
        + path
    )
    if tracking:
        typed += "?utm_source=whatsapp&fbclid=abc"
    normalised = normalise_url(typed)
    assert normalised == host + path.rstrip("/")
    assert normalise_url(normalised) == normalised


@LAZY_OK
@given(kind=st.sampled_from(list(SuspectKind)), value=st.text(max_size=600))
def test_any_text_is_either_normalised_or_refused_with_a_message(kind: SuspectKind, value: str) -> None:
    try:
        result = normalise_identifier(kind, value)
    except IdentifierError as error:
        assert str(error.message)
    else:
        assert isinstance(result, str) and result
        assert normalise_identifier(kind, result) == result or kind in {SuspectKind.URL, SuspectKind.EMAIL}
