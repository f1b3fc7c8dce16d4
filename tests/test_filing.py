"""Filing is atomic: report, identifiers, evidence rows and the triage job commit together or not at all."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from intake.extensions import db
from intake.outbox.models import OutboxJob
from intake.outbox.publisher import publisher
from intake.outbox.services import relay_pending, task_id_for
from intake.reports.evidence import LocalEvidenceStore, detect_media_type
from intake.reports.forms import ReportForm
from intake.reports.json_body import json_to_formdata
from intake.reports.models import Report, StatusChange
from intake.reports.services import file_report, lookup_by_receipt
from tests.conftest import build_app, release_database, replace_job_service, run_job
from tests.factories import EML_BYTES, EXE_BYTES, PDF_BYTES, form_data, png_bytes, report_payload


def valid_form(**overrides: object) -> ReportForm:
    formdata, type_errors = json_to_formdata(report_payload(**overrides))
    assert not type_errors
    form = ReportForm(formdata=formdata, meta={"csrf": False})
    assert form.validate(), form.errors
    return form


def test_failed_commit_leaves_no_row_and_no_file(
    app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = LocalEvidenceStore(tmp_path / "evidence")
    saved: list[str] = []
    original_save = store.save

    def save_and_remember(stream, owner):  # type: ignore[no-untyped-def]
        stored = original_save(stream, owner)
        saved.append(stored.stored_name)
        return stored

    monkeypatch.setattr(store, "save", save_and_remember)
    data = {**form_data(), "evidence": (io.BytesIO(png_bytes()), "capture.png")}
    with app.test_request_context(
        "/api/v1/reports", method="POST", data=data, content_type="multipart/form-data"
    ):
        form = ReportForm(meta={"csrf": False})
        assert form.validate(), form.errors

        def broken_commit() -> None:
            raise RuntimeError("database went away")

        monkeypatch.setattr(db.session, "commit", broken_commit)
        with pytest.raises(RuntimeError):
            file_report(form.submission(), language="fr", channel="api", store=store)
    monkeypatch.undo()
    assert saved and not any(p.is_file() for p in (tmp_path / "evidence").rglob("*"))
    assert db.session.scalar(select(func.count(Report.id))) == 0
    assert db.session.scalar(select(func.count(OutboxJob.id))) == 0


def evidence_form(app: Flask):  # type: ignore[no-untyped-def]
    data = {**form_data(), "evidence": (io.BytesIO(png_bytes()), "capture.png")}
    return app.test_request_context(
        "/api/v1/reports", method="POST", data=data, content_type="multipart/form-data"
    )


def test_commit_that_raises_after_the_data_is_stored_still_counts_as_filed(
    app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, backend: str
) -> None:
    """The connection can drop after COMMIT reached the server: the report is stored, keep its files."""
    store = LocalEvidenceStore(tmp_path / "evidence")
    real_commit = db.session.commit

    def commit_then_lose_the_connection() -> None:
        real_commit()
        raise OSError("connection reset after COMMIT")

    with evidence_form(app):
        form = ReportForm(meta={"csrf": False})
        assert form.validate(), form.errors
        monkeypatch.setattr(db.session, "commit", commit_then_lose_the_connection)
        filed = file_report(form.submission(), language="fr", channel="api", store=store)
    monkeypatch.undo()
    report = db.session.scalar(select(Report).where(Report.reference == filed.reference))
    assert report is not None and len(report.evidence) == 1
    with store.open(report.evidence[0].stored_name, report.evidence[0].seal_id) as kept:
        assert kept.read() == png_bytes()


def test_commit_with_an_unknown_outcome_keeps_the_files(
    app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """When the database cannot say whether the report was stored, evidence is kept, never deleted."""
    store = LocalEvidenceStore(tmp_path / "evidence")

    def broken_commit() -> None:
        raise OSError("connection reset during COMMIT")

    with evidence_form(app):
        form = ReportForm(meta={"csrf": False})
        assert form.validate(), form.errors
        monkeypatch.setattr(db.session, "commit", broken_commit)
        monkeypatch.setattr("intake.reports.services._found", lambda proof: None)
        with pytest.raises(OSError):
            file_report(form.submission(), language="fr", channel="api", store=store)
    monkeypatch.undo()
    assert len([p for p in (tmp_path / "evidence").rglob("*") if p.is_file()]) == 1


def test_report_and_its_job_commit_together_and_the_relay_publishes_once(app: Flask, tmp_path: Path) -> None:
    with app.test_request_context():
        filed = file_report(
            valid_form().submission(), language="fr", channel="api", store=LocalEvidenceStore(tmp_path)
        )
    assert publisher(app).wait_idle()
    job = db.session.scalar(select(OutboxJob))
    assert job.task == "triage.triage_report" and job.args == [filed.report_id]
    assert job.published_at is not None  # handed to the (filesystem) broker right after the commit
    assert relay_pending(grace=0) == 0


def test_job_stays_pending_when_the_broker_is_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = build_app(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    celery, tried = app.extensions["celery"], []
    send_task = celery.send_task

    def counted(*args: Any, **kwargs: Any) -> Any:
        tried.append(kwargs["task_id"])
        return send_task(*args, **kwargs)

    monkeypatch.setattr(celery, "send_task", counted)
    with app.app_context(), app.test_request_context():
        upgrade()
        filed = file_report(
            valid_form().submission(), language="fr", channel="api", store=LocalEvidenceStore(tmp_path / "e")
        )
        assert publisher(app).wait_idle()
        job = db.session.scalar(select(OutboxJob))
        assert tried == [task_id_for(job.id)]  # it was tried
        assert job.published_at is None  # accepted all the same
        assert db.session.get(Report, filed.report_id) is not None
        release_database()


def test_triage_runs_once_in_effect(app: Flask, tmp_path: Path, backend: str) -> None:
    with app.test_request_context():
        filed = file_report(
            valid_form(category="sextortion").submission(),
            language="ar",
            channel="web",
            store=LocalEvidenceStore(tmp_path),
        )
    assert run_job("triage", filed.report_id) is True
    assert run_job("triage", filed.report_id) is False  # a redelivered job changes nothing
    report = db.session.get(Report, filed.report_id)
    db.session.refresh(report)
    assert report.status == "triaged" and report.priority == "urgent" and report.version == 2
    steps = db.session.scalars(
        select(StatusChange.to_status).where(StatusChange.report_id == report.id)
    ).all()
    assert steps == ["received", "triaged"]
    assert run_job("triage", 999_999) is False


def test_lookup_needs_the_right_receipt(app: Flask, tmp_path: Path) -> None:
    with app.test_request_context():
        filed = file_report(
            valid_form().submission(), language="fr", channel="web", store=LocalEvidenceStore(tmp_path)
        )
    assert lookup_by_receipt(filed.reference, filed.receipt).status == "received"
    wrong = filed.receipt[:-1] + ("3" if filed.receipt.endswith("2") else "2")
    assert lookup_by_receipt(filed.reference, wrong) is None
    assert lookup_by_receipt("BLG-2222-2222", filed.receipt) is None


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (png_bytes(), "image/png"),
        (
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 100,
            "image/jpeg",
        ),
        (PDF_BYTES, "application/pdf"),
        (EML_BYTES, "message/rfc822"),
        ("رسالة من المحتال: ادفع 500 درهم\n".encode(), "text/plain"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64, "video/mp4"),
        (EXE_BYTES, None),
        (b"PK\x03\x04" + b"\x00" * 100, None),
        (b"\x00\x01\x02\x03" * 50, None),
    ],
)
def test_media_type_comes_from_the_content(content: bytes, expected: str | None) -> None:
    stream = io.BytesIO(content)
    assert detect_media_type(stream) == expected
    assert stream.tell() == 0


def test_triage_task_retries_when_the_database_blinks(
    app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A transient OperationalError is retried (with backoff on a real worker), not dropped."""
    from sqlalchemy.exc import OperationalError

    import workers.jobs
    from intake.triage.services import triage_report

    with app.test_request_context():
        filed = file_report(
            valid_form().submission(), language="fr", channel="api", store=LocalEvidenceStore(tmp_path)
        )
    calls: list[int] = []

    def flaky(report_id: int) -> bool:
        calls.append(report_id)
        if len(calls) == 1:
            raise OperationalError("UPDATE reports", {}, Exception("server closed the connection"))
        return triage_report(report_id)

    replace_job_service(monkeypatch, "triage", flaky)
    result = workers.jobs.TASKS["triage"].apply(args=[filed.report_id])
    assert result.successful(), result.traceback
    assert calls == [filed.report_id, filed.report_id]
    report = db.session.get(Report, filed.report_id)
    db.session.refresh(report)
    assert report.status == "triaged"


