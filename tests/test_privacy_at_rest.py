"""Victims' data at rest: a report carrying a marker in every personal field and in its evidence goes
through filing, triage, evidence checks, a question, the citizen's answer, notes, a refusal and an
export; the marker is then in no table (the SQLite file and its WAL, or a pg_dump of PostgreSQL), no
evidence file, no export and no log line. Officers still read it all (ASVS 6.1.1, 6.2.1, 8.3.4)."""

from __future__ import annotations

import io
import logging
import stat
import subprocess
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import select

from intake.extensions import db
from intake.reports.models import EvidenceFile, Report
from tests.conftest import SignIn, case_action, csrf_token, run_due_jobs, run_job
from tests.factories import png_bytes, report_payload

PHONE_DIGITS = "661987654"


def marked_report(marker: str) -> dict[str, object]:
    """Every field a person types, with the marker in it (the phone carries distinctive digits)."""
    payload = report_payload(
        description=f"Il m'a menacé, voici les faits {marker} : il connaît mon adresse et mon travail.",
        reporter_name=f"Salma {marker}",
        reporter_email=f"{marker}@example.ma",
        reporter_phone=f"06 {PHONE_DIGITS[1:3]} {PHONE_DIGITS[3:5]} {PHONE_DIGITS[5:7]} {PHONE_DIGITS[7:]}",
        language="fr",
    )
    data: dict[str, object] = {}
    for key, value in payload.items():
        if key == "suspects" or value is False:
            continue
        data[key] = "y" if value is True else value
    for index, (kind, value) in enumerate(
        [
            ("url", f"https://{marker}.example/payer"),
            ("username", f"{marker}_vendeur"),
            ("email", f"{marker}@arnaque.example"),
            ("other", f"Pseudo {marker}"),
        ]
    ):
        data[f"suspects-{index}-kind"] = kind
        data[f"suspects-{index}-value"] = value
    data["evidence"] = [
        (io.BytesIO(f"Conversation avec {marker}\n".encode() * 200), f"preuve-{marker}.txt"),
        (io.BytesIO(png_bytes(8, 8)), f"capture-{marker}.png"),
    ]
    return data


def found_in(data: bytes, marker: str) -> list[str]:
    lowered = data.lower()
    return [needle for needle in (marker.lower(), PHONE_DIGITS) if needle.encode() in lowered]


