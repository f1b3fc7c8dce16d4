"""Victims' data at rest: a report carrying a marker in every personal field and in its evidence goes
through filing, triage, evidence checks, a question, the citizen's answer, notes, a refusal, a legal
hold, a refused request to erase and the exports (CSV, JSON, and XLSX read inside its zip); the marker
is then in no table (the SQLite file and its WAL, or a pg_dump of PostgreSQL), no evidence file, no
export and no log line. Officers still read it all (ASVS 6.1.1, 6.2.1, 8.3.4)."""

from __future__ import annotations

import io
import logging
import stat
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import select

from intake.extensions import db, limiter
from intake.reports.models import EvidenceFile, Report
from tests.conftest import SignIn, case_action, csrf_token, release_database, run_due_jobs, run_job
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
    # a legal hold's reason and the officer's word to a refused request to erase are sealed too
    asked = citizen.post(
        "/fr/track/erasure",
        data={"csrf_token": csrf_token(citizen, "/fr/track"), "reference": reference, "receipt": receipt},
    )
    assert asked.status_code == 200
    assert case_action(boss, reference, "hold", reason=f"Réquisition visant {marker}").status_code == 303
    note = f"Le parquet enquête sur {marker}."
    assert (
        case_action(desk, reference, "refuse-erasure", refusal="investigation", body=note).status_code == 303
    )
    exports: dict[str, bytes] = {}
    for export_format in ("xlsx", "csv", "json"):
        export = tmp_path / f"export.{export_format}"
        result = app.test_cli_runner().invoke(
            args=[
                "export",
                "monthly",
                "--year",
                str(db.session.scalar(select(Report.created_at)).year),
                "--format",
                export_format,
                "--output",
                str(export),
            ]
        )
        assert result.exit_code == 0, result.output
        exports[export_format] = export.read_bytes()
    with zipfile.ZipFile(io.BytesIO(exports.pop("xlsx"))) as workbook:  # read inside the zip, not its bytes
        exports.update({f"xlsx/{name}": workbook.read(name) for name in workbook.namelist()})
    assert any(b"sheetData" in data for data in exports.values())

    # Officers read everything, in clear: the marker is there to be found, if it were stored so.
    page = boss.get(f"/officer/reports/{reference}").get_data(as_text=True)
    for shown in (
        f"Salma {marker}",
        f"{marker}@example.ma",
        f"{marker}_vendeur",
        question,
        f"Appelé la banque pour {marker}",
        f"Réquisition visant {marker}",
    ):
        assert shown in page, shown
    tracking = citizen.post(
        "/fr/track",
        data={"csrf_token": csrf_token(citizen, "/fr/track"), "reference": reference, "receipt": receipt},
    )
    assert note in tracking.get_data(as_text=True)  # the citizen reads the officer's word
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
            stored = path.read_bytes()
            assert stored.startswith(b"BLGE"), path.name  # every file and preview is encrypted
            leaks[f"evidence/{path.name}"] = found_in(stored, marker)
    for name, data in exports.items():
        leaks[f"export {name}"] = found_in(data, marker)
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
    """Flask-Limiter's own line names the limit's key: it is kept quiet, and the key itself is a keyed
    hash, so the limiter's store (memory here, Redis in production) holds no address either."""
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
        stored = " ".join(str(key) for key in limiter.storage.storage)  # the memory storage's counters
        db.session.remove()
        release_database()
    assert answers == [404, 404, 429]
    assert stored and "127.0.0.1" not in stored
    assert "127.0.0.1" not in caplog.text and "BLG-2222-2222" not in caplog.text


def test_a_sealed_value_copied_into_another_row_does_not_open(app: Flask, backend: str) -> None:
    """Each value is bound to its own row (ASVS 6.2.2): someone with write access to the database
    cannot make one report's description or one message's text show up in another."""
    from intake.privacy.sealing import UnsealError
    from intake.reports.models import ReportMessage

    first, second = (
        app.test_client().post("/api/v1/reports", json=report_payload(description=text)).json["reference"]
        for text in ("La première victime raconte son histoire.", "La seconde victime raconte la sienne.")
    )
    reports = {r.reference: r for r in db.session.scalars(select(Report))}
    for report in reports.values():
        db.session.add(ReportMessage(report_id=report.id, author="officer", body=f"Pour {report.reference}"))
    db.session.commit()
    messages = list(db.session.scalars(select(ReportMessage).order_by(ReportMessage.id)))
    db.session.execute(
        sa.update(Report)
        .where(Report.reference == second)
        .values(description_sealed=reports[first].description_sealed)
    )
    db.session.execute(
        sa.update(ReportMessage)
        .where(ReportMessage.id == messages[1].id)
        .values(body_sealed=messages[0].body_sealed)
    )
    db.session.commit()
    db.session.expire_all()
    moved = db.session.scalar(select(Report).where(Report.reference == second))
    with pytest.raises(UnsealError):
        _ = moved.description
    with pytest.raises(UnsealError):
        _ = db.session.get(ReportMessage, messages[1].id).body
    assert db.session.get(ReportMessage, messages[0].id).body == f"Pour {first}"  # the original opens
