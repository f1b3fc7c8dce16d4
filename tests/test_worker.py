"""End to end through a real Celery worker: a report filed by the form and by the API reaches `triaged`.

Runs on the embedded default (SQLite + filesystem broker) and on PostgreSQL + Redis.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from intake.extensions import db
from intake.outbox.models import OutboxJob
from intake.outbox.publisher import publisher
from tests.conftest import csrf_token, status_of
from tests.factories import form_data, report_payload
from tests.processes import celery_worker, log_tail, wait_for

pytestmark = pytest.mark.worker


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

    said = [line for line in log.read_text().splitlines() if "SMTP_URL is not set" in line]
    assert len(said) == 1, said  # the worker says once, as it starts, that no e-mail will be sent
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
    assert publisher(app).wait_idle()
    assert db.session.scalar(select(OutboxJob.published_at)) is None
    monkeypatch.undo()

    log = tmp_path / "worker.log"
    with celery_worker(env, log, beat=True):
        wait_for(
            lambda: status_of(created.json["reference"]) == "triaged", 60, what=f"triaged\n{log_tail(log)}"
        )
    assert db.session.scalar(select(OutboxJob.published_at)) is not None