def test_a_marker_in_every_personal_field_is_nowhere_at_rest(
    app: Flask,
    backend: str,
    tmp_path: Path,
    signed_in: SignIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    marker = f"zqx{uuid.uuid4().hex[:10]}"
    citizen = app.test_client()
    created = citizen.post("/api/v1/reports", data=marked_report(marker), content_type="multipart/form-data")
    assert created.status_code == 201, created.json
    reference, receipt = created.json["reference"], created.json["receipt"]
    report_id = db.session.scalar(select(Report.id).where(Report.reference == reference))
    assert report_id is not None and run_job("triage", report_id)
    run_due_jobs("evidence")

    desk, boss = signed_in(), signed_in("supervisor")
    assert case_action(desk, reference, "claim").status_code == 303
    assert case_action(desk, reference, "status", status="in_progress").status_code == 303
    assert case_action(desk, reference, "note", body=f"Appelé la banque pour {marker}").status_code == 303
    question = f"Avez-vous un autre message de {marker} ?"
    assert case_action(desk, reference, "status", status="needs_info", message=question).status_code == 303
    answered = citizen.post(
        "/fr/track/answer",
        data={
            "csrf_token": csrf_token(citizen, "/fr/track"),
            "reference": reference,
            "receipt": receipt,
            "answer": f"Oui, il signe {marker} partout.",
            "evidence": [(io.BytesIO(f"Encore {marker}".encode()), f"suite-{marker}.txt")],
        },
        content_type="multipart/form-data",
    )
    assert answered.status_code == 200
    run_due_jobs("evidence")
    assert case_action(desk, reference, "message", body=f"Merci, nous cherchons {marker}.").status_code == 303
    refused = case_action(boss, reference, "status", status="rejected", reason=f"Hors compétence : {marker}")
    assert refused.status_code == 303
    export = tmp_path / "export.xlsx"
    result = app.test_cli_runner().invoke(
        args=[
            "export",
            "monthly",
            "--year",
            str(db.session.scalar(select(Report.created_at)).year),
            "--format",
            "xlsx",
            "--output",
            str(export),
        ]
    )
    assert result.exit_code == 0, result.output

    # Officers read everything, in clear: the marker is there to be found, if it were stored so.
    page = boss.get(f"/officer/reports/{reference}").get_data(as_text=True)
    for shown in (
        f"Salma {marker}",
        f"{marker}@example.ma",
        f"{marker}_vendeur",
        question,
        f"Appelé la banque pour {marker}",
    ):
        assert shown in page, shown
    evidence_id = db.session.scalar(select(EvidenceFile.id).where(EvidenceFile.media_type == "text/plain"))
    download = boss.get(f"/officer/evidence/{evidence_id}")
    assert marker.encode() in download.data and download.headers["Content-Length"] == str(len(download.data))
    download.close()

    db.session.commit()
    leaks: dict[str, list[str]] = {}
    if backend == "postgresql":
        url = sa.make_url(db.engine.url.render_as_string(hide_password=False))
        dump = subprocess.run(
            [
                "pg_dump",
                "--no-owner",
                "-h",
                url.host or "127.0.0.1",
                "-p",
                str(url.port or 5432),
                "-U",
                url.username or "postgres",
                url.database or "",
            ],
            capture_output=True,
            check=True,
            timeout=120,
        ).stdout
        assert b"CREATE TABLE public.reports" in dump and reference.encode() in dump  # the dump is whole
        leaks["pg_dump"] = found_in(dump, marker)
    else:
        db.session.remove()
        database = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
        for path in (database, database.with_name(database.name + "-wal")):
            if path.exists():
                leaks[path.name] = found_in(path.read_bytes(), marker)
        assert database.stat().st_size > 0
    for path in Path(app.config["EVIDENCE_DIR"]).rglob("*"):
        if path.is_file():
            leaks[f"evidence/{path.name}"] = found_in(path.read_bytes(), marker)
    leaks["export"] = found_in(export.read_bytes(), marker)
    leaks["logs"] = [marker] if marker in caplog.text.lower() or PHONE_DIGITS in caplog.text else []
    assert (
        len([p for p in Path(app.config["EVIDENCE_DIR"]).rglob("*") if p.is_file()]) >= 4
    )  # 3 files, a preview
    assert not {where: what for where, what in leaks.items() if what}, leaks


def test_evidence_is_kept_in_private_folders(app: Flask) -> None:
    data = {**marked_report("zqxprivate"), "evidence": [(io.BytesIO(b"Conversation\n" * 10), "a.txt")]}
    assert (
        app.test_client().post("/api/v1/reports", data=data, content_type="multipart/form-data").status_code
        == 201
    )
    root = Path(app.config["EVIDENCE_DIR"])
    folders = [root, *(p for p in root.rglob("*") if p.is_dir())]
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o700 for p in folders)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    assert stat.S_IMODE(Path(app.config["VAR_DIR"]).stat().st_mode) == 0o700


def test_a_breached_rate_limit_logs_no_address(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Flask-Limiter's own line names the limit's key, the client's address: it is kept quiet."""
    from flask_migrate import upgrade

    from tests.conftest import build_app

    caplog.set_level(logging.DEBUG)
    limited = build_app(tmp_path / "var", RATELIMIT_ENABLED=True, TRACKING_RATE_LIMIT="2 per minute")
    with limited.app_context():
        upgrade()
        client = limited.test_client()
        answers = [
            client.get("/api/v1/reports/BLG-2222-2222/status", headers={"X-Receipt": "nope"}).status_code
            for _ in range(3)
        ]
        db.session.remove()
        db.engine.dispose()
    assert answers == [404, 404, 429]
    assert "127.0.0.1" not in caplog.text and "BLG-2222-2222" not in caplog.text
