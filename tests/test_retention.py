"""Retention and erasure (law 09-08, art. 3: no longer than needed): expired personal data are erased
while the counts stay equal; a legal hold stops it; a citizen asks, an officer erases or refuses and
the citizen reads why; every erasure is audited."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from intake.extensions import db
from intake.officer.models import AuditEvent, CaseNote
from intake.privacy.models import DiscardedFile
from intake.reports.models import EvidenceFile, Report, ReportMessage, SuspectIdentifier
from intake.staff.models import Staff
from intake.triage.models import GroupMember, IdentifierGroup
from intake.types import utcnow
from tests.conftest import SignIn, case_action, csrf_token, run_due_jobs, run_job
from tests.factories import png_bytes, report_payload


def file_and_close(app: Flask, desk: FlaskClient, boss: FlaskClient, to: str) -> dict[str, str]:
    """A report with a file, a note and a message, triaged, worked and closed as `to`."""
    data = {
        k: ("y" if v is True else v)
        for k, v in report_payload(language="fr").items()
        if k != "suspects" and v is not False
    }
    data.update({"suspects-0-kind": "phone", "suspects-0-value": "0612345678"})
    data["evidence"] = [(io.BytesIO(png_bytes(6, 6)), "capture.png")]
    created = app.test_client().post("/api/v1/reports", data=data, content_type="multipart/form-data").json
    assert created is not None and "reference" in created, created
    reference = created["reference"]
    report_id = db.session.scalar(select(Report.id).where(Report.reference == reference))
    assert report_id is not None and run_job("triage", report_id)
    run_due_jobs("evidence")
    case_action(desk, reference, "claim")
    case_action(desk, reference, "status", status="in_progress")
    case_action(desk, reference, "note", body="Appelé la banque.")
    case_action(desk, reference, "message", body="Nous avons bien reçu votre capture.")
    reasons = {"rejected": "Hors compétence.", "referred": "Transmis au parquet.", "resolved": ""}
    assert case_action(desk, reference, "status", status=to, reason=reasons[to]).status_code == 303
    return created


def age(reference: str, days: int) -> None:
    db.session.execute(
        update(Report)
        .where(Report.reference == reference)
        .values(last_event_at=utcnow() - timedelta(days=days))
    )
    db.session.commit()


def monthly_json(app: Flask) -> list[dict[str, object]]:
    year = utcnow().year
    result = app.test_cli_runner().invoke(args=["export", "monthly", "--year", str(year), "--format", "json"])
    assert result.exit_code == 0, result.output
    return sorted(json.loads(result.output)["rows"], key=lambda r: json.dumps(r, sort_keys=True))


def report(reference: str) -> Report:
    db.session.expire_all()
    found = db.session.scalar(select(Report).where(Report.reference == reference))
    assert found is not None
    return found


def test_expired_personal_data_are_erased_and_the_counts_stay_equal(
    app: Flask, backend: str, signed_in: SignIn
) -> None:
    desk, boss = signed_in(), signed_in("supervisor")
    resolved = file_and_close(app, desk, boss, "resolved")
    rejected = file_and_close(app, desk, boss, "rejected")
    referred = file_and_close(app, desk, boss, "referred")
    recent = file_and_close(app, desk, boss, "resolved")
    still_open = app.test_client().post("/api/v1/reports", json=report_payload()).json
    age(resolved["reference"], 366)  # past 365
    age(rejected["reference"], 91)  # past 90
    age(referred["reference"], 1000)  # within 1825: kept
    age(recent["reference"], 10)
    age(still_open["reference"], 5000)  # open: never erased by retention
    counts_before = monthly_json(app)
    evidence_dir = Path(app.config["EVIDENCE_DIR"])
    files_before = {p.name for p in evidence_dir.rglob("*") if p.is_file()}
    erased_files = {
        name
        for item in report(resolved["reference"]).evidence + report(rejected["reference"]).evidence
        for name in (item.stored_name, item.preview_name)
        if name
    }
    assert len(erased_files) == 4  # two originals, two previews

    listing = app.test_cli_runner().invoke(args=["retention", "apply", "--dry-run"])
    assert listing.exit_code == 0 and "2 report(s) would be erased." in listing.output
    assert resolved["reference"] in listing.output and rejected["reference"] in listing.output
    assert report(resolved["reference"]).erased_at is None  # a dry run erases nothing

    applied = app.test_cli_runner().invoke(args=["retention", "apply"])
    assert applied.exit_code == 0 and "2 report(s) erased." in applied.output
    for gone in (resolved, rejected):
        erased = report(gone["reference"])
        assert erased.erased_at is not None and erased.erasure_cause == "retention"
        assert (erased.reporter_name, erased.reporter_email, erased.reporter_phone, erased.description) == (
            None,
        ) * 4
        assert erased.reporter_email_index is None and erased.reporter_phone_index is None
        assert erased.status in {"resolved", "rejected"} and erased.category == "online_shopping_fraud"
        for model in (SuspectIdentifier, EvidenceFile, ReportMessage, CaseNote):
            assert (
                db.session.scalar(select(func.count()).select_from(model).where(model.report_id == erased.id))
                == 0
            )
        assert all(step.public_note is None for step in erased.history)
    # The files go for real once the erasure is committed, by the jobs it queued.
    assert {p.name for p in evidence_dir.rglob("*") if p.is_file()} == files_before
    assert db.session.scalar(select(func.count()).select_from(DiscardedFile)) == 4
    assert len(run_due_jobs("file_deletion")) == 4
    assert {p.name for p in evidence_dir.rglob("*") if p.is_file()} == files_before - erased_files
    assert db.session.scalar(select(func.count()).select_from(DiscardedFile)) == 0
    # The erased reports left their identifier's group; the others still count in it.
    group = db.session.scalars(select(IdentifierGroup)).one()
    members = set(db.session.scalars(select(GroupMember.report_id)))
    assert group.report_count == len(members) == 2
    assert members == {report(kept["reference"]).id for kept in (referred, recent)}
    for kept in (referred, recent, still_open):
        assert report(kept["reference"]).description and report(kept["reference"]).erased_at is None
    assert monthly_json(app) == counts_before  # the statistics never change
    causes = db.session.scalars(select(AuditEvent.details).where(AuditEvent.action == "erasure")).all()
    assert causes == [{"cause": "retention"}, {"cause": "retention"}]
    assert (
        app.test_cli_runner()
        .invoke(args=["retention", "apply"])
        .output.strip()
        .endswith("0 report(s) erased.")
    )


def test_the_nightly_task_erases_what_expired(app: Flask, signed_in: SignIn) -> None:
    import workers.privacy

    desk, boss = signed_in(), signed_in("supervisor")
    created = file_and_close(app, desk, boss, "rejected")
    age(created["reference"], 200)
    assert workers.privacy.apply_retention_task.apply().successful()
    assert report(created["reference"]).erased_at is not None
    schedule = app.extensions["celery"].conf.beat_schedule["apply-retention"]
    assert schedule["task"] == "privacy.apply_retention"


def track(client: FlaskClient, created: dict[str, str], lang: str = "fr") -> str:
    page = client.post(
        f"/{lang}/track",
        data={
            "csrf_token": csrf_token(client, f"/{lang}/track"),
            "reference": created["reference"],
            "receipt": created["receipt"],
        },
    )
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_an_erased_report_says_so_to_the_citizen_and_the_officer(app: Flask, signed_in: SignIn) -> None:
    desk, boss = signed_in(), signed_in("supervisor")
    created = file_and_close(app, desk, boss, "resolved")
    age(created["reference"], 400)
    app.test_cli_runner().invoke(args=["retention", "apply"])
    citizen = app.test_client()
    page = track(citizen, created)
    assert "ont été effacés le" in page and "leur durée de conservation était écoulée" in page
    assert "Nous avons bien reçu votre capture." not in page  # the messages are gone
    assert 'id="ask-erasure"' not in page
    status = citizen.get(
        f"/api/v1/reports/{created['reference']}/status", headers={"X-Receipt": created["receipt"]}
    ).json
    assert status["erased_at"] and status["status"] == "resolved" and status["messages"] == []
    case = boss.get(f"/officer/reports/{created['reference']}").get_data(as_text=True)
    assert 'id="case-erased"' in case and "leur durée de conservation était écoulée" in case


def test_a_legal_hold_stops_retention_until_it_is_lifted(app: Flask, signed_in: SignIn) -> None:
    desk, boss = signed_in(), signed_in("supervisor")
    created = file_and_close(app, desk, boss, "resolved")
    reference = created["reference"]
    refused = case_action(desk, reference, "hold", reason="Enquête en cours.")
    assert refused.status_code == 422 and "Seul un superviseur" in refused.get_data(as_text=True)
    assert case_action(boss, reference, "hold", reason="  ").status_code == 422  # a reason is needed
    assert (
        case_action(boss, reference, "hold", reason="Réquisition du parquet n° 12/2026.").status_code == 303
    )
    page = boss.get(f"/officer/reports/{reference}").get_data(as_text=True)
    assert 'id="legal-hold"' in page and "Réquisition du parquet n° 12/2026." in page
    age(reference, 400)
    assert "0 report(s) erased." in app.test_cli_runner().invoke(args=["retention", "apply"]).output
    assert report(reference).erased_at is None
    assert case_action(boss, reference, "release").status_code == 303
    age(reference, 400)
    assert "1 report(s) erased." in app.test_cli_runner().invoke(args=["retention", "apply"]).output
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.report_id == report(reference).id)
    ).all()
    assert {"legal_hold", "legal_hold_lifted", "erasure"} <= set(actions)


def ask_erasure(client: FlaskClient, created: dict[str, str], lang: str = "fr", receipt: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        f"/{lang}/track/erasure",
        data={
            "csrf_token": csrf_token(client, f"/{lang}/track"),
            "reference": created["reference"],
            "receipt": receipt or created["receipt"],
        },
    )


def test_a_citizen_asks_and_an_officer_erases(app: Flask, signed_in: SignIn) -> None:
    desk, boss = signed_in(), signed_in("supervisor")
    created = file_and_close(app, desk, boss, "resolved")
    citizen = app.test_client()
    assert ask_erasure(citizen, created, receipt="AAAA-AAAA-AAAA-AAAA-AAAA-AAAA").status_code == 404
    asked = ask_erasure(citizen, created)
    assert asked.status_code == 200 and 'id="erasure-pending"' in asked.get_data(as_text=True)
    assert 'id="erasure-pending"' in track(citizen, created)
    queue = desk.get("/officer/").get_data(as_text=True)
    assert 'id="erasure-requests"' in queue and ": 1" in queue.split('id="erasure-requests"')[1][:400]
    assert created["reference"] in desk.get("/officer/?erasure=requested&assigned=all").get_data(as_text=True)
    assert case_action(desk, created["reference"], "erase").status_code == 422  # not confirmed
    names = {
        name
        for item in report(created["reference"]).evidence
        for name in (item.stored_name, item.preview_name)
    }
    assert case_action(desk, created["reference"], "erase", confirm="y").status_code == 303
    erased = report(created["reference"])
    assert erased.erasure_cause == "citizen_request" and erased.description is None
    assert len(run_due_jobs("file_deletion")) == len(names) == 2
    root = Path(app.config["EVIDENCE_DIR"])
    assert not any((root / name[:2] / name).exists() for name in names if name)  # deleted for real
    officer_id = db.session.scalar(select(Staff.id).where(Staff.email == "officer@police.example.ma"))
    audited = db.session.execute(
        select(AuditEvent.staff_id, AuditEvent.details).where(AuditEvent.action == "erasure")
    ).one()
    assert tuple(audited) == (officer_id, {"cause": "citizen_request"})  # who erased, and why
    assert "comme vous l’avez demandé" in track(citizen, created)


def test_an_officer_refuses_and_the_citizen_reads_why_in_their_language(
    app: Flask, signed_in: SignIn
) -> None:
    desk, boss = signed_in(), signed_in("supervisor")
    created = file_and_close(app, desk, boss, "referred")
    citizen = app.test_client()
    assert ask_erasure(citizen, created, lang="ar").status_code == 200
    case_action(boss, created["reference"], "hold", reason="Enquête judiciaire ouverte.")
    held = case_action(desk, created["reference"], "erase", confirm="y")
    assert held.status_code == 422 and "conservation pour enquête" in held.get_data(as_text=True)
    refused = case_action(
        desk,
        created["reference"],
        "refuse-erasure",
        refusal="investigation",
        body="Le dossier est chez le juge.",
    )
    assert refused.status_code == 303
    page = track(citizen, created, lang="ar")
    assert "رُفض طلبك محو معطياتك الشخصية." in page
    assert "هناك تحقيق جارٍ: يُلزمنا القانون بالاحتفاظ ببلاغك إلى أن ينتهي." in page
    assert "Le dossier est chez le juge." in page and 'id="ask-erasure"' in page  # may ask again later
    assert report(created["reference"]).description  # nothing erased


@pytest.mark.parametrize("setting", ["RETAIN_RESOLVED_DAYS", "RETAIN_REJECTED_DAYS", "RETAIN_REFERRED_DAYS"])
def test_a_retention_that_is_not_a_number_of_days_stops_the_start(tmp_path: Path, setting: str) -> None:
    from intake.config import ConfigurationError, load_config

    with pytest.raises(ConfigurationError, match=setting):
        load_config({"VAR_DIR": str(tmp_path), setting: "0"})


def test_a_file_whose_deletion_job_was_lost_is_deleted_all_the_same(app: Flask, signed_in: SignIn) -> None:
    """The files are queued for deletion in the erasure's own transaction: a job lost on the way is
    found again by the reconciler, so no file outlives its erasure."""
    from intake.outbox.models import OutboxJob
    from intake.outbox.services import requeue_waiting_work
    from intake.unit_of_work import commit

    desk, boss = signed_in(), signed_in("supervisor")
    created = file_and_close(app, desk, boss, "rejected")
    age(created["reference"], 200)
    names = {
        name
        for item in report(created["reference"]).evidence
        for name in (item.stored_name, item.preview_name)
    }
    app.test_cli_runner().invoke(args=["retention", "apply"])
    long_ago = utcnow() - timedelta(hours=2)
    db.session.execute(update(DiscardedFile).values(discarded_at=long_ago))
    db.session.execute(
        update(OutboxJob).where(OutboxJob.task == "privacy.delete_file").values(published_at=long_ago)
    )  # published, then lost
    commit()
    assert requeue_waiting_work(timedelta(minutes=10)) == {"file_deletion": 2}
    commit()
    assert len(run_due_jobs("file_deletion")) >= 2
    root = Path(app.config["EVIDENCE_DIR"])
    assert names and not any((root / name[:2] / name).exists() for name in names if name)
    assert db.session.scalar(select(func.count()).select_from(DiscardedFile)) == 0


def test_an_erased_case_is_frozen(app: Flask, signed_in: SignIn) -> None:
    """After the erasure nothing is added to the case: no status change, note, message or answer
    (law 09-08, art. 3: erased means erased)."""
    desk, boss = signed_in(), signed_in("supervisor")
    created = file_and_close(app, desk, boss, "resolved")
    reference = created["reference"]
    assert ask_erasure(app.test_client(), created).status_code == 200
    assert case_action(desk, reference, "erase", confirm="y").status_code == 303
    for action, fields in (
        ("status", {"status": "in_progress"}),
        ("note", {"body": "Rappelé la victime."}),
        ("message", {"body": "Pouvez-vous nous renvoyer la capture ?"}),
        ("hold", {"reason": "Réquisition."}),
    ):
        refused = case_action(boss, reference, action, **fields)
        assert refused.status_code == 422, (action, refused.status_code)
        if action != "hold":
            assert "plus rien ne peut y être ajouté" in refused.get_data(as_text=True), action
    erased = report(reference)
    assert erased.status == "resolved" and erased.messages == [] and erased.description is None
    assert db.session.scalar(select(func.count()).select_from(CaseNote)) == 0
    # the citizen's waiting request was answered by the erasure itself
    from intake.privacy.models import ErasureRequest

    assert db.session.scalars(select(ErasureRequest.decision)).all() == ["erased"]


def test_an_open_case_is_closed_before_it_is_erased(app: Flask, signed_in: SignIn) -> None:
    """An erased case can no longer change: erased while open, it would stay open for ever. The
    officer closes it first, through the workflow, then erases."""
    desk = signed_in()
    created = app.test_client().post("/api/v1/reports", json=report_payload(language="fr")).json
    reference = created["reference"]
    assert run_job("triage", report(reference).id)
    case_action(desk, reference, "claim")
    assert case_action(desk, reference, "status", status="in_progress").status_code == 303
    assert ask_erasure(app.test_client(), created).status_code == 200
    still_open = case_action(desk, reference, "erase", confirm="y")
    assert still_open.status_code == 422 and "fermez-le d’abord" in still_open.get_data(as_text=True)
    assert report(reference).erased_at is None
    assert case_action(desk, reference, "status", status="resolved").status_code == 303
    assert case_action(desk, reference, "erase", confirm="y").status_code == 303
    assert report(reference).erased_at is not None and report(reference).status == "resolved"


def test_a_change_decided_on_a_stale_copy_does_not_land_on_an_erased_case(
    app: Flask, backend: str, signed_in: SignIn
) -> None:
    """The status owner's UPDATE itself requires the case not erased: an officer who loaded the case
    just before another process erased it gets a conflict, not a reopened empty case."""
    from intake.privacy.erasure import ErasureCause, erase
    from intake.reports.status import Actor, StatusConflict, move
    from intake.unit_of_work import commit

    desk, boss = signed_in(), signed_in("supervisor")
    reference = file_and_close(app, desk, boss, "resolved")["reference"]
    stale = report(reference)
    assert stale.erased_at is None
    with app.app_context():  # another process erases it meanwhile
        erase(db.session.get(Report, stale.id), ErasureCause.RETENTION)
        commit()
        db.session.remove()
    supervisor = db.session.scalar(select(Staff).where(Staff.role == "supervisor"))
    assert supervisor is not None
    with pytest.raises(StatusConflict):
        move(
            stale, "in_progress", Actor.staff(supervisor.id, supervisor.role), expected_version=stale.version
        )
    db.session.rollback()
    assert report(reference).status == "resolved" and report(reference).erased_at is not None
