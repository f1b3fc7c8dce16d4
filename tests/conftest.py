from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, current_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import or_, select
from werkzeug.test import TestResponse

from intake import create_app
from intake.extensions import db
from intake.outbox.kinds import job_kind
from intake.outbox.models import OutboxJob
from intake.outbox.publisher import publisher
from intake.reports.models import Report
from intake.staff.models import Staff
from intake.staff.services import create_staff
from intake.types import utcnow
from intake.unit_of_work import commit
from tests.factories import report_payload
from tests.object_store import s3_bucket, s3_server  # noqa: F401 - fixtures for every test module
from tests.services import fresh_postgres_database, redis_url_or_skip

TEST_SECRET = "test-secret-key-not-for-production"
# Fixed keys for the tests, so that the web app a test builds and the worker it starts read each other's
# data (the embedded default's generated keys are tested in tests/test_privacy_keys.py).
TEST_DATA_KEYS = "t1:" + "QkxBR0gtdGVzdC1kYXRhLWtleS0wMDAwMDAwMDAwMDA"
TEST_BLIND_INDEX_KEY = "QkxBR0gtdGVzdC1ibGluZC1pbmRleC0wMDAwMDAwMDA"
# Who controls the data (the privacy notice names them; a server database requires them).
TEST_CONTROLLER = {
    "CONTROLLER_NAME": "Direction de la sûreté numérique (test)",
    "CONTROLLER_ADDRESS": "1, avenue des Tests, Rabat",
    "CONTROLLER_CONTACT": "dpo@blagh.example.ma",
    "CNDP_REFERENCE": "A-GC-000/2026",
}


def build_app(var_dir: Path, database_url: str | None = None, **config: Any) -> Flask:
    settings: dict[str, Any] = {
        "TESTING": True,
        "VAR_DIR": str(var_dir),
        "SECRET_KEY": TEST_SECRET,
        "DATA_KEYS": TEST_DATA_KEYS,
        "BLIND_INDEX_KEY": TEST_BLIND_INDEX_KEY,
        **TEST_CONTROLLER,
        "CELERY_QUEUE": f"blagh-test-{uuid.uuid4().hex[:8]}",
        # Tests post many reports from one address; tests/test_rate_limits.py turns the limiter on.
        "RATELIMIT_ENABLED": False,
        # Logins with a code: tests/test_second_factor.py and the PostgreSQL end-to-end test.
        "STAFF_2FA": "optional",
        **config,
    }
    if database_url:
        settings["DATABASE_URL"] = database_url
    return create_app(settings)


def release_database() -> None:
    """The end of a test's app (in its context): the outbox publisher sends and marks what it was
    handed first (so that no connection is opened after), then every pooled connection is closed."""
    publisher().wait_idle()
    db.engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str:
    return redis_url_or_skip()


# Kept between tests, as the migrations wrote it: the keys' fingerprints are settings, not data.
KEPT_TABLES = frozenset({"key_checks"})


def empty_tables() -> None:
    table_names = [t.name for t in reversed(db.metadata.sorted_tables) if t.name not in KEPT_TABLES]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text(f"TRUNCATE {', '.join(table_names)} RESTART IDENTITY CASCADE"))
    else:
        for name in table_names:
            db.session.execute(sa.text(f"DELETE FROM {name}"))
    db.session.commit()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def app(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app on migrated SQLite, or on the run's PostgreSQL database when a test asks for `backend`."""
    database_url = None
    if "backend" in request.fixturenames and request.getfixturevalue("backend") == "postgresql":
        database_url = request.getfixturevalue("postgres_url")
    application = build_app(tmp_path / "var", database_url)
    with application.app_context():
        upgrade()
        empty_tables()
        yield application
        db.session.remove()
        if database_url:
            empty_tables()
        release_database()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    match = CSRF_PATTERN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


# Real worker stacks (tests/test_worker.py, tests/test_officer_e2e.py): the embedded default, and
# PostgreSQL + Redis.


def worker_env(
    var_dir: Path, database_url: str | None = None, redis_url: str | None = None, **extra: str
) -> dict[str, str]:
    env = {
        "VAR_DIR": str(var_dir),
        "SECRET_KEY": TEST_SECRET,
        "DATA_KEYS": TEST_DATA_KEYS,
        "BLIND_INDEX_KEY": TEST_BLIND_INDEX_KEY,
        **TEST_CONTROLLER,
        "CELERY_QUEUE": f"blagh-test-{uuid.uuid4().hex[:8]}",
        "OUTBOX_RELAY_INTERVAL": "1",
        "OUTBOX_RELAY_GRACE": "2",
        "STAFF_2FA": "optional",
        **extra,
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


@pytest.fixture(
    params=["embedded", pytest.param("postgresql+redis", marks=[pytest.mark.postgres, pytest.mark.redis])]
)
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Flask, dict[str, str]]]:
    if request.param == "embedded":
        env = worker_env(tmp_path / "var")
    else:
        env = worker_env(
            tmp_path / "var", request.getfixturevalue("postgres_url"), request.getfixturevalue("redis_url")
        )
    app = app_for(env)
    with app.app_context():
        upgrade()
        empty_tables()
        yield app, env
        db.session.remove()
        release_database()