def test_a_reference_collision_draws_again_and_keeps_the_evidence(
    app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, backend: str
) -> None:
    store = LocalEvidenceStore(tmp_path / "evidence")
    with app.test_request_context():
        first = file_report(valid_form().submission(), language="fr", channel="api", store=store)
    drawn = iter([first.reference, "BLG-2345-6789"])
    monkeypatch.setattr("intake.reports.services.new_reference", lambda: next(drawn))
    with evidence_form(app):
        form = ReportForm(meta={"csrf": False})
        assert form.validate(), form.errors
        second = file_report(form.submission(), language="fr", channel="api", store=store)
    assert second.reference == "BLG-2345-6789"
    report = db.session.scalar(select(Report).where(Report.reference == second.reference))
    assert report is not None and len(report.evidence) == 1


def test_a_failure_before_the_commit_removes_the_files(
    app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = LocalEvidenceStore(tmp_path / "evidence")

    def broken_enqueue(*args: object) -> None:
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr("intake.reports.services.queue_triage", broken_enqueue)
    with evidence_form(app):
        form = ReportForm(meta={"csrf": False})
        assert form.validate(), form.errors
        with pytest.raises(RuntimeError):
            file_report(form.submission(), language="fr", channel="web", store=store)
    assert not any(p.is_file() for p in (tmp_path / "evidence").rglob("*"))
    assert db.session.scalar(select(func.count(Report.id))) == 0
