"""What each demo report says and when it was filed: the category, the region, the way the citizen
writes, a description filled from texts.DESCRIPTIONS (its identifiers drawn from running campaigns or
new), the amount lost, the reporter, over the twelve months the dashboard shows, busier lately.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from intake.clock import MOROCCO, local_date
from intake.demo import texts
from intake.demo.identifiers import IdentifierDraw, Suspect, mobile_number
from intake.reports.identifiers import normalise_email, normalise_phone
from intake.stats.counts import Month
from intake.taxonomy import CATEGORY_BY_CODE

# Plausible proportions: sextortion about a fifth, defamation a tenth, threats a twentieth (E-Blagh's
# published shares); phishing and online shopping first among frauds, as everywhere.
CATEGORY_SHARES = {
    "sextortion": 18, "phishing_impersonation": 16, "online_shopping_fraud": 15, "defamation": 10,
    "account_takeover": 9, "harassment_stalking": 7, "investment_fraud": 6, "threats_violence": 5,
    "romance_advance_fee_fraud": 4, "intimate_image_abuse": 3, "data_breach_other": 3, "hate_speech": 2,
    "ransomware_malware": 1.5, "illicit_trade": 1.5, "child_sexual_exploitation": 1, "terrorism": 1,
}  # fmt: skip
# Roughly the population, the large cities a little above it.
REGION_SHARES = {
    "casablanca_settat": 21, "rabat_sale_kenitra": 14, "marrakech_safi": 13, "fes_meknes": 12,
    "tanger_tetouan_al_hoceima": 11, "souss_massa": 8, "oriental": 7, "beni_mellal_khenifra": 7,
    "draa_tafilalet": 4, "guelmim_oued_noun": 1.2, "laayoune_sakia_el_hamra": 1, "dakhla_oued_ed_dahab": 0.5,
    "abroad": 2,
}  # fmt: skip
VARIETY_SHARES = {"msa": 30, "darija": 25, "arabizi": 15, "fr": 30}
REGION_GIVEN = 0.93
ANONYMOUS = 0.2
API_SHARE = 0.12
RESENT_SHARE = 0.008  # citizens who send the same report again within hours
RETURNING_REPORTER = 0.04  # citizens who report something else again, weeks later
MONTHLY_GROWTH = 0.08  # each month a little busier than the one before
# When people write (Morocco's time): evenings most, nights least.
HOUR_WEIGHTS = (2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 9, 9, 9, 9, 9, 9, 9, 10, 11, 12, 12, 10, 6)
# Losses in dirhams, from the smallest to the largest usual, per category (drawn log-uniformly).
LOSSES = {
    "online_shopping_fraud": (150, 12_000),
    "phishing_impersonation": (300, 40_000),
    "investment_fraud": (2_000, 300_000),
    "romance_advance_fee_fraud": (1_000, 120_000),
    "account_takeover": (1_000, 50_000),
    "sextortion": (1_000, 20_000),  # what the blackmailer demands
}
QUIET_BEFORE_NOW = timedelta(minutes=15)
_BANK_NAMES = dict(
    texts.BANKS
)  # a RIB's first three digits -> the bank's name in each variety  # the newest report was filed (and triaged) before this


@dataclass
class Draft:
    """One demo report before it is written."""

    created_at: datetime
    category: str
    region: str | None
    variety: str
    language: str
    channel: str
    city: tuple[str, str, str]
    description: str
    incident_date: date
    loss_amount: Decimal | None
    suspects: tuple[Suspect, ...]
    reporter: tuple[str | None, str | None, str | None]  # name, e-mail, phone; all None: anonymous


def draw_drafts(
    rng: random.Random, times: list[datetime], now: datetime, identifiers: IdentifierDraw
) -> list[Draft]:
    """One draft per filing time, sorted by it; a few of them a citizen's second sending of an
    earlier report, hours later (what triage flags as a probable duplicate)."""
    count = len(times)
    resent = min(round(count * RESENT_SHARE), count // 2)
    replaced = _replaced_times(rng, times, resent)
    drafts: list[Draft] = []
    reporters: list[tuple[str | None, str | None, str | None]] = []
    for at in (at for number, at in enumerate(times) if number not in replaced):
        draft = _draft(rng, identifiers, at, reporters)
        drafts.append(draft)
    latest = now - QUIET_BEFORE_NOW
    named = [i for i, d in enumerate(drafts) if d.reporter[0] and d.created_at < latest - timedelta(hours=1)]
    for index in rng.sample(named, min(resent, len(named))):  # sent again, pasted once more
        first = drafts[index]
        at = min(first.created_at + timedelta(minutes=rng.uniform(20, 480)), latest)
        opening = rng.choice(texts.OPENINGS[first.variety]) if rng.random() < 0.5 else ""
        description = (
            first.description if first.description.startswith(opening) else opening + first.description
        )
        drafts.append(replace(first, created_at=at, description=description))
    return sorted(drafts, key=lambda draft: draft.created_at)


def _replaced_times(rng: random.Random, times: list[datetime], resent: int) -> set[int]:
    """The filing times whose place the second sendings take: drawn at random (not the newest ones,
    which would leave the last days empty), never a month's last one."""
    left = Counter(Month.containing(at) for at in times)
    replaced: set[int] = set()
    for number in rng.sample(range(len(times)), len(times)):
        if len(replaced) == resent:
            break
        month = Month.containing(times[number])
        if left[month] > 1:
            left[month] -= 1
            replaced.add(number)
    return replaced


