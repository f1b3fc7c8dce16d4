"""The suspects' identifiers in demo reports: made-up phones, sites, RIBs, accounts, addresses and
wallets, and the campaigns that name the same one in many reports (each typed its own way, as victims
type it: `06 12 34 56 78`, `+212612345678`, an IBAN for a RIB, a link with its tracking tail), so that
triage's identifier groups and campaign flags show up.

Every value is checked by the service's own normaliser (intake.reports.identifiers): what the demo
stores is what the form would have accepted.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers

from intake.demo.texts import CONTENT_CATEGORIES, IDENTIFIER_SLOTS
from intake.reports.identifiers import IdentifierError, normalise_identifier

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_RIB_BANKS = ("007", "190", "230", "011", "350", "225", "021")
_FOREIGN_MOBILES = (("+33", "6", 8), ("+44", "7", 9), ("+225", "07", 8), ("+34", "6", 8), ("+234", "80", 8))

_SHOP_WORDS = (("souk", "bazar", "hanout", "promo", "deals", "mega", "outlet", "style"),
               ("maroc", "casa", "shop", "market", "discount", "mode", "tech", "bladi"))  # fmt: skip
_PHISHING_BRANDS = (
    "colis-suivi", "livraison-express", "barid-colis", "banque-securite", "carte-bloquee",
    "impots-remboursement", "facture-electricite", "bonus-recharge", "aide-sociale", "client-verification",
)  # fmt: skip
_PHISHING_TLDS = ("com", "net", "info", "top", "xyz", "live")
_EXTORTION_MAIL = ("files-restore", "key-recovery", "data-unlock", "secure-decrypt", "mail-private")
_INVEST_WORDS = (("atlas", "gold", "crypto", "dirham", "maghreb", "sahara", "royal", "smart"),
                 ("trade", "invest", "capital", "fx", "profit", "coin"))  # fmt: skip
_PLATFORM_HOSTS = (
    "t.me/",
    "www.tiktok.com/@",
    "www.facebook.com/",
    "www.instagram.com/",
    "www.youtube.com/@",
)
_HANDLE_WORDS = (
    "hanane", "lina", "dr.james", "michael", "jessica", "sophie", "yassine", "karim", "rim", "noor",
    "atlas", "fx", "boutique", "store", "bladi", "casa", "news", "officiel", "vip", "love",
)  # fmt: skip
_PATHS = {
    "shop": ("/produit/{n}", "/offre", "/promo/{n}", ""),
    "phishing": ("/login", "/verification", "/paiement", "/suivi", "/confirm"),
    "invest": ("/account", "/deposit", "/register", ""),
}


@dataclass(frozen=True)
class Suspect:
    """An identifier as one citizen typed it, and its matchable form."""

    kind: str
    typed: str
    normalised: str


@dataclass
class Campaign:
    """One identifier that many reports name while the scheme runs."""

    slot: str
    categories: frozenset[str]
    canonical: str
    start: datetime
    end: datetime


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(count))


def _rib(rng: random.Random) -> str:
    """A Moroccan RIB whose key is right: the 24-digit number is a multiple of 97."""
    body = rng.choice(_RIB_BANKS) + _digits(rng, 3) + _digits(rng, 16)
    return f"{body}{97 - (int(body) * 100) % 97:02d}"


def _iban(rib: str) -> str:
    return f"MA{98 - int(rib + '221000') % 97:02d}{rib}"


def mobile_number(rng: random.Random) -> str:
    """A valid Moroccan mobile number, E.164 (06… and 07… nationally)."""
    return _phone(rng, "")


def _phone(rng: random.Random, category: str) -> str:
    """E.164: a Moroccan mobile (06…, 07…), or abroad for the schemes run from there."""
    foreign = category in {"romance_advance_fee_fraud", "investment_fraud"} and rng.random() < 0.3
    while True:
        if foreign:
            code, prefix, length = rng.choice(_FOREIGN_MOBILES)
            text = f"{code}{prefix}{_digits(rng, length)}"
        else:
            text = f"+212{rng.choice('667')}{_digits(rng, 8)}"  # 06… twice as often as 07…
        number = phonenumbers.parse(text)
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _site(rng: random.Random, category: str) -> str:
    """host/path, by what the scheme needs: a shop, a copy of a bank or a carrier, a trading platform,
    a channel or an account on a platform, a dump of stolen data."""
    number = rng.randrange(10, 9999)
    if category == "phishing_impersonation":
        host = f"{rng.choice(_PHISHING_BRANDS)}-{rng.choice(('ma', 'maroc', 'client', 'online'))}.{rng.choice(_PHISHING_TLDS)}"
        return host + rng.choice(_PATHS["phishing"])
    if category == "investment_fraud":
        names, trades = _INVEST_WORDS
        host = f"{rng.choice(names)}-{rng.choice(trades)}{rng.randrange(1, 99)}.{rng.choice(('com', 'io', 'net', 'pro'))}"
        return host + rng.choice(_PATHS["invest"])
    if category == "data_breach_other":
        if rng.random() < 0.5:
            return (
                f"pastebin.com/{''.join(rng.choice(string.ascii_letters + string.digits) for _ in range(8))}"
            )
        return f"leak-{rng.choice(_SHOP_WORDS[1])}{number}.{rng.choice(_PHISHING_TLDS)}/dump/{number}"
    if category in CONTENT_CATEGORIES - {"illicit_trade"}:
        return rng.choice(_PLATFORM_HOSTS) + _handle(rng)
    first, second = _SHOP_WORDS
    host = f"{rng.choice(first)}-{rng.choice(second)}.{rng.choice(('shop', 'store', 'com', 'ma', 'online'))}"
    return host + rng.choice(_PATHS["shop"]).format(n=number)


def _handle(rng: random.Random) -> str:
    first, second = rng.sample(_HANDLE_WORDS, 2)
    return f"{first}_{second}{rng.randrange(1, 999)}".replace("._", "_")


def _email(rng: random.Random, category: str) -> str:
    """A copy of an institution's sender for phishing; a blackmailer's mailbox for the rest."""
    if category == "phishing_impersonation":
        local = rng.choice(("service.client", "noreply", "support", "contact", "info"))
        domain = _site(rng, category).split("/")[0]
    else:
        local = rng.choice(("decrypt", "recover", "restore", "unlock", "keys"))
        domain = f"{rng.choice(_EXTORTION_MAIL)}.{rng.choice(_PHISHING_TLDS)}"
    return f"{local}{rng.randrange(1, 999)}@{domain}"


def _wallet(rng: random.Random, category: str) -> str:
    """A ransom is asked in bitcoin (the notes say so); the schemes take USDT, mostly on Tron."""
    if category == "ransomware_malware":
        return "bc1q" + "".join(rng.choice(_BECH32) for _ in range(38))
    if rng.random() < 0.7:
        return "T" + "".join(rng.choice(_BASE58) for _ in range(33))
    return "0x" + "".join(rng.choice("0123456789abcdef") for _ in range(40))


_CANONICAL: dict[str, Callable[[random.Random, str], str]] = {
    "phone": _phone,
    "site": _site,
    "rib": lambda rng, category: _rib(rng),
    "username": lambda rng, category: _handle(rng),
    "email": _email,
    "wallet": _wallet,
}


def typed(rng: random.Random, slot: str, canonical: str) -> str:
    """One way a citizen types the identifier: each report of a campaign spells it its own way."""
    if slot == "phone":
        number = phonenumbers.parse(canonical)
        if number.country_code != 212:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        national = "0" + canonical[4:]
        pairs = " ".join(national[i : i + 2] for i in range(0, 10, 2))
        return rng.choice(
            (pairs, national, pairs.replace(" ", "-"), pairs.replace(" ", "."), canonical,
             f"+212 {canonical[4]} {pairs[3:]}", "00" + canonical[1:])
        )  # fmt: skip
    if slot == "site":
        platform = canonical.startswith(("t.me/", "www.", "pastebin.com"))
        host_path = canonical if platform or rng.random() < 0.6 else "www." + canonical
        click = "IwAR" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(22))
        tail = rng.choice(("", "", "", "/", "?fbclid=" + click, "?utm_source=sms&utm_medium=link"))
        if platform or ("?" in tail and "?" in host_path):
            tail = ""  # a link to an account or a channel is copied as it is
        return rng.choice(("", "", "https://", "http://")) + host_path + tail
    if slot == "rib":
        if rng.random() < 0.35:
            iban = _iban(canonical)
            return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)) if rng.random() < 0.6 else iban
        if rng.random() < 0.5:
            return f"{canonical[:3]} {canonical[3:6]} {canonical[6:22]} {canonical[22:]}"
        return canonical
    if slot == "username":
        return ("@" if rng.random() < 0.7 else "") + canonical
    return canonical


class IdentifierDraw:
    """Draws the suspects of each report: a campaign's identifier when one of the right kind is
    running at the filing time (Zipf-like: the first campaigns are named most), else a new one."""

    def __init__(
        self,
        rng: random.Random,
        campaigns: int,
        first: datetime,
        now: datetime,
        slot_mix: list[tuple[str, str, float]],
        campaign_share: float = 0.4,
    ) -> None:
        self.rng = rng
        self.campaign_share = campaign_share
        self.campaigns: list[Campaign] = []
        self._checked: dict[tuple[str, str], str] = {}  # (kind, as typed) -> normalised
        self._used: set[str] = set()
        span = (now - first).total_seconds()
        pairs = [(slot, category) for slot, category, _ in slot_mix]
        weights = [weight for _, _, weight in slot_mix]
        for _ in range(campaigns):
            slot, category = rng.choices(pairs, weights)[0]
            start = first + timedelta(seconds=rng.uniform(-0.1, 0.95) * span)
            length = timedelta(days=rng.uniform(20, 150))
            self.campaigns.append(
                Campaign(slot, frozenset({category}), self._canonical(slot, category), start, start + length)
            )

    def _canonical(self, slot: str, category: str) -> str:
        while True:
            value = _CANONICAL[slot](self.rng, category)
            if value not in self._used:  # a new identifier is nobody else's
                self._used.add(value)
                return value

    def draw(self, slot: str, category: str, at: datetime) -> Suspect:
        canonical = None
        if self.rng.random() < self.campaign_share:
            running = [
                (index, c)
                for index, c in enumerate(self.campaigns)
                if c.slot == slot and category in c.categories and c.start <= at <= c.end
            ]
            if running:
                weights = [1 / (index + 3) for index, _ in running]
                canonical = self.rng.choices([c for _, c in running], weights)[0].canonical
        if canonical is None:
            canonical = self._canonical(slot, category)
        return self.suspect(slot, typed(self.rng, slot, canonical))

    def suspect(self, slot: str, value: str) -> Suspect:
        kind = IDENTIFIER_SLOTS[slot]
        key = (kind, value)
        normalised = self._checked.get(key)
        if normalised is None:
            try:
                normalised = normalise_identifier(kind, value)
            except IdentifierError as error:  # a bug in the generators above, never the citizen's
                raise AssertionError(f"demo identifier refused by the form's rules: {kind}") from error
            self._checked[key] = normalised
        return Suspect(kind, value, normalised)
