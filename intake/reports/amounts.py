"""Amounts of money as people in Morocco type them.

`10.000` is ten thousand (a dot before exactly three digits groups thousands), `2 500,50`, `2.500,50`
and `2500.50` are the same sum, Arabic-Indic digits come with `٬` (thousands) and `٫` (decimals), and
a trailing `DH`, `MAD`, `Dhs` or `درهم` names the currency the field already asks for. Centimes and
rials (`5 مليون سنتيم` is 50,000 DH) are refused with a plain explanation, never guessed; so is what
can be read two ways (`1,500`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from intake.text import ascii_digits

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007']")
_CURRENCY = re.compile(
    r"(?i)^(?:dhs?|mad|dirhams?|درهم|دراهم|د\.م\.?)\.?|(?:dhs?|mad|dirhams?|درهم|دراهم|د\.م\.?)\.?$"
)
# Centimes and rials, and the "million" that means a million centimes (10,000 DH) when spoken.
_SMALLER_UNITS = re.compile(
    r"(?i)(سنتيم|سانتيم|centimes?|cts?\b|ريال|ريالات|rials?|riyals?|\bryal|مليون|ملايين|millions?)"
)
_GROUPED = re.compile(r"\d{1,3}(?:[.,]\d{3})+")


class AmountError(ValueError):
    """Why an amount cannot be read: `code` names the case (the form says it in the reader's
    language), `readings` the sums it could be when it is ambiguous."""

    def __init__(self, code: str, readings: tuple[Decimal, ...] = ()) -> None:
        super().__init__(code)
        self.code = code
        self.readings = readings


@dataclass(frozen=True)
class _Separators:
    decimal: str | None
    grouping: str | None


def _separators(text: str) -> _Separators:
    """Which of `.` and `,` groups thousands and which marks decimals, in this text."""
    dots, commas = text.count("."), text.count(",")
    if dots and commas:  # both: the last one written is the decimal mark
        last = "." if text.rfind(".") > text.rfind(",") else ","
        return _Separators(last, "," if last == "." else ".")
    mark = "." if dots else "," if commas else None
    if mark is None:
        return _Separators(None, None)
    if text.count(mark) > 1:
        return _Separators(None, mark)  # 1.000.000: only grouping repeats
    decimals = len(text) - text.index(mark) - 1
    if decimals == 3 and text.startswith(("0", mark)):
        return _Separators(mark, None)  # 0.500 is half a dirham: nothing groups a zero
    if decimals == 3:
        if mark == ".":
            return _Separators(None, ".")  # 10.000: ten thousand, as Moroccans write it
        raise AmountError("ambiguous", (Decimal(text.replace(",", "")), Decimal(text.replace(",", "."))))
    return _Separators(mark, None)


def parse_amount(typed: str) -> Decimal:
    """The sum in dirhams; AmountError when it is not a readable amount."""
    # ٬ only ever groups thousands (dropped, like a space); ٫ only ever marks decimals.
    text = ascii_digits(typed).replace("\u066c", "").replace("\u066b", ".")
    if _SMALLER_UNITS.search(text):
        raise AmountError("unit")
    text = _SPACES.sub("", text)
    text = _CURRENCY.sub("", text).rstrip(".")
    if text.startswith((".", ",")):
        text = "0" + text  # .5 is half a dirham
    if not re.fullmatch(r"\d[\d.,]*", text or ""):
        raise AmountError("figures")
    separators = _separators(text)
    whole, _, decimals = text.partition(separators.decimal) if separators.decimal else (text, "", "")
    if separators.grouping:
        if not _GROUPED.fullmatch(whole):
            raise AmountError("figures")
        whole = whole.replace(separators.grouping, "")
    if not re.fullmatch(r"\d+", whole) or (decimals and not re.fullmatch(r"\d+", decimals)):
        raise AmountError("figures")
    try:
        return Decimal(f"{whole}.{decimals}" if decimals else whole)
    except InvalidOperation as error:
        raise AmountError("figures") from error
