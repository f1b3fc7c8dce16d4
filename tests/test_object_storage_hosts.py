"""The object store lets web processes and workers live on different hosts: a worker that has no
access to the web process's disk checks the evidence and makes its preview from the store; and the
store stopped during a burst of filings loses nothing and, after the sweep, keeps no orphan."""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from intake.extensions import db
from intake.reports.evidence import evidence_store
from intake.reports.models import EvidenceFile, Report
from intake.storage.s3 import S3EvidenceStore
from intake.storage.sweep import sweep_orphans
from intake.types import utcnow
from tests.conftest import (
    app_for,
    build_app,
    csrf_token,
    empty_tables,
    release_database,
    status_of,
    worker_env,
)
from tests.factories import form_data, png_bytes
from tests.object_store import S3Server, seaweedfs
from tests.processes import celery_worker, log_tail, wait_for

pytestmark = [pytest.mark.s3]


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
def test_a_worker_on_another_disk_checks_the_evidence_from_the_store(
    tmp_path: Path,
    s3_server: S3Server,
    s3_bucket: str,
    postgres_url: str,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in s3_server.credentials.items():
        monkeypatch.setenv(name, value)
    web = worker_env(
        tmp_path / "web",
        postgres_url,
        redis_url,
        STORAGE_URL=s3_server.storage_url(s3_bucket),
        **s3_server.credentials,
    )
    worker = {**web, "VAR_DIR": str(tmp_path / "worker")}  # the same queue and database, its own disk
    app = app_for(web)
    with app.app_context():
        upgrade()
        empty_tables()
        try:
            client = app.test_client()
            png = png_bytes(48, 32)
            data = {"csrf_token": csrf_token(client, "/fr/report"), **form_data()}
            data["evidence"] = [(io.BytesIO(png), "capture.png", "image/png")]
            log = tmp_path / "worker.log"
            with celery_worker(worker, log):
                assert (
                    client.post("/fr/report", data=data, content_type="multipart/form-data").status_code
                    == 303
                )
                reference = db.session.scalar(select(Report.reference))
                wait_for(lambda: status_of(reference) == "triaged", 60, what=f"triage\n{log_tail(log)}")

                def previewed() -> str | None:
                    db.session.rollback()
                    return db.session.scalar(select(EvidenceFile.preview_name))

                preview = wait_for(previewed, 60, what=f"the worker's preview\n{log_tail(log)}")
            item = db.session.scalars(select(EvidenceFile)).one()
            assert item.check_status == "accepted"
            store = evidence_store()
            assert isinstance(store, S3EvidenceStore)
            assert sorted(s3_server.keys(s3_bucket)) == sorted(
                [store.key_of(item.stored_name), store.key_of(preview)]
            )
            with store.open(preview, item.seal_id) as made_by_the_worker:
                assert made_by_the_worker.read().startswith(b"\x89PNG")
            # neither host kept a file on its own disk
            assert (
                files_under(tmp_path / "web" / "evidence")
                == files_under(tmp_path / "worker" / "evidence")
                == []
            )
        finally:
            db.session.remove()
            empty_tables()
            release_database()


@pytest.fixture
def own_store(tmp_path: Path) -> Iterator[S3Server]:
    """A SeaweedFS of this test's own: the test stops it and starts it again."""
    with seaweedfs() as server:
        yield server


def test_the_store_stopped_during_a_burst_loses_nothing_and_leaves_no_orphan(
    tmp_path: Path, own_store: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight citizens file reports with two files each while the store stops, then starts again.
    Every accepted report (303) has both its files, readable and as filed; every refusal is a 503;
    filings go through again once it is back; and after the sweep the store holds exactly the files
    that reports name."""
    for name, value in own_store.credentials.items():
        monkeypatch.setenv(name, value)
    bucket = own_store.new_bucket()
    app: Flask = build_app(tmp_path / "var", STORAGE_URL=own_store.storage_url(bucket))
    with app.app_context():
        upgrade()
    answers: list[int] = []
    lock = threading.Lock()
    started = threading.Barrier(9)

    def citizen(number: int) -> None:
        with app.app_context():
            client = app.test_client()
            started.wait()
            for attempt in range(4):
                data = {"csrf_token": csrf_token(client, "/fr/report"), **form_data()}
                data["evidence"] = [
                    (
                        io.BytesIO(png_bytes(10 + number, 10 + attempt) + bytes(200_000)),
                        f"c{n}.png",
                        "image/png",
                    )
                    for n in range(2)
                ]
                status = client.post("/fr/report", data=data, content_type="multipart/form-data").status_code
                with lock:
                    answers.append(status)
            db.session.remove()

    threads = [threading.Thread(target=citizen, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    started.wait()
    wait_for(lambda: len(answers) >= 4, 60, interval=0.02, what="the first filings")
    own_store.stop()  # mid-burst: some uploads are cut, some filings refused
    wait_for(lambda: len(answers) >= 20, 120, interval=0.05, what="filings while the store is down")
    own_store.start()
    for thread in threads:
        thread.join(120)
    assert len(answers) == 32 and set(answers) <= {303, 503}, answers
    assert 503 in answers and answers.count(303) >= 4, answers

    with app.app_context():
        # the store is back: the same process (and its client's pool) files with files again
        client = app.test_client()
        data = {"csrf_token": csrf_token(client, "/fr/report"), **form_data()}
        data["evidence"] = [(io.BytesIO(png_bytes(12, 34)), f"c{n}.png", "image/png") for n in range(2)]
        assert client.post("/fr/report", data=data, content_type="multipart/form-data").status_code == 303
        accepted = answers.count(303) + 1
        assert db.session.scalar(select(func.count()).select_from(Report)) == accepted
        store = evidence_store()
        assert isinstance(store, S3EvidenceStore)
        rows = db.session.execute(
            select(
                EvidenceFile.report_id, EvidenceFile.stored_name, EvidenceFile.seal_id, EvidenceFile.sha256
            )
        ).all()
        per_report: dict[int, int] = {}
        for report_id, stored_name, seal_id, sha256 in rows:
            per_report[report_id] = per_report.get(report_id, 0) + 1
            with store.open(stored_name, seal_id) as clear:
                assert hashlib.sha256(clear.read()).hexdigest() == sha256
        assert len(per_report) == accepted and set(per_report.values()) == {2}

        sweep_orphans(store, utcnow() + timedelta(hours=2), timedelta(hours=1), days=1)
        named = sorted(store.key_of(stored_name) for _, stored_name, _, _ in rows)
        assert own_store.keys(bucket) == named
        db.session.remove()
