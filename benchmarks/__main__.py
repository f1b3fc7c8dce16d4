"""`make bench`: the service at national scale, measured side by side in one run on one machine.

The app runs under gunicorn as in production (gunicorn.conf.py: WEB_WORKERS × WEB_THREADS) with a
real Celery worker, on PostgreSQL and Redis (the local servers, or DATABASE_URL / REDIS_URL: a
throwaway database is made on that server and dropped at the end). A small asyncio client
(benchmarks.load) sends the requests. Each figure is a ratio against a baseline measured in the
same run, so that the machine's speed and noise cancel out. One `name: value` line per figure:

    submit_ratio     filings/s through POST /api/v1/reports ÷ a bare Flask + SQLAlchemy insert (≥ 0.5)
    queue_flatness   p95 of the officer queue's first page, 1,000,000 reports ÷ 10,000 (≤ 1.5)
    deep_page_ratio  p95 of a page ~1,000 pages deep ÷ the first page, at 1,000,000 (≤ 1.5)
    export_ratio     a month's CSV export ÷ the bare GROUP BY over the same rows (≤ 3)
    triage_flatness  reports triaged/s with 1,000,000 reports ÷ with 10,000 (≥ 0.8)
    lost_reports     accepted (201) but not stored or not triaged at the end (= 0)

BENCH_SCALE shrinks the run (0.01: 100 and 10,000 reports); docs/benchmarks.md has the figures.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import redis
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from benchmarks.bare import BareReport
from benchmarks.load import LoadResult, median, percentile, run_load
from benchmarks.seed import Seeder, psycopg_url
from benchmarks.servers import BARE_APP, SERVICE_APP, gunicorn
from benchmarks.staff import Session
from intake import create_app
from intake.extensions import db
from intake.privacy.keys import generate_lines
from intake.stats.counts import Month, monthly_counts_query
from intake.stats.status_counts import recount
from intake.unit_of_work import commit
from tests.databases import create_throwaway_database, drop_throwaway_database
from tests.factories import DESCRIPTION_AR, DESCRIPTION_DARIJA, DESCRIPTION_FR
from tests.processes import celery_worker
from tests.staff_accounts import Account, make_account

SCALE = float(os.environ.get("BENCH_SCALE") or 1)
SMALL = max(100, round(10_000 * SCALE))
LARGE = max(10 * SMALL, round(1_000_000 * SCALE))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS") or 16)
SUBMIT_ROUNDS = 3  # bare and service alternate, so that drift hits both
SUBMIT_SECONDS = max(2.0, min(10.0, 10 * SCALE**0.5))
TRIAGE_REPORTS = max(200, round(3_000 * SCALE**0.5))
PAGE_SAMPLES = max(40, round(200 * SCALE**0.5))
DEEP_PAGES = 1_000
EXPORT_SAMPLES = 30
DRAIN_TIMEOUT = 600
# As an operator raises them for a load test from one address (the defaults are per address).
RAISED_LIMITS = {
    name: "1000000 per minute"
    for name in ("FILING_RATE_LIMIT", "TRACKING_RATE_LIMIT", "LOGIN_RATE_LIMIT", "LOGIN_FAILURE_LIMIT")
}
GOALS: dict[str, Callable[[float], bool]] = {
    "submit_ratio": lambda v: v >= 0.5,
    "queue_flatness": lambda v: v <= 1.5,
    "deep_page_ratio": lambda v: v <= 1.5,
    "export_ratio": lambda v: v <= 3,
    "triage_flatness": lambda v: v >= 0.8,
    "lost_reports": lambda v: v == 0,
}


def say(text: str) -> None:
    print(f"# {text}", file=sys.stderr, flush=True)


@dataclass
class Bench:
    database_url: str
    env: dict[str, str]
    folder: Path
    app: Flask
    accepted: list[str] = field(default_factory=list)  # references answered 201
    figures: dict[str, float] = field(default_factory=dict)
    officer: Account | None = None
    admin: Account | None = None
    seeder: Seeder | None = None  # one for the run: it knows the identifiers it has named

    # -- the database ------------------------------------------------------------------------
    def prepare(self) -> None:
        with self.app.app_context():
            upgrade()
            BareReport.metadata.create_all(db.engine)
            self.officer = make_account("officer")
            self.admin = make_account("admin")

    def grow(self, target: int) -> None:
        with self.app.app_context():
            current = db.session.scalar(sa.text("SELECT count(*) FROM reports")) or 0
            db.session.rollback()  # no lock held while the seeder drops and builds indexes
            if self.seeder is None:
                self.seeder = Seeder(
                    psycopg_url(self.database_url), self.app.config["KEYRING"], datetime.now(UTC)
                )
            seeder = self.seeder
            started = time.perf_counter()
            step = max(1, (target - current) // 10)
            seeder.add(
                target - current,
                lambda done: done % step < 20_000 and say(f"seeded {current + done:,} / {target:,}"),
            )
            recount()
            commit()
            say(f"{target:,} reports in the database ({time.perf_counter() - started:.0f} s to seed)")

    def sql(self, statement: str, **values: Any) -> Any:
        with psycopg.connect(psycopg_url(self.database_url)) as connection:
            return connection.execute(statement, values).fetchall()

    # -- filing ------------------------------------------------------------------------------
    def submit(self, url: str, path: str, *, seconds: float, max_requests: int = 10**9) -> LoadResult:
        if self.seeder is None:
            raise RuntimeError("grow() seeds first")
        campaigns = self.seeder.campaign_identifiers(16)
        bodies = [_report_body(n, campaigns, self.seeder.reporter_phone()) for n in range(64)]

        def make(connection: int, number: int) -> tuple[str, str, dict[str, str], bytes]:
            return "POST", path, {"Content-Type": "application/json"}, bodies[(connection + number) % 64]

        result = run_load(
            url,
            make,
            connections=CONNECTIONS,
            seconds=seconds,
            max_requests=max_requests,
            accepted=frozenset({201}),
            keep_bodies=path.startswith("/api"),
        )
        if path.startswith("/api"):
            self.accepted += [json.loads(body)["reference"] for body in result.bodies]
        refused = {status: n for status, n in result.statuses.items() if status != 201}
        if refused:
            say(f"{path}: answers other than 201: {refused}")
        return result

    def wait_until_triaged(self, references: list[str]) -> float:
        """Triage rate of these reports (by the worker's own clock): reports per second between
        the first and the last decision."""
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while time.monotonic() < deadline:
            (waiting,) = self.sql(
                "SELECT count(*) FROM reports WHERE reference = ANY(%(refs)s) AND status = 'received'",
                refs=references,
            )[0]
            if not waiting:
                break
            time.sleep(0.5)
        (first, last, count) = self.sql(
            "SELECT min(d.decided_at), max(d.decided_at), count(*) FROM triage_decisions d "
            "JOIN reports r ON r.id = d.report_id WHERE r.reference = ANY(%(refs)s)",
            refs=references,
        )[0]
        seconds = (last - first).total_seconds() if first and last else 0
        return (count - 1) / seconds if seconds > 0 else 0.0

    def triage_rate(self, references: list[str], label: str) -> float:
        # prefork with two processes, as the Procfile runs it
        with celery_worker(self.env, self.folder / f"worker-{label}.log", concurrency=2):
            rate = self.wait_until_triaged(references)
        say(f"triage with {label} reports: {rate:.1f} reports/s ({len(references):,} reports)")
        return rate

    # -- officer and admin pages ------------------------------------------------------------
    def session(self, url: str, account: Account | None) -> Session:
        if account is None:
            raise RuntimeError("prepare() makes the accounts first")
        session = Session(url)
        session.log_in(account)
        return session

    def page_latencies(self, url: str, session: Session, paths: list[str], samples: int) -> list[list[float]]:
        """Latencies of each path, requested in turn on one connection (so that drift hits all)."""
        cookie = session.cookie_header()

        def make(connection: int, number: int) -> tuple[str, str, dict[str, str], bytes]:
            return "GET", paths[number % len(paths)], {"Cookie": cookie}, b""

        run_load(url, make, connections=1, max_requests=5 * len(paths))  # warm the caches first
        result = run_load(url, make, connections=1, max_requests=samples * len(paths))
        if result.statuses.get(200) != samples * len(paths):
            raise RuntimeError(f"{paths}: {result.statuses}")
        return [result.latencies[index :: len(paths)] for index in range(len(paths))]

    def deep_page(self, session: Session) -> tuple[str, int]:
        path, depth = "/officer/", 0
        while depth < DEEP_PAGES - 1:
            following = session.next_page(path)
            if following is None:
                break
            path, depth = following, depth + 1
        return path, depth + 1

    def export_latencies(self, url: str, session: Session, month: Month) -> tuple[list[float], list[float]]:
        path = f"/admin/exports/monthly?month={month}&format=csv&language=fr"
        (service,) = self.page_latencies(url, session, [path], EXPORT_SAMPLES)
        query = monthly_counts_query(month)
        with self.app.app_context():
            compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        bare: list[float] = []
        with psycopg.connect(psycopg_url(self.database_url)) as connection:
            for _ in range(EXPORT_SAMPLES + 5):
                start = time.perf_counter()
                connection.execute(str(compiled)).fetchall()
                bare.append(time.perf_counter() - start)
        return service, bare[5:]

    def lost_reports(self) -> int:
        (stored_and_triaged,) = self.sql(
            "SELECT count(*) FROM reports WHERE reference = ANY(%(refs)s) AND status <> 'received' "
            "AND EXISTS (SELECT 1 FROM triage_decisions d WHERE d.report_id = reports.id)",
            refs=self.accepted,
        )[0]
        return len(set(self.accepted)) - stored_and_triaged


def _report_body(number: int, campaigns: list[tuple[str, str]], reporter_phone: str) -> bytes:
    """A valid report, as a partner's app would send it, naming identifiers that the seeded reports
    name thousands of times (so that triage meets big groups) and, one time in two, a reporter's
    phone that earlier reports gave (so that duplicates are looked for among them)."""
    description = (DESCRIPTION_AR, DESCRIPTION_DARIJA, DESCRIPTION_FR)[number % 3]
    kind, value = campaigns[number % len(campaigns)]
    payload: dict[str, Any] = {
        "category": ("online_shopping_fraud", "phishing_impersonation", "sextortion")[number % 3],
        "incident_date": "2026-11-01",
        "description": f"{description} ({number})",
        "region": "casablanca_settat",
        "loss_amount": "2500.00",
        "loss_currency": "MAD",
        "suspects": [
            {"kind": kind, "value": value},
            {"kind": "url", "value": f"www.shop-fake-{number % 7}.ma/offre?utm_source=fb"},
        ],
        "anonymous": number % 2 == 0,
        "consent": True,
        "language": ("ar", "ar", "fr")[number % 3],
    }
    if not payload["anonymous"]:
        payload.update(reporter_name="Salma Benali", reporter_phone=reporter_phone)
    return json.dumps(payload, ensure_ascii=False).encode()


def _env(database_url: str, redis_url: str, folder: Path) -> dict[str, str]:
    keys = dict(line.split("=", 1) for line in generate_lines().splitlines())
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "VAR_DIR": str(folder / "var"),
        "SECRET_KEY": uuid.uuid4().hex,
        "CELERY_QUEUE": f"blagh-bench-{uuid.uuid4().hex[:8]}",
        "CONTROLLER_NAME": "Blagh benchmark",
        "CONTROLLER_ADDRESS": "-",
        "CONTROLLER_CONTACT": "-",
        "CNDP_REFERENCE": "-",
        **keys,
        **RAISED_LIMITS,
    }


@contextmanager
def bench_database() -> Iterator[str]:
    server = os.environ.get("DATABASE_URL")
    if server:
        os.environ["TEST_POSTGRES_URL"] = server  # the throwaway database is made on that server
    url = create_throwaway_database("blagh_bench")
    try:
        yield url
    finally:
        drop_throwaway_database(url)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def run(bench: Bench) -> dict[str, float]:
    figures = bench.figures
    say(f"scale {SCALE:g}: {SMALL:,} then {LARGE:,} reports; {CONNECTIONS} connections")
    say("rate limits raised for the run: " + ", ".join(f"{k}={v!r}" for k, v in RAISED_LIMITS.items()))
    bench.prepare()
    bench.grow(SMALL)
    log = bench.folder

    # 10,000 reports: the queue's first page, and triage of a burst of filings.
    with gunicorn(SERVICE_APP, bench.env, log / "web-small.log") as url:
        officer = bench.session(url, bench.officer)
        (first_page,) = bench.page_latencies(url, officer, ["/officer/"], PAGE_SAMPLES)
        small_first = percentile(first_page, 0.95)
        filed = bench.submit(url, "/api/v1/reports", seconds=600, max_requests=TRIAGE_REPORTS)
    small_triage = bench.triage_rate(bench.accepted[-len(filed.bodies) :], f"{SMALL:,}")

    bench.grow(LARGE)

    # 1,000,000 reports: filing side by side with the bare insert, then pages, export, triage.
    service_results: list[LoadResult] = []
    bare_results: list[LoadResult] = []
    before = len(bench.accepted)
    for round_number in range(SUBMIT_ROUNDS):
        with gunicorn(BARE_APP, bench.env, log / "bare.log") as url:
            bench.submit(url, "/bare/reports", seconds=1)  # warm-up
            bare_results.append(bench.submit(url, "/bare/reports", seconds=SUBMIT_SECONDS))
        with gunicorn(SERVICE_APP, bench.env, log / "web-large.log") as url:
            bench.submit(url, "/api/v1/reports", seconds=1)
            service_results.append(bench.submit(url, "/api/v1/reports", seconds=SUBMIT_SECONDS))
        say(
            f"round {round_number + 1}: bare {bare_results[-1].rate:.0f}/s, "
            f"service {service_results[-1].rate:.0f}/s"
        )
    burst = bench.accepted[before:]
    with gunicorn(SERVICE_APP, bench.env, log / "web-large.log") as url:
        officer = bench.session(url, bench.officer)
        deep_path, depth = bench.deep_page(officer)
        first_page, deep_page = bench.page_latencies(url, officer, ["/officer/", deep_path], PAGE_SAMPLES)
        large_first, deep = percentile(first_page, 0.95), percentile(deep_page, 0.95)
        admin = bench.session(url, bench.admin)
        month = Month.containing(datetime.now(UTC)).previous()
        export, bare_query = bench.export_latencies(url, admin, month)
    large_triage = bench.triage_rate(burst, f"{LARGE:,}")

    service_rate = sum(len(r.latencies) for r in service_results) / sum(r.seconds for r in service_results)
    bare_rate = sum(len(r.latencies) for r in bare_results) / sum(r.seconds for r in bare_results)
    service_latencies = [x for r in service_results for x in r.latencies]
    bare_latencies = [x for r in bare_results for x in r.latencies]
    print(f"submit_service_rate: {service_rate:.0f}")
    print(f"submit_bare_rate: {bare_rate:.0f}")
    print(f"submit_service_p50_ms: {_ms(median(service_latencies))}")
    print(f"submit_service_p99_ms: {_ms(percentile(service_latencies, 0.99))}")
    print(f"submit_bare_p50_ms: {_ms(median(bare_latencies))}")
    print(f"submit_bare_p99_ms: {_ms(percentile(bare_latencies, 0.99))}")
    print(f"queue_first_page_p95_ms_small: {_ms(small_first)}")
    print(f"queue_first_page_p95_ms_large: {_ms(large_first)}")
    print(f"queue_deep_page_depth: {depth}")
    print(f"queue_deep_page_p95_ms: {_ms(deep)}")
    print(f"export_p50_ms: {_ms(median(export))}")
    print(f"export_bare_group_by_p50_ms: {_ms(median(bare_query))}")
    print(f"triage_rate_small: {small_triage:.1f}")
    print(f"triage_rate_large: {large_triage:.1f}")
    figures["submit_ratio"] = service_rate / bare_rate
    figures["queue_flatness"] = large_first / small_first
    figures["deep_page_ratio"] = deep / large_first
    figures["export_ratio"] = median(export) / median(bare_query)
    figures["triage_flatness"] = large_triage / small_triage if small_triage else 0.0
    figures["lost_reports"] = bench.lost_reports()
    for name, value in figures.items():
        print(f"{name}: {value:.0f}" if name == "lost_reports" else f"{name}: {value:.2f}", flush=True)
    return figures


def main() -> int:
    logging.disable(logging.WARNING)
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    with tempfile.TemporaryDirectory(prefix="blagh-bench-") as tmp, bench_database() as database_url:
        folder = Path(tmp)
        env = _env(database_url, redis_url, folder)
        app = create_app({key: value for key, value in env.items()})
        bench = Bench(database_url, env, folder, app)
        try:
            figures = run(bench)
        finally:
            queue = redis.Redis.from_url(redis_url)
            queue.delete(env["CELERY_QUEUE"])
            queue.close()
            with app.app_context():
                db.engine.dispose()
            if os.environ.get("BENCH_KEEP_LOGS"):  # a folder to copy the servers' logs to
                shutil.copytree(folder, os.environ["BENCH_KEEP_LOGS"], dirs_exist_ok=True)
    missed = [name for name, goal in GOALS.items() if not goal(figures[name])]
    if missed:
        say("goals missed: " + ", ".join(missed))
    return 1 if missed and SCALE >= 1 else 0


if __name__ == "__main__":
    sys.exit(main())
