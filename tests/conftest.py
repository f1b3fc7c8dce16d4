from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import select

from intake import create_app
from intake.extensions import db
from intake.outbox.kinds import job_kind
from intake.reports.models import Report
from intake.unit_of_work import commit
from tests.services import fresh_postgres_database, redis_url_or_skip

TEST_SECRET = "test-secret-key-not-for-production"


def build_app(var_dir: Path, database_url: str | None = None, **config: Any) -> Flask:
    settings: dict[str, Any] = {
        "TESTING": True,
        "VAR_DIR": str(var_dir),
        "SECRET_KEY": TEST_SECRET,
        "CELERY_QUEUE": f"blagh-test-{uuid.uuid4().hex[:8]}",
        # Tests post many reports from one address; tests/test_rate_limits.py turns the limiter on.
        "RATELIMIT_ENABLED": False,
        **config,
    }
    if database_url:
        settings["DATABASE_URL"] = database_url
    return create_app(settings)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str:
    return redis_url_or_skip()


def empty_tables() -> None:
    table_names = [table.name for table in reversed(db.metadata.sorted_tables)]
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
        db.engine.dispose()


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
    var_dir: Path, database_url: str | None = None, redis_url: str | None = None
) -> dict[str, str]:
    env = {
        "VAR_DIR": str(var_dir),
        "SECRET_KEY": TEST_SECRET,
        "CELERY_QUEUE": f"blagh-test-{uuid.uuid4().hex[:8]}",
        "OUTBOX_RELAY_INTERVAL": "1",
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
    app = _app_for(env)
    with app.app_context():
        upgrade()
        empty_tables()
        yield app, env
        db.session.remove()
        db.engine.dispose()


def _app_for(env: dict[str, str]) -> Flask:
    config = {key: value for key, value in env.items() if key not in {"VAR_DIR", "DATABASE_URL"}}
    return build_app(Path(env["VAR_DIR"]), env.get("DATABASE_URL"), **config)


def run_job(kind_name: str, subject_id: int) -> object:
    """What the worker does with a job (workers/jobs.py): the kind's service, then one commit."""
    result = job_kind(kind_name).run(subject_id)
    commit()
    return result


def replace_job_service(
    monkeypatch: pytest.MonkeyPatch, kind_name: str, run: Callable[[int], object]
) -> None:
    """Make a kind of job run `run` instead of its service, in this process (its task included)."""
    import intake.jobs

    kinds = tuple(replace(k, run=run) if k.name == kind_name else k for k in intake.jobs.JOB_KINDS)
    monkeypatch.setattr(intake.jobs, "JOB_KINDS", kinds)


def status_of(reference: str) -> str | None:
    db.session.expire_all()
    status = db.session.scalar(select(Report.status).where(Report.reference == reference))
    db.session.rollback()  # end the read transaction so the next poll sees the worker's commit
    return status