def _draft(
    rng: random.Random,
    identifiers: IdentifierDraw,
    at: datetime,
    reporters: list[tuple[str | None, str | None, str | None]],
) -> Draft:
    category = _pick(rng, CATEGORY_SHARES)
    region = _pick(rng, REGION_SHARES) if rng.random() < REGION_GIVEN else None
    variety = _pick(rng, VARIETY_SHARES)
    city = rng.choice(
        texts.CITIES[region or rng.choice(["casablanca_settat", "rabat_sale_kenitra", "fes_meknes"])]
    )
    template = rng.choice(texts.DESCRIPTIONS[category][variety])
    description = describe(rng, identifiers, template, category, variety, city, at)
    language = rng.choice(texts.FORM_LANGUAGES[variety])
    if reporters and rng.random() < RETURNING_REPORTER:
        reporter = rng.choice(reporters)
    else:
        reporter = _reporter(rng, variety)
        if reporter[0]:
            reporters.append(reporter)
    return Draft(
        created_at=at,
        category=category,
        region=region,
        variety=variety,
        language=language,
        channel="api" if rng.random() < API_SHARE else "web",
        city=city,
        description=description.text,
        incident_date=_incident_date(rng, category, local_date(at), description.loss),
        loss_amount=description.loss,
        suspects=description.suspects,
        reporter=reporter,
    )


@dataclass(frozen=True)
class Description:
    text: str
    suspects: tuple[Suspect, ...]  # what the citizen also gives as the suspect's identifiers
    loss: Decimal | None  # the amount lost, in dirhams, when the text says one


def describe(
    rng: random.Random,
    identifiers: IdentifierDraw,
    template: str,
    category: str,
    variety: str,
    city: tuple[str, str, str],
    at: datetime,
) -> Description:
    """A template of texts.DESCRIPTIONS filled for one report: the identifiers it names (a campaign's,
    or new ones) are the suspects; a category that takes links only keeps only its links. A bank
    named beside a RIB is the RIB's own (its first three digits)."""
    values: dict[str, str] = {}
    suspects: dict[tuple[str, str], Suspect] = {}
    loss = None
    rib_bank = None
    for slot in sorted(texts.slots_of(template), key=lambda slot: slot not in texts.IDENTIFIER_SLOTS):
        if slot in texts.IDENTIFIER_SLOTS:
            suspect = identifiers.draw(slot, category, at)
            values[slot] = suspect.typed
            if suspect.kind == "iban":
                rib_bank = suspect.normalised[:3]
            if not CATEGORY_BY_CODE[category].links_only or suspect.kind == "url":
                suspects.setdefault((suspect.kind, suspect.normalised), suspect)
        elif slot == "bank" and rib_bank in _BANK_NAMES:
            values[slot] = _BANK_NAMES[rib_bank][variety]
        elif slot in ("amount", "demand"):
            value = _amount(rng, *LOSSES[category])
            values[slot] = _say_amount(rng, value, variety)
            if slot == "amount":
                loss = Decimal(value)
        else:
            values[slot] = _word(rng, slot, variety, city)
    text = (
        rng.choice(texts.OPENINGS[variety]) + template.format(**values) + rng.choice(texts.CLOSINGS[variety])
    )
    if variety == "fr":
        text = texts.french_elision(text)
    return Description(text, tuple(suspects.values()), loss)


def filing_times(rng: random.Random, count: int, now: datetime) -> list[datetime]:
    """`count` filing times, sorted, over the twelve months the dashboard shows (Morocco's calendar
    months, this one so far included), each month a little busier than the one before, at the hours
    people write; with twelve or more, every month has some."""
    latest = now - QUIET_BEFORE_NOW
    months = [Month.containing(latest)]
    for _ in range(11):
        months.append(months[-1].previous())
    spans = [(start, min(end, latest)) for start, end in (m.bounds() for m in reversed(months))]
    weights = [
        max((end - start).total_seconds(), 1.0) * (1 + MONTHLY_GROWTH * number)
        for number, (start, end) in enumerate(spans)
    ]
    chosen = list(range(len(spans))) if count >= len(spans) else []
    chosen += rng.choices(range(len(spans)), weights=weights, k=count - len(chosen))
    return sorted(_time_within(rng, *spans[number]) for number in chosen)


