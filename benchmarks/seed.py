"""A million realistic reports in a few minutes, written by PostgreSQL's COPY.

Each report looks like one filed through the service and triaged: sealed descriptions in Arabic,
Darija and French (bound to the report's reference, as the service seals them), suspect identifiers
drawn so that some recur like real campaigns (a few phones, RIBs and sites named thousands of times,
a long tail named once), their blind indexes and identifier groups, a history, a triage decision.
Five in a hundred are still open, the rest closed; all are spread over two years.

Rows bypass the status owner, so the caller runs `intake.stats.status_counts.recount()` after.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg

from intake.privacy.blind import blind_index, suspect_index
from intake.privacy.keys import KeyRing
from intake.privacy.sealing import new_seal_id, seal
from intake.reports.identifiers import normalise_identifier
from intake.reports.models import PRIORITY_RANK, Priority
from intake.reports.receipts import ALPHABET
from intake.triage.rules import RULES_VERSION

BATCH = 20_000
SPAN = timedelta(days=730)

# Plausible proportions (fraud dominates, as in every national platform's yearly figures).
CATEGORIES = {
    "online_shopping_fraud": 24, "phishing_impersonation": 18, "investment_fraud": 9,
    "account_takeover": 10, "romance_advance_fee_fraud": 6, "sextortion": 7,
    "harassment_stalking": 7, "defamation": 5, "intimate_image_abuse": 3, "threats_violence": 2,
    "ransomware_malware": 2, "hate_speech": 2, "illicit_trade": 2, "data_breach_other": 2,
    "child_sexual_exploitation": 0.5, "terrorism": 0.5,
}  # fmt: skip
REGIONS = {
    "casablanca_settat": 27, "rabat_sale_kenitra": 15, "fes_meknes": 12, "marrakech_safi": 12,
    "tanger_tetouan_al_hoceima": 10, "souss_massa": 8, "oriental": 6, "beni_mellal_khenifra": 5,
    "draa_tafilalet": 2, "guelmim_oued_noun": 1, "laayoune_sakia_el_hamra": 1,
    "dakhla_oued_ed_dahab": 0.5, "abroad": 1.5,
}  # fmt: skip
OPEN = {"triaged": 55, "assigned": 15, "in_progress": 20, "needs_info": 10}
CLOSED = {"resolved": 55, "referred": 30, "rejected": 15}
PRIORITIES = {Priority.URGENT: 3, Priority.HIGH: 17, Priority.NORMAL: 60, Priority.LOW: 20}
MONEY = {"online_shopping_fraud", "investment_fraud", "romance_advance_fee_fraud", "phishing_impersonation"}

TEXTS = {
    "ar": [
        "طلبت {item} من صفحة على فيسبوك ودفعت {amount} درهم بتحويل بنكي، ومنذ ذلك الحين لا يرد البائع.",
        "وصلتني رسالة باسم البنك تطلب رمز التحقق، فأعطيته، ثم سُحب من حسابي {amount} درهم.",
        "شخص يهددني بنشر صور خاصة إن لم أدفع {amount} درهم، ويراسلني كل يوم من حساب جديد.",
        "سُرق حسابي على {platform} وصار المحتال يطلب المال من أصدقائي باسمي.",
        "وعدوني بربح مضمون في منصة استثمار، ودفعت {amount} درهم ولم أستطع سحب شيء.",
    ],
    "darija": [
        "chrit {item} mn wa7d l page f {platform}, 5ellsto {amount} dh w ma bqach kayjawbni 3la l messages",
        "wa7d sift liya message smitou l banka, 3titou l code w t9ta3 liya {amount} dh mn l compte",
        "had chi 3ndo tsawer dyali w kayhddedni ila ma 5llstouch {amount} dh ghadi ynchorhom",
        "t7ekkem lia f compte {platform} w wella kaytleb lflous mn s7abi b smiti",
        "واحد فالفيسبوك باعني {item} وخلصتو {amount} درهم وبلوكاني",
    ],
    "fr": [
        "J'ai commandé {item} sur une page {platform}, j'ai payé {amount} DH par virement et le vendeur ne répond plus.",
        "Un SMS au nom de ma banque m'a demandé mon code ; ensuite {amount} DH ont été débités de mon compte.",
        "Une personne menace de publier des photos privées si je ne paie pas {amount} DH.",
        "Mon compte {platform} a été piraté et l'escroc demande de l'argent à mes amis en mon nom.",
        "Une plateforme d'investissement promettait un gain garanti ; j'ai versé {amount} DH sans pouvoir retirer.",
    ],
}
ITEMS = ["un téléphone", "هاتفا", "une télé", "حاسوبا", "des chaussures", "sac", "playstation", "ثلاجة"]
PLATFORMS = ["Facebook", "Instagram", "WhatsApp", "TikTok", "Avito", "Telegram", "Snapchat"]
LANGUAGE_MIX = {"ar": 45, "darija": 25, "fr": 30}

# Identifiers: campaigns (a pool whose first members are named again and again) and one-offs.
POOL_SIZE = 20_000
REPORTER_PHONES = 200_000
KIND_MIX = {"phone": 40, "url": 20, "iban": 15, "username": 15, "email": 7, "crypto_wallet": 3}


def _weights(table: dict[Any, float]) -> tuple[list[Any], list[float]]:
    keys = list(table)
    return keys, [float(table[k]) for k in keys]


def _reference(number: int) -> str:
    """A distinct reference per number (a bijection of 0 … 29^8-1), in the service's alphabet."""
    value = (number * 7_919_000_003 + 12_345_678) % len(ALPHABET) ** 8
    chars = []
    for _ in range(8):
        value, digit = divmod(value, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return f"BLG-{''.join(chars[:4])}-{''.join(chars[4:])}"


def _rib(rng: random.Random) -> str:
    body = rng.randrange(10**21, 10**22)
    key = (97 - (body * 100) % 97) % 97
    return f"{body:022d}{key:02d}"


def raw_identifier(kind: str, rng: random.Random) -> str:
    if kind == "phone":
        prefix = rng.choice(("61", "62", "66", "70", "77", "50"))
        return f"06 {prefix} {rng.randrange(10, 100)} {rng.randrange(10, 100)} {rng.randrange(10, 100)}"
    if kind == "url":
        return f"www.{rng.choice(['promo', 'shop', 'cadeau', 'bank', 'livraison'])}-{rng.randrange(10**6)}.ma/offre"
    if kind == "iban":
        return _rib(rng)
    if kind == "username":
        return f"@{rng.choice(['vendeur', 'store', 'm3allem', 'bnt', 'invest'])}_{rng.randrange(10**7)}"
    if kind == "email":
        return f"support{rng.randrange(10**7)}@mail-{rng.randrange(1000)}.ma"
    return "0x" + "".join(rng.choice("0123456789abcdef") for _ in range(40))


@dataclass
class Identifier:
    kind: str
    raw: str
    normalised: str
    blind: str
    group_id: int
    created_at: datetime | None = None  # the first report naming it
    last_at: datetime | None = None
    count: int = 0


@dataclass
class Seeder:
    """Appends reports to a database that the migrations made; ids continue from what is there."""

    url: str  # a psycopg URL (postgresql://…)
    keys: KeyRing
    now: datetime
    seed: int = 13
    open_share: float = 0.05
    rng: random.Random = field(init=False)
    identifiers: dict[tuple[str, str], Identifier] = field(default_factory=dict)  # by kind and raw
    groups: dict[tuple[str, str], Identifier] = field(default_factory=dict)  # by kind and blind index
    known_groups: dict[tuple[str, str], int] = field(default_factory=dict)  # made by the service
    pool: list[tuple[str, str]] = field(default_factory=list)
    _pool_weights: list[float] = field(default_factory=list)
    _touched: list[Identifier] = field(default_factory=list)  # named in the batch being written

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self._categories = _weights(CATEGORIES)
        self._regions = _weights(REGIONS)
        self._open = _weights(OPEN)
        self._closed = _weights(CLOSED)
        self._priorities = _weights(PRIORITIES)
        self._languages = _weights(LANGUAGE_MIX)
        self._kinds = _weights(KIND_MIX)
        for _ in range(POOL_SIZE):
            kind = self.rng.choices(*self._kinds)[0]
            self.pool.append((kind, raw_identifier(kind, self.rng)))
        self._pool_weights = list(itertools.accumulate(1 / (rank + 10) for rank in range(POOL_SIZE)))

    def reporter_phone(self) -> str:
        """A citizen's phone as the form stores it (E.164), from a pool: some file again."""
        return f"+21266{self.rng.randrange(REPORTER_PHONES):07d}"

    def campaign_identifiers(self, count: int) -> list[tuple[str, str]]:
        """The identifiers (kind, as typed) named most often in the seeded reports."""
        return self.pool[:count]

    def _identifier(self, kind: str, raw: str, next_group: list[int]) -> Identifier:
        """The identifier as triage would group it: by kind and blind index (two spellings of one
        phone are one group), in the group the database already has for it, if any."""
        found = self.identifiers.get((kind, raw))
        if found is None:
            normalised = normalise_identifier(kind, raw)
            blind = suspect_index(kind, normalised, self.keys)
            found = self.groups.get((kind, blind))
            if found is None:
                group_id = self.known_groups.get((kind, blind))
                if group_id is None:
                    group_id = next_group[0]
                    next_group[0] += 1
                found = Identifier(kind, raw, normalised, blind, group_id)
                self.groups[(kind, blind)] = found
            self.identifiers[(kind, raw)] = found
        return found

    def _suspects(self, next_group: list[int]) -> list[Identifier]:
        found = []
        for _ in range(self.rng.choices((0, 1, 2, 3), (15, 50, 25, 10))[0]):
            if self.rng.random() < 0.6:  # a campaign: Zipf-like, the first few named most often
                kind, raw = self.rng.choices(self.pool, cum_weights=self._pool_weights)[0]
            else:
                kind = self.rng.choices(*self._kinds)[0]
                raw = raw_identifier(kind, self.rng)
            found.append(self._identifier(kind, raw, next_group))
        return list({(i.kind, i.blind): i for i in found}.values())

    def add(self, count: int, progress: Any = None) -> None:
        """Append `count` reports with everything that goes with them, a batch per transaction."""
        with psycopg.connect(self.url) as connection:
            # A bulk load: no wait for the disk at each batch, and no per-row foreign-key triggers
            # (every row is made consistent by construction; needs a superuser, as the local server has).
            connection.execute("SET synchronous_commit TO off")
            connection.execute("SET session_replication_role TO replica")
            ids = _next_ids(connection)
            self.known_groups = {
                (kind, blind): group_id
                for kind, blind, group_id in connection.execute(
                    "SELECT kind, blind_index, id FROM identifier_groups"
                )
            }
            # Indexes are built once at the end when the load is larger than what is there.
            rebuilt = _drop_secondary_indexes(connection) if count > ids["reports"] else []
            # Filing dates in the order a real table grows in (a month's reports sit together).
            dates = iter(sorted(self.now - SPAN * self.rng.random() ** 1.3 for _ in range(count)))
            done = 0
            while done < count:
                size = min(BATCH, count - done)
                tables = self._batch(size, ids, dates)
                with connection.cursor() as cursor:
                    self._write_groups(cursor)
                    for table, (columns, rows) in tables.items():
                        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
                connection.commit()
                done += size
                if progress:
                    progress(done)
            _advance_sequences(connection, ids)
            connection.execute("SET maintenance_work_mem TO '512MB'")
            for definition in rebuilt:
                connection.execute(definition)
            connection.commit()
        # As autovacuum leaves a table that has lived a while: statistics, and the visibility map
        # that lets an index-only scan skip the table (VACUUM runs outside a transaction).
        # CHECKPOINT writes the load out now rather than during the measurements (a superuser's
        # command, as the local server allows; elsewhere the load settles by itself).
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
            with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
                connection.execute("CHECKPOINT")

    def _batch(
        self, size: int, ids: dict[str, int], dates: Iterator[datetime]
    ) -> dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]:
        rng = self.rng
        reports, suspects, history, decisions, members = [], [], [], [], []
        next_group = [ids["identifier_groups"]]
        for _ in range(size):
            report_id = ids["reports"]
            ids["reports"] += 1
            reference = _reference(report_id)
            created = next(dates)  # more in the recent months
            category = rng.choices(*self._categories)[0]
            region = rng.choices(*self._regions)[0] if rng.random() < 0.93 else None
            language = rng.choices(*self._languages)[0]
            amount = rng.choice([150, 300, 450, 800, 1200, 2500, 4000, 9000, 15000, 60000])
            text = rng.choice(TEXTS[language]).format(
                item=rng.choice(ITEMS), platform=rng.choice(PLATFORMS), amount=amount
            )
            is_open = rng.random() < self.open_share
            status = rng.choices(*(self._open if is_open else self._closed))[0]
            priority = rng.choices(*self._priorities)[0]
            changed = created + timedelta(minutes=rng.randrange(1, 30))
            closed = changed + timedelta(days=rng.randrange(1, 60))
            last = closed if not is_open else changed
            # Two in five give a phone to be called back on; some people file several reports.
            phone = self.reporter_phone() if rng.random() < 0.4 else None
            reports.append(
                (
                    report_id, reference, hashlib.sha256(reference.encode()).hexdigest(), category,
                    (created - timedelta(days=rng.randrange(0, 10))).date(),
                    seal(text, f"reports.description:{reference}", self.keys), region,
                    Decimal(amount) if category in MONEY else None, "MAD" if category in MONEY else None,
                    "ar" if language == "darija" else language, rng.choice(("web", "web", "web", "api")),
                    phone is None, created, status, priority.value, created, last, 1 + (status != "triaged"),
                    PRIORITY_RANK[priority], last,
                    phone and seal(phone, f"reports.reporter_phone:{reference}", self.keys),
                    phone and blind_index("reporter_phone", phone, self.keys),
                )
            )  # fmt: skip
            steps = [(None, "received", created), ("received", "triaged", changed)]
            if status != "triaged":
                steps.append(("triaged", status, closed if not is_open else changed))
            for source, target, at in steps:
                actor = "citizen" if source is None else "triage"
                history.append((ids["status_history"], report_id, source, target, at, actor, new_seal_id()))
                ids["status_history"] += 1
            decisions.append(
                (ids["triage_decisions"], report_id, changed, priority.value, "[]", RULES_VERSION)
            )
            ids["triage_decisions"] += 1
            for item in self._suspects(next_group):
                seal_id = new_seal_id()
                suspects.append(
                    (
                        ids["suspect_identifiers"], report_id, item.kind,
                        seal(item.raw, f"suspect_identifiers.value:{seal_id}", self.keys),
                        seal(item.normalised, f"suspect_identifiers.normalised:{seal_id}", self.keys),
                        item.blind, seal_id,
                    )
                )  # fmt: skip
                ids["suspect_identifiers"] += 1
                members.append((ids["identifier_group_members"], item.group_id, report_id, created))
                ids["identifier_group_members"] += 1
                item.count += 1
                self._touched.append(item)
                item.created_at = min(created, item.created_at or created)
                item.last_at = max(created, item.last_at or created)
        ids["identifier_groups"] = next_group[0]
        return {
            "reports": (REPORT_COLUMNS, reports),
            "status_history": (
                ("id", "report_id", "from_status", "to_status", "changed_at", "actor_kind", "seal_id"),
                history,
            ),
            "triage_decisions": (
                ("id", "report_id", "decided_at", "priority", "reasons", "rules_version"),
                decisions,
            ),
            "suspect_identifiers": (
                ("id", "report_id", "kind", "value", "normalised", "blind_index", "seal_id"),
                suspects,
            ),
            "identifier_group_members": (("id", "group_id", "report_id", "report_created_at"), members),
        }

    def _write_groups(self, cursor: psycopg.Cursor[Any]) -> None:
        """Every group named so far, with its count (an upsert: a group grows across batches)."""
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS seed_groups (LIKE identifier_groups) ON COMMIT DELETE ROWS"
        )
        columns = ("id", "kind", "blind_index", "normalised", "report_count", "first_seen_at", "last_seen_at")
        with cursor.copy(f"COPY seed_groups ({', '.join(columns)}) FROM STDIN") as copy:
            for item in self._touched:
                if item.count:
                    sealed = seal(
                        item.normalised, f"identifier_groups.normalised:{item.kind}:{item.blind}", self.keys
                    )
                    copy.write_row(
                        (
                            item.group_id,
                            item.kind,
                            item.blind,
                            sealed,
                            item.count,
                            item.created_at,
                            item.last_at,
                        )
                    )
                    item.count = 0
        self._touched.clear()
        cursor.execute(
            "INSERT INTO identifier_groups (id, kind, blind_index, normalised, report_count, first_seen_at, "
            "last_seen_at) SELECT id, kind, blind_index, normalised, report_count, first_seen_at, last_seen_at "
            "FROM seed_groups ON CONFLICT (id) DO UPDATE SET report_count = identifier_groups.report_count + "
            "EXCLUDED.report_count, last_seen_at = greatest(identifier_groups.last_seen_at, EXCLUDED.last_seen_at)"
        )


