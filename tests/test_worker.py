"""End to end through a real Celery worker: a report filed by the form and by the API reaches `triaged`.

Runs on the embedded default (SQLite + filesystem broker) and on PostgreSQL + Redis.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from intake.extensions import db
from intake.outbox.models import OutboxJob
from intake.reports.models import Report
from tests.conftest import TEST_SECRET, build_app, csrf_token, empty_tables
from tests.factories import form_data, report_payload
from tests.processes import celery_worker, log_tail, wait_for

pytestmark = pytest.mark.worker


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


def status_of(reference: str) -> str | None:
    db.session.expire_all()
    status = db.session.scalar(select(Report.status).where(Report.reference == reference))
    db.session.rollback()  # end the read transaction so the next poll sees the worker's commit
    return status


def test_form_and_api_reports_reach_triaged_through_the_worker(
    stack: tuple[Flask, dict[str, str]], tmp_path: Path
) -> None:
    app, env = stack
    client = app.test_client()
    log = tmp_path / "worker.log"
    with celery_worker(env, log):
        token = csrf_token(client, "/fr/report")
        by_form = client.post(
            "/fr/report", data={"csrf_token": token, **form_data()}, content_type="multipart/form-data"
        )
        assert by_form.status_code == 303
        page = client.get(by_form.location).get_data(as_text=True)
        form_reference = re.search(r"BLG-[0-9A-Z]{4}-[0-9A-Z]{4}", page).group(0)
        receipt = re.search(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){5}", page).group(0)
        by_api = client.post("/api/v1/reports", json=report_payload(category="sextortion"))
        assert by_api.status_code == 201
        for reference in (form_reference, by_api.json["reference"]):
            wait_for(
                lambda r=reference: status_of(r) == "triaged",
                60,
                what=f"{reference} triaged\n{log_tail(log)}",
            )

    api_status = client.get(
        f"/api/v1/reports/{by_api.json['reference']}/status", headers={"X-Receipt": by_api.json["receipt"]}
    ).json
    assert [h["status"] for h in api_status["history"]] == ["received", "triaged"]
    track = client.post(
        "/ar/track",
        data={"csrf_token": csrf_token(client, "/ar/track"), "reference": form_reference, "receipt": receipt},
    )
    assert track.status_code == 200 and 'class="status status-triaged"' in track.get_data(as_text=True)


def test_job_that_missed_the_broker_is_published_by_beat(
    stack: tuple[Flask, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The broker refused the publication after the commit: the outbox row stays, beat's relay sends it."""
    app, env = stack
    celery = app.extensions["celery"]

    def broker_down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(celery, "send_task", broker_down)
    created = app.test_client().post("/api/v1/reports", json=report_payload())
    assert created.status_code == 201
    assert db.session.scalar(select(OutboxJob.published_at)) is None
    monkeypatch.undo()

    log = tmp_path / "worker.log"
    with celery_worker(env, log, beat=True):
        wait_for(
            lambda: status_of(created.json["reference"]) == "triaged", 60, what=f"triaged\n{log_tail(log)}"
        )
    assert db.session.scalar(select(OutboxJob.published_at)) is not None