def _time_within(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = (end - start).total_seconds()
    for _ in range(20):
        day = (start + timedelta(seconds=rng.uniform(0, span))).astimezone(MOROCCO).date()
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        moment = datetime.combine(
            day, time(hour, rng.randrange(60), rng.randrange(60), rng.randrange(10**6)), MOROCCO
        ).astimezone(UTC)
        if start <= moment < end:
            return moment
    return start + timedelta(seconds=rng.uniform(0, span))


def identifier_mix() -> list[tuple[str, str, float]]:
    """How often each kind of identifier comes up in each category: what campaigns are drawn from."""
    mix: dict[tuple[str, str], float] = {}
    for category, by_variety in texts.DESCRIPTIONS.items():
        for variety, templates in by_variety.items():
            for template in templates:
                for slot in texts.slots_of(template):
                    if slot in texts.IDENTIFIER_SLOTS:
                        share = CATEGORY_SHARES[category] * VARIETY_SHARES[variety] / len(templates)
                        mix[(slot, category)] = mix.get((slot, category), 0.0) + share
    return [(slot, category, weight) for (slot, category), weight in mix.items()]


def _pick(rng: random.Random, shares: Mapping[str, float]) -> str:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def _amount(rng: random.Random, low: int, high: int) -> int:
    """A round sum, as people pay: log-uniform between the bounds."""
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    step = 50 if value < 1_000 else 100 if value < 10_000 else 500 if value < 100_000 else 1_000
    return max(step, round(value / step) * step)


def _say_amount(rng: random.Random, value: int, variety: str) -> str:
    """The sum as the citizen writes it; in Darija often in rials (twenty to the dirham)."""
    grouped = f"{value:,}".replace(",", " ")
    rials = value % 50 == 0 and value <= 50_000 and rng.random() < 0.35
    if variety == "fr":
        return rng.choice((f"{grouped} DH", f"{value} DH", f"{grouped} dirhams"))
    if variety == "msa":
        return f"{value} درهم"
    if variety == "darija":
        return f"{value // 50} ألف ريال" if rials else f"{value} درهم"
    return f"{value // 50} alf ryal" if rials else rng.choice((f"{value} dh", f"{value}dh", f"{value} DH"))


def _word(rng: random.Random, slot: str, variety: str, city: tuple[str, str, str]) -> str:
    if slot == "city":
        return city[0] if variety == "fr" else city[2] if variety == "arabizi" else city[1]
    if slot == "bank":
        return rng.choice(texts.BANKS)[1][variety]
    table = {
        "item": texts.ITEMS,
        "platform": texts.PLATFORMS,
        "market": texts.MARKETS,
        "transfer": texts.TRANSFERS,
    }
    return rng.choice(table[slot][variety])


def _reporter(rng: random.Random, variety: str) -> tuple[str | None, str | None, str | None]:
    """(name, e-mail, phone) as the form keeps them (normalised by its own rules); anonymous: Nones."""
    if rng.random() < ANONYMOUS:
        return None, None, None
    given, family = rng.randrange(len(texts.FIRST_NAMES)), rng.randrange(len(texts.LAST_NAMES))
    first, last = texts.FIRST_NAMES[given], texts.LAST_NAMES[family]
    if variety in ("msa", "darija") and rng.random() < 0.7:
        name = f"{texts.FIRST_NAMES_AR[given]} {texts.LAST_NAMES_AR[family]}"
    else:
        name = f"{first} {last}"
    ways = rng.random()
    email = phone = None
    if ways < 0.75:
        phone = normalise_phone("0" + mobile_number(rng)[4:])  # typed nationally, kept in E.164
    if ways >= 0.45:
        local = f"{first}.{last}".lower().replace(" ", "")
        email = normalise_email(f"{local}{rng.randrange(1, 99)}@{rng.choice(texts.REPORTER_MAIL_DOMAINS)}")
    return name, email, phone


def _incident_date(rng: random.Random, category: str, filed_on: date, loss: Decimal | None) -> date:
    """Money lost or a blackmail under way is reported within days; the rest within weeks, and a few
    long after (an old case of defamation that someone finally reports)."""
    if loss is not None or category in {"sextortion", "threats_violence", "ransomware_malware"}:
        days = min(int(rng.expovariate(1 / 2.5)), 60)
    elif rng.random() < 0.03:
        days = rng.randrange(366, 900)
    else:
        days = min(int(rng.expovariate(1 / 9)), 300)
    return filed_on - timedelta(days=days)