REPORT_COLUMNS = (
    "id", "reference", "receipt_hash", "category", "incident_date", "description", "region",
    "loss_amount", "loss_currency", "language", "channel", "anonymous", "consented_at", "status",
    "priority", "created_at", "updated_at", "version", "priority_rank", "last_event_at",
    "reporter_phone", "reporter_phone_index",
)  # fmt: skip
TABLES = (
    "reports", "status_history", "triage_decisions", "suspect_identifiers", "identifier_groups",
    "identifier_group_members",
)  # fmt: skip


def _next_ids(connection: psycopg.Connection[Any]) -> dict[str, int]:
    return {
        table: int(connection.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])  # type: ignore[index]
        for table in TABLES
    }


def _drop_secondary_indexes(connection: psycopg.Connection[Any]) -> list[str]:
    """Drop the indexes of the seeded tables that back no constraint; returns how to make them again."""
    found = connection.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = ANY(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        (list(TABLES),),
    ).fetchall()
    for name, _definition in found:
        connection.execute(f"DROP INDEX {name}")
    connection.commit()
    return [definition for _name, definition in found]


def _advance_sequences(connection: psycopg.Connection[Any], ids: dict[str, int]) -> None:
    for table in TABLES:
        connection.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), greatest(%s, (SELECT max(id) FROM {table})))",
            (ids[table],),
        )


def psycopg_url(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)
