"""Triage on the database: links through identifier groups, campaigns, duplicates, the recorded
decision, one effect per report however often (or concurrently) the job runs, and the reconciler."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select, text, update

from intake.extensions import db
from intake.outbox.kinds import job_kind
from intake.outbox.models import OutboxJob
from intake.outbox.publisher import publisher
from intake.outbox.services import dead_jobs, mark_dead, requeue_waiting_work, task_id_for
from intake.reports.evidence import LocalEvidenceStore
from intake.reports.forms import ReportForm
from intake.reports.json_body import json_to_formdata
from intake.reports.models import EvidenceFile, Report, StatusChange
from intake.reports.services import FiledReport, file_report
from intake.triage.models import GroupMember, IdentifierGroup, TriageDecision
from intake.triage.rules import RULES_VERSION
from intake.types import utcnow
from intake.unit_of_work import commit
from tests.conftest import at_once, build_app, empty_tables, release_database, replace_job_service, run_job
from tests.factories import DESCRIPTION_AR, form_data, png_bytes, report_payload

SCAM_URL = "https://livraison-colis-ma.example/suivi?utm_source=sms&id=1"


def file(app: Flask, tmp_path: Path, **overrides: Any) -> FiledReport:
    formdata, type_errors = json_to_formdata(report_payload(**overrides))
    assert not type_errors
    with app.test_request_context():
        form = ReportForm(formdata=formdata, meta={"csrf": False})
        assert form.validate(), form.errors
        return file_report(
            form.submission(), language="fr", channel="api", store=LocalEvidenceStore(tmp_path / "evidence")
        )


def file_with_evidence(app: Flask, tmp_path: Path) -> FiledReport:
    with app.test_request_context(
        "/api/v1/reports",
        method="POST",
        data={**form_data(), "evidence": (io.BytesIO(png_bytes()), "capture.png")},
        content_type="multipart/form-data",
    ):
        form = ReportForm(meta={"csrf": False})
        assert form.validate(), form.errors
        return file_report(
            form.submission(), language="fr", channel="api", store=LocalEvidenceStore(tmp_path / "evidence")
        )


def subject(kind_name: str, subject_id: int) -> str:
    return job_kind(kind_name).subject(subject_id)


def reload(report_id: int) -> Report:
    db.session.expire_all()
    report = db.session.get(Report, report_id)
    assert report is not None
    return report


def anonymous(**overrides: Any) -> dict[str, Any]:
    return {
        "anonymous": True,
        "reporter_name": None,
        "reporter_email": None,
        "reporter_phone": None,
        **overrides,
    }


def test_a_phone_seen_before_links_the_reports_and_raises_priority(
    app: Flask, tmp_path: Path, backend: str
) -> None:
    phone = [{"kind": "phone", "value": "06 12 34 56 78"}]
    first = file(app, tmp_path, suspects=phone, **anonymous(loss_amount=None))
    second = file(
        app, tmp_path, suspects=[{"kind": "phone", "value": "+212612345678"}], **anonymous(loss_amount=None)
    )
    assert run_job("triage", first.report_id) and run_job("triage", second.report_id)
    assert reload(first.report_id).priority == "normal"
    assert reload(second.report_id).priority == "high"
    groups = db.session.scalars(select(IdentifierGroup).where(IdentifierGroup.kind == "phone")).all()
    assert [(g.normalised, g.report_count) for g in groups] == [("+212612345678", 2)]
    members = db.session.scalars(
        select(GroupMember.report_id).where(GroupMember.group_id == groups[0].id)
    ).all()
    assert sorted(members) == sorted([first.report_id, second.report_id])
    decision = db.session.scalar(select(TriageDecision).where(TriageDecision.report_id == second.report_id))
    assert decision is not None and decision.reasons == ["identifier_seen_before"]
    assert decision.rules_version == RULES_VERSION and decision.priority == "high"


def test_many_reports_of_one_url_are_one_campaign_group(app: Flask, tmp_path: Path, backend: str) -> None:
    app.config["CAMPAIGN_THRESHOLD"] = 3
    filed = [
        file(app, tmp_path, suspects=[{"kind": "url", "value": SCAM_URL}], **anonymous()) for _ in range(5)
    ]
    for report in filed:
        assert run_job("triage", report.report_id)
    group = db.session.scalar(select(IdentifierGroup).where(IdentifierGroup.kind == "url"))
    assert group is not None and group.report_count == 5 and group.campaign_at is not None
    assert db.session.scalar(select(func.count(IdentifierGroup.id)).where(IdentifierGroup.kind == "url")) == 1
    reasons = [
        db.session.scalar(select(TriageDecision.reasons).where(TriageDecision.report_id == r.report_id))
        for r in filed
    ]
    assert ["campaign" in r for r in reasons] == [False, False, True, True, True]


def test_an_old_report_does_not_count_towards_a_campaign(app: Flask, tmp_path: Path) -> None:
    app.config["CAMPAIGN_THRESHOLD"] = 2
    old = file(app, tmp_path, suspects=[{"kind": "url", "value": SCAM_URL}], **anonymous())
    db.session.execute(
        update(Report).where(Report.id == old.report_id).values(created_at=utcnow() - timedelta(days=45))
    )
    db.session.commit()
    run_job("triage", old.report_id)
    new = file(app, tmp_path, suspects=[{"kind": "url", "value": SCAM_URL}], **anonymous())
    run_job("triage", new.report_id)
    group = db.session.scalar(select(IdentifierGroup).where(IdentifierGroup.kind == "url"))
    assert group is not None and group.report_count == 2 and group.campaign_at is None


def test_the_same_contact_resending_a_near_identical_report_is_flagged_not_deleted(
    app: Flask, tmp_path: Path, backend: str
) -> None:
    first = file(app, tmp_path, description=DESCRIPTION_AR)
    again = file(app, tmp_path, description=DESCRIPTION_AR.replace("2500", "2 500") + " شكرا")
    other_story = file(
        app, tmp_path, description="تلقيت رسالة نصية تطلب مني تحديث بياناتي البنكية عبر رابط مزيف."
    )
    stranger = file(app, tmp_path, description=DESCRIPTION_AR, **anonymous())
    for report in (first, again, other_story, stranger):
        run_job("triage", report.report_id)
    assert reload(again.report_id).duplicate_of_id == first.report_id
    assert reload(first.report_id).duplicate_of_id is None
    assert reload(other_story.report_id).duplicate_of_id is None
    assert reload(stranger.report_id).duplicate_of_id is None  # anonymous: no contact to compare
    assert db.session.scalar(select(func.count(Report.id))) == 4


def test_a_second_run_changes_nothing(app: Flask, tmp_path: Path, backend: str) -> None:
    filed = file(app, tmp_path)
    assert run_job("triage", filed.report_id) is True
    assert run_job("triage", filed.report_id) is False
    assert db.session.scalar(select(func.count(TriageDecision.id))) == 1
    assert db.session.scalar(select(func.sum(IdentifierGroup.report_count))) == 2  # phone and url, once each
    steps = db.session.scalars(
        select(StatusChange.to_status).where(StatusChange.report_id == filed.report_id)
    )
    assert list(steps) == ["received", "triaged"]


@pytest.mark.postgres
def test_concurrent_runs_have_one_effect(tmp_path: Path, postgres_url: str) -> None:
    """Four workers get the same job at the same moment: one claims it, the others find nothing."""
    shared = build_app(tmp_path / "pg", postgres_url)
    with shared.app_context():
        upgrade()
        empty_tables()
        filed = file(shared, tmp_path)
    results = at_once(shared, 4, lambda: run_job("triage", filed.report_id))
    assert sorted(results, key=bool) == [False, False, False, True]
    with shared.app_context():
        assert (
            db.session.scalar(
                select(func.count(TriageDecision.id)).where(TriageDecision.report_id == filed.report_id)
            )
            == 1
        )
        assert (
            db.session.scalar(
                select(func.count(GroupMember.id)).where(GroupMember.report_id == filed.report_id)
            )
            == 2
        )
        empty_tables()
        release_database()


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_linking_and_reconciling_read_indexes_not_tables(app: Flask, tmp_path: Path, backend: str) -> None:
    """Every statement triage and the reconciler really issue (captured as they run, then explained
    with their own parameters on PostgreSQL) reads an index, never a whole table."""
    from sqlalchemy import event

    # A day's worth of other reports (as many as IC3 receives), so the planner weighs real choices.
    db.session.execute(
        text(
            "INSERT INTO reports (reference, receipt_hash, category, incident_date, description, language,"
            " channel, anonymous, consented_at, status, priority, priority_rank, created_at, updated_at,"
            " version, reporter_email, reporter_phone)"
            " SELECT 'BLG-' || lpad(to_hex(g), 9, '0'), md5(g::text), 'online_shopping_fraud', DATE '2026-11-01',"
            " 'x', 'fr', 'api', false, now(), 'triaged', 'normal', 2, now() - (g || ' seconds')::interval, now(),"
            " 2, 'victim' || g || '@example.ma', '+2126' || lpad(g::text, 8, '0')"
            " FROM generate_series(1, 2500) g"
        )
    )
    db.session.execute(text("ANALYZE reports"))
    db.session.commit()
    contact = {"reporter_email": "same@example.ma", "reporter_phone": "0661234567"}
    for _ in range(2):
        run_job("triage", file(app, tmp_path, **contact).report_id)
    latest = file(app, tmp_path, **contact)
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if not many:
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        run_job("triage", latest.report_id)
        requeue_waiting_work(timedelta(minutes=10))
        db.session.rollback()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    reads = [
        (sql, params)
        for sql, params in statements
        if sql.lstrip().upper().startswith(("SELECT", "UPDATE", "INSERT", "DELETE"))
    ]
    assert len(reads) > 10, reads  # the capture saw the work
    plans = []
    with db.engine.connect() as connection:
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute("SET enable_seqscan = off")  # tiny tables would be scanned otherwise
        for sql, params in reads:
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan" not in plan, (sql, plan)
            plans.append(plan)
        connection.rollback()
    used = "\n".join(plans)
    # the indexes each part of the work is meant to read (named by hand, from the models)
    for index in (
        "uq_identifier_groups_kind",  # one group per identifier (upsert)
        "ix_identifier_group_members_recent",  # the campaign count over a bounded range
        "ix_reports_reporter_email",  # probable duplicates: the same contact
        "ix_reports_reporter_phone",
        "ix_outbox_subject",  # the reconciler: no live job for this subject
    ):
        assert index in used, index


def test_the_reconciler_requeues_only_reports_whose_job_was_lost(
    app: Flask, tmp_path: Path, backend: str
) -> None:
    lost, pending, dead, done = (file(app, tmp_path) for _ in range(4))
    run_job("triage", done.report_id)
    long_ago = utcnow() - timedelta(hours=2)
    db.session.execute(update(Report).values(created_at=long_ago))
    db.session.execute(update(OutboxJob).values(published_at=long_ago))  # published, then lost
    db.session.execute(
        update(OutboxJob)
        .where(OutboxJob.subject == subject("triage", pending.report_id))
        .values(published_at=None)
    )
    db.session.commit()
    dead_job = db.session.scalar(
        select(OutboxJob.id).where(OutboxJob.subject == subject("triage", dead.report_id))
    )
    assert dead_job is not None
    mark_dead(task_id_for(dead_job), RuntimeError("kept failing"))
    before = db.session.scalar(select(func.count(OutboxJob.id)))
    # a batch of one still finds the lost report: the others are filtered out in SQL, not after
    assert requeue_waiting_work(timedelta(minutes=10), limit=1) == {"triage": 1}
    new_jobs = db.session.scalars(select(OutboxJob.subject).where(OutboxJob.id > (before or 0))).all()
    assert new_jobs == [subject("triage", lost.report_id)]
    commit()
    assert requeue_waiting_work(timedelta(minutes=10)) == {}  # its new job is recent now
    assert [job.id for job in dead_jobs()] == [dead_job]


def test_dead_jobs_are_listed_and_retried_from_the_cli(app: Flask, tmp_path: Path) -> None:
    filed = file(app, tmp_path)
    job_id = db.session.scalar(
        select(OutboxJob.id).where(OutboxJob.subject == subject("triage", filed.report_id))
    )
    assert job_id is not None
    assert mark_dead(task_id_for(job_id), ValueError("bad data")) == job_id
    runner = app.test_cli_runner()
    listing = runner.invoke(args=["jobs", "dead"])
    assert (
        listing.exit_code == 0
        and f"{job_id}\ttriage.triage_report\t{subject('triage', filed.report_id)}" in listing.output
    )
    assert "ValueError: bad data" in listing.output
    assert runner.invoke(args=["jobs", "retry"]).exit_code != 0  # ids or --all, never by accident
    retried = runner.invoke(args=["jobs", "retry", str(job_id)])
    assert retried.exit_code == 0 and "1 job(s) queued again." in retried.output
    assert publisher(app).wait_idle()  # as the command's process does before it exits
    db.session.expire_all()
    job = db.session.get(OutboxJob, job_id)
    assert job is not None and job.dead_at is None and job.published_at is not None
    assert runner.invoke(args=["jobs", "dead"]).output.strip() == "No dead jobs."


def test_a_task_that_keeps_failing_becomes_a_dead_letter(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import workers.jobs

    filed = file(app, tmp_path)
    job_id = db.session.scalar(
        select(OutboxJob.id).where(OutboxJob.subject == subject("triage", filed.report_id))
    )
    assert job_id is not None

    def broken(report_id: int) -> bool:
        raise ValueError("a rule crashed")

    replace_job_service(monkeypatch, "triage", broken)
    result = workers.jobs.TASKS["triage"].apply(args=[filed.report_id], task_id=task_id_for(job_id))
    assert result.failed()
    assert [(job.id, job.last_error) for job in dead_jobs()] == [(job_id, "ValueError: a rule crashed")]
    assert reload(filed.report_id).status == "received"  # not lost: visible, and retryable


def test_the_officer_summary_says_what_triage_found(app: Flask, tmp_path: Path, backend: str) -> None:
    from flask_babel import force_locale

    from intake.triage.evidence_checks import check_evidence
    from intake.triage.summary import triage_summary

    phone = [{"kind": "phone", "value": "0612345678"}, {"kind": "url", "value": SCAM_URL}]
    earlier = [file(app, tmp_path, suspects=phone[:1], **anonymous()) for _ in range(2)]
    for report in earlier:
        run_job("triage", report.report_id)
    filed = file_with_evidence(app, tmp_path)
    run_job("triage", filed.report_id)
    [evidence_id] = db.session.scalars(
        select(EvidenceFile.id).where(EvidenceFile.report_id == filed.report_id)
    )
    check_evidence(evidence_id, LocalEvidenceStore(tmp_path / "evidence"))
    commit()

    with app.test_request_context(), force_locale("fr"):
        summary = triage_summary(filed.report_id)
    assert summary is not None and summary.reference == filed.reference and summary.priority == "high"
    assert [r.rule for r in summary.reasons] == ["recent_money_loss", "identifier_seen_before"]
    assert summary.reasons[1].label.startswith("Un numéro, compte ou lien de l’auteur présumé")
    by_kind = {item.kind: item for item in summary.identifiers}
    assert by_kind["phone"].other_reports == 2 and by_kind["phone"].value == "06 12 34 56 78"
    assert set(by_kind["phone"].other_references) == {r.reference for r in earlier}
    assert by_kind["url"].other_reports == 0 and not summary.in_campaign
    assert [(e.original_name, e.check_status, e.has_preview) for e in summary.evidence] == [
        ("capture.png", "accepted", True)
    ]
    assert summary.evidence[0].sha256 == hashlib.sha256(png_bytes()).hexdigest()


def test_the_reconciler_requeues_evidence_checks_whose_job_was_lost(app: Flask, tmp_path: Path) -> None:
    filed = file_with_evidence(app, tmp_path)
    run_job("triage", filed.report_id)
    long_ago = utcnow() - timedelta(hours=2)
    db.session.execute(update(EvidenceFile).values(created_at=long_ago))
    db.session.execute(update(OutboxJob).values(published_at=long_ago))  # the check's message was lost
    db.session.commit()
    [evidence_id] = db.session.scalars(select(EvidenceFile.id))
    assert requeue_waiting_work(timedelta(minutes=10)) == {"evidence": 1}
    commit()
    subjects = db.session.scalars(select(OutboxJob.subject).order_by(OutboxJob.id.desc()).limit(1)).all()
    assert subjects == [f"evidence:{evidence_id}"]


def test_the_filing_date_is_moroccos_not_utcs(app: Flask, tmp_path: Path) -> None:
    """Filed at 23:30 UTC on 10 November, which is 00:30 on the 11th in Morocco: money lost on the 7th
    was lost four days before filing, not three, so `recent_money_loss` does not fire."""
    from datetime import UTC, date, datetime

    filed = file(app, tmp_path, incident_date="2026-11-07", **anonymous(suspects=[]))
    db.session.execute(
        update(Report)
        .where(Report.id == filed.report_id)
        .values(created_at=datetime(2026, 11, 10, 23, 30, tzinfo=UTC), incident_date=date(2026, 11, 7))
    )
    db.session.commit()
    run_job("triage", filed.report_id)
    reasons = db.session.scalar(
        select(TriageDecision.reasons).where(TriageDecision.report_id == filed.report_id)
    )
    assert reasons is not None and "recent_money_loss" not in reasons