def app_for(env: dict[str, str]) -> Flask:
    """The app a test's own process uses beside a worker started with the same `env`."""
    config = {key: value for key, value in env.items() if key not in {"VAR_DIR", "DATABASE_URL"}}
    return build_app(Path(env["VAR_DIR"]), env.get("DATABASE_URL"), **config)


def run_job(kind_name: str, subject_id: int) -> object:
    """What the worker does with a job (workers/jobs.py): the kind's service, then one commit."""
    result = job_kind(kind_name).run(subject_id)
    commit()
    return result


def run_due_jobs(*kinds: str) -> list[tuple[str, int, object]]:
    """What a worker does with the outbox's jobs of these kinds, in this process: each job that is due
    (and not yet run here) is run and committed, in order, until none is left. The relay may have
    handed them to the broker already; no worker reads that broker in these tests."""
    done: list[tuple[str, int, object]] = []
    already_run: set[int] = current_app.extensions.setdefault("tests.jobs_run", set())
    tasks = {job_kind(kind).task: kind for kind in kinds}
    while True:
        job = db.session.execute(
            select(OutboxJob.id, OutboxJob.task, OutboxJob.args)
            .where(
                OutboxJob.dead_at.is_(None),
                OutboxJob.task.in_(list(tasks)),
                or_(OutboxJob.available_at.is_(None), OutboxJob.available_at <= utcnow()),
                OutboxJob.id.not_in(already_run or {0}),
            )
            .order_by(OutboxJob.id)
            .limit(1)
        ).one_or_none()
        db.session.rollback()
        if job is None:
            return done
        already_run.add(job.id)
        kind, subject_id = tasks[job.task], int(job.args[0])
        done.append((kind, subject_id, run_job(kind, subject_id)))


def at_once(app: Flask, count: int, work: Callable[[], object], timeout: float = 60) -> list[object]:
    """`work` run by `count` threads released together, each in its own app context (its own
    database session), as that many workers handed the same job; their results."""
    results: list[object] = []
    barrier = threading.Barrier(count)

    def run() -> None:
        with app.app_context():
            barrier.wait()
            results.append(work())
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results


def replace_job_service(
    monkeypatch: pytest.MonkeyPatch, kind_name: str, run: Callable[[int], object]
) -> None:
    """Make a kind of job run `run` instead of its service, in this process (its task included)."""
    import intake.jobs

    kinds = tuple(replace(k, run=run) if k.name == kind_name else k for k in intake.jobs.JOB_KINDS)
    monkeypatch.setattr(intake.jobs, "JOB_KINDS", kinds)


def insert_reports_by_sql(count: int) -> None:
    """`count` bare reports written by one INSERT on PostgreSQL, two in three open, one filed a minute
    before the next, then ANALYZE: for the tests that check a query plan on a large table."""
    db.session.execute(
        sa.text(
            "INSERT INTO reports (reference, receipt_hash, category, incident_date, description, language, channel,"
            " anonymous, consented_at, status, priority, priority_rank, created_at, updated_at, version)"
            " SELECT 'BLG-' || lpad(to_hex(g), 9, '0'), md5(g::text), 'online_shopping_fraud', DATE '2026-11-01',"
            " 'x', 'fr', 'api', true, now(), CASE WHEN g % 3 = 0 THEN 'resolved' ELSE 'triaged' END,"
            " 'normal', g % 4, now() - (g || ' minutes')::interval, now(), 1 FROM generate_series(1, :count) g"
        ),
        {"count": count},
    )
    db.session.execute(sa.text("ANALYZE reports"))
    db.session.commit()


