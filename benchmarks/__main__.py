"""Intake costs must stay flat as the reports table grows.

For each backend (SQLite, and PostgreSQL when reachable) this files reports and looks them up by
reference + receipt on a small table (the baseline), then again after the table has grown, and prints
the ratio large/small. A ratio near 1 means the cost does not grow with the data.

    make bench                       # 1,000 then 200,000 rows
    BENCH_ROWS=1000000 make bench    # closer to a year of IC3 traffic
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from intake import create_app
from intake.extensions import db
from intake.privacy.keys import generate_lines
from intake.reports.evidence import LocalEvidenceStore
from intake.reports.forms import ReportForm
from intake.reports.json_body import json_to_formdata
from intake.reports.models import Report
from intake.reports.receipts import hash_receipt, new_reference
from intake.reports.services import file_report, lookup_by_receipt
from tests.databases import create_throwaway_database, drop_throwaway_database
from tests.factories import report_payload

SMALL = 1_000
LARGE = int(os.environ.get("BENCH_ROWS", "200000"))
SAMPLES = 100
# The same valid report the tests start from, filed anonymously.
PAYLOAD = report_payload(anonymous=True, reporter_name=None, reporter_email=None, reporter_phone=None)


def grow(target: int) -> None:
    """Bulk-insert synthetic reports until the table holds `target` rows."""
    current = db.session.scalar(sa.select(sa.func.count(Report.id))) or 0
    now = datetime.now(UTC)
    batch = 5_000
    while current < target:
        rows = [
            {
                "reference": new_reference(),
                "receipt_hash": hash_receipt(uuid.uuid4().hex),
                "category": "online_shopping_fraud",
                "incident_date": date(2026, 1, 1),
                "description": "x" * 200,
                "language": "fr",
                "channel": "api",
                "anonymous": True,
                "consented_at": now,
                "status": "triaged",
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for _ in range(min(batch, target - current))
        ]
        db.session.execute(
            sa.insert(Report).prefix_with("OR IGNORE" if db.engine.dialect.name == "sqlite" else ""), rows
        )
        db.session.commit()
        current = db.session.scalar(sa.select(sa.func.count(Report.id))) or 0
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE reports"))
        db.session.commit()


def median_seconds(action: Callable[[], object], samples: int = SAMPLES) -> float:
    timings = []
    for _ in range(samples):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def measure(app: Flask, store: LocalEvidenceStore) -> dict[str, float]:
    with app.test_request_context():
        formdata, type_errors = json_to_formdata(PAYLOAD)
        form = ReportForm(formdata=formdata, meta={"csrf": False})
        if type_errors or not form.validate():
            raise SystemExit(f"benchmark payload is invalid: {form.errors}")
        filed = file_report(form.submission(), language="fr", channel="api", store=store)
        return {
            "file_report": median_seconds(
                lambda: file_report(form.submission(), language="fr", channel="api", store=store), 100
            ),
            "lookup_by_receipt": median_seconds(lambda: lookup_by_receipt(filed.reference, filed.receipt)),
            "lookup_unknown": median_seconds(lambda: lookup_by_receipt("BLG-2222-2222", filed.receipt)),
        }


@contextmanager
def postgres_database() -> Iterator[str | None]:
    try:
        url = create_throwaway_database("blagh_bench")
    except sa.exc.OperationalError as error:
        print(f"SKIPPED PostgreSQL: not reachable ({error.__class__.__name__})", file=sys.stderr)
        yield None
        return
    try:
        yield url
    finally:
        drop_throwaway_database(url)


def run_backend(label: str, database_url: str | None, folder: Path) -> None:
    config = {"VAR_DIR": str(folder), "SECRET_KEY": "bench"}
    if database_url:
        # a server database needs its keys and its controller named (see intake.config)
        keys = dict(line.split("=", 1) for line in generate_lines().splitlines())
        controller = dict.fromkeys(("CONTROLLER_NAME", "CONTROLLER_ADDRESS", "CONTROLLER_CONTACT"), "bench")
        config.update(DATABASE_URL=database_url, **keys, **controller, CNDP_REFERENCE="bench")
    app = create_app(config)
    store = LocalEvidenceStore(folder / "evidence")
    with app.app_context():
        upgrade()
        grow(SMALL)
        small = measure(app, store)
        grow(LARGE)
        large = measure(app, store)
        db.engine.dispose()
    print(f"\n{label}: {SMALL:,} rows -> {LARGE:,} rows (median of {SAMPLES} runs; 100 for filing)")
    print(f"{'operation':<20}{'small (ms)':>12}{'large (ms)':>12}{'ratio':>8}")
    for name in small:
        print(
            f"{name:<20}{small[name] * 1000:>12.3f}{large[name] * 1000:>12.3f}{large[name] / small[name]:>8.2f}"
        )


def main() -> None:
    import logging

    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        run_backend("SQLite (embedded default)", None, Path(tmp) / "sqlite")
        with postgres_database() as url:
            if url:
                run_backend("PostgreSQL", url, Path(tmp) / "postgres")


if __name__ == "__main__":
    main()