def status_of(reference: str) -> str | None:
    db.session.expire_all()
    status = db.session.scalar(select(Report.status).where(Report.reference == reference))
    db.session.rollback()  # end the read transaction so the next poll sees the worker's commit
    return status


# Staff and case work: factories as fixtures, shared by every test module.

PASSWORD = "correct horse battery staple"
RECEIPT_PATTERN = re.compile(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){5}")
# The fixtures' types, for the tests' signatures.
LogIn = Callable[..., TestResponse]
MakeStaff = Callable[..., Staff]
SignIn = Callable[..., FlaskClient]
FileAndTriage = Callable[..., dict[str, str]]
AskQuestion = Callable[..., tuple[dict[str, str], FlaskClient]]


@pytest.fixture
def make_staff() -> MakeStaff:
    """An account (committed) in the app whose context is pushed: `make_staff("supervisor")`."""

    def make(role: str = "officer", email: str | None = None, language: str = "fr") -> Staff:
        staff = create_staff(
            email or f"{role}@police.example.ma", f"{role.title()} Alaoui", role, PASSWORD, language
        )
        commit()
        return staff

    return make


@pytest.fixture
def log_in() -> LogIn:
    """Post the login form: `log_in(client, email, password=PASSWORD, next_url=None)`."""

    def post(
        client: FlaskClient, email: str, password: str = PASSWORD, next_url: str | None = None
    ) -> TestResponse:
        url = "/login" + (f"?next={next_url}" if next_url else "")
        return client.post(
            url, data={"csrf_token": csrf_token(client, "/login"), "email": email, "password": password}
        )

    return post


@pytest.fixture
def signed_in(app: Flask, make_staff: MakeStaff, log_in: LogIn) -> SignIn:
    """A client logged in as a new account: `signed_in("supervisor", email=None, language="fr")`."""

    def sign_in(role: str = "officer", email: str | None = None, language: str = "fr") -> FlaskClient:
        client = app.test_client()
        make_staff(role, email, language)
        assert log_in(client, email or f"{role}@police.example.ma").status_code == 302
        return client

    return sign_in


@pytest.fixture
def filed_and_triaged(app: Flask) -> FileAndTriage:
    """File a report through the API and triage it as the worker would: the API's answer."""

    def file(client: FlaskClient | None = None, **overrides: Any) -> dict[str, str]:
        created = (client or app.test_client()).post("/api/v1/reports", json=report_payload(**overrides)).json
        assert created is not None and "reference" in created, created
        report_id = db.session.scalar(select(Report.id).where(Report.reference == created["reference"]))
        assert report_id is not None and run_job("triage", report_id)
        return dict(created)

    return file


def version_of(client: FlaskClient, reference: str) -> str:
    """The version on the officer's case page, as its forms send it."""
    page = client.get(f"/officer/reports/{reference}").get_data(as_text=True)
    match = re.search(r'name="version" value="(\d+)"', page)
    assert match, page[:500]
    return match.group(1)


def case_action(
    client: FlaskClient, reference: str, action: str, version: str | None = None, **fields: Any
) -> TestResponse:
    """Post one of the case page's forms (`claim`, `assign`, `status`, `note`, `message`)."""
    data = {
        "csrf_token": csrf_token(client, "/officer/"),
        "version": version or version_of(client, reference),
        **fields,
    }
    return client.post(f"/officer/reports/{reference}/{action}", data=data)


def current_status(reference: str) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Report.status).where(Report.reference == reference)) or ""


@pytest.fixture
def question_asked(app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn) -> AskQuestion:
    """A report an officer took and asked the citizen about: (the API's answer, the officer's client)."""

    def ask(
        question: str = "Pouvez-vous envoyer la capture ?", **overrides: Any
    ) -> tuple[dict[str, str], FlaskClient]:
        created = filed_and_triaged(**overrides)
        desk = signed_in()
        case_action(desk, created["reference"], "claim")
        case_action(desk, created["reference"], "status", status="in_progress")
        case_action(desk, created["reference"], "status", status="needs_info", message=question)
        return created, desk

    return ask
