"""Evidence on an S3-compatible store (STORAGE_URL), against a real SeaweedFS server started by the
suite (tests/object_store.py): encrypted before it leaves the process, so the store only ever holds
ciphertext (ASVS 6.1.1, 8.1.6); streamed both ways; deleted for real."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from intake.config import ConfigurationError, load_config
from intake.extensions import db
from intake.privacy.sealing import keyring
from intake.reports.models import EvidenceFile, Report, ReportMessage
from intake.storage.location import S3Location, StorageURLError, parse_storage_url
from intake.storage.s3 import PART_BYTES, S3EvidenceStore
from intake.storage.sweep import sweep_orphans
from intake.types import utcnow
from tests.conftest import AskQuestion, build_app, csrf_token, current_status, run_due_jobs
from tests.factories import form_data, png_bytes
from tests.object_store import S3Server
from tests.processes import free_port

pytestmark = pytest.mark.s3


def test_storage_url_is_read_or_refused_with_a_reason(tmp_path: Path) -> None:
    assert parse_storage_url("s3://evidence?endpoint=https://s3.example.ma&region=ma-1") == S3Location(
        "evidence", "", "https://s3.example.ma", "ma-1"
    )
    assert parse_storage_url("s3://evidence/blagh/prod/").key("evidence/ab/x") == "blagh/prod/evidence/ab/x"
    for bad, reason in [
        ("https://s3.example.ma/evidence", "must look like"),
        ("s3://key:secret@evidence", "AWS_ACCESS_KEY_ID"),
        ("s3://evidence?endpoint=ftp://host", "http:// or https://"),
        ("s3://evidence?bucket=x", "unknown parameter bucket"),
        ("s3://evidence:9000?endpoint=https://s3.example.ma", "not a bucket name"),
    ]:
        with pytest.raises(StorageURLError, match=reason):
            parse_storage_url(bad)
    with pytest.raises(ConfigurationError, match="STORAGE_URL must look like"):
        load_config({"VAR_DIR": str(tmp_path / "var"), "STORAGE_URL": "s3:/"})


@pytest.fixture
def s3_app(
    tmp_path: Path, s3_server: S3Server, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    """The app (embedded database) with its evidence in the test's bucket; credentials from the
    environment, as boto3 reads them in production."""
    for name, value in s3_server.credentials.items():
        monkeypatch.setenv(name, value)
    application = build_app(tmp_path / "var", STORAGE_URL=s3_server.storage_url(s3_bucket))
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
        yield application
        db.session.remove()


def test_the_store_holds_ciphertext_and_streams_it_back(
    s3_app: Flask,
    s3_server: S3Server,
    s3_bucket: str,
) -> None:
    store = S3EvidenceStore(s3_server.client(), parse_storage_url(s3_server.storage_url(s3_bucket)))
    marker = b"CLEAR-TEXT-MARKER "
    content = marker * ((PART_BYTES + 300_000) // len(marker))  # above the multipart threshold
    saved = store.save(io.BytesIO(content), "owner-1")
    assert saved.size == len(content) and saved.sha256 == hashlib.sha256(content).hexdigest()
    key = f"evidence/{utcnow():%Y%m%d}/{saved.stored_name}"  # the day of upload leads
    assert store.key_of(saved.stored_name) == key and saved.stored_name.startswith(f"{utcnow():%Y%m%d}")
    assert store.key_of("ab" * 16) == "evidence/ab/" + "ab" * 16  # names from before keep their place
    assert s3_server.keys(s3_bucket) == [key]
    raw = s3_server.client().get_object(Bucket=s3_bucket, Key=key)["Body"].read()
    assert raw.startswith(b"BLGE") and marker not in raw and len(raw) > len(content)

    with store.open(saved.stored_name, "owner-1") as clear:
        assert clear.read() == content
    assert store.key_id(saved.stored_name) == keyring().current_id
    with pytest.raises(Exception, match="altered, cut or moved"):  # bound to its evidence row
        store.open(saved.stored_name, "owner-2").read()

    store.reencrypt(saved.stored_name, "owner-1")
    again = s3_server.client().get_object(Bucket=s3_bucket, Key=key)["Body"].read()
    assert again != raw and again.startswith(b"BLGE")
    with store.open(saved.stored_name, "owner-1") as clear:
        assert hashlib.sha256(clear.read()).hexdigest() == saved.sha256

    store.delete(saved.stored_name)
    assert s3_server.keys(s3_bucket) == []
    with pytest.raises(FileNotFoundError):
        store.open(saved.stored_name, "owner-1")
    with pytest.raises(FileNotFoundError):  # `flask keys status` counts it as missing, and goes on
        store.key_id(saved.stored_name)


def test_a_filing_keeps_its_evidence_in_the_bucket_only(
    s3_app: Flask,
    s3_server: S3Server,
    s3_bucket: str,
) -> None:
    """Filed through the form, checked by the worker's service (its preview written there too),
    downloaded by an officer's page: nothing of it on the web process's disk."""
    client = s3_app.test_client()
    png = png_bytes(40, 30)
    data = {"csrf_token": csrf_token(client, "/fr/report"), **form_data()}
    data["evidence"] = [(io.BytesIO(png), "capture.png", "image/png")]
    assert client.post("/fr/report", data=data, content_type="multipart/form-data").status_code == 303

    item = db.session.scalars(select(EvidenceFile)).one()
    store = S3EvidenceStore(s3_server.client(), s3_app.config["STORAGE"])
    assert s3_server.keys(s3_bucket) == [store.key_of(item.stored_name)]
    assert not Path(s3_app.config["EVIDENCE_DIR"]).exists() or not any(
        Path(s3_app.config["EVIDENCE_DIR"]).rglob("*")
    )

    run_due_jobs("triage", "evidence")
    db.session.refresh(item)
    assert item.check_status == "accepted" and item.preview_name
    assert store.key_of(item.preview_name) in s3_server.keys(s3_bucket)
    with store.open(item.stored_name, item.seal_id) as back:
        assert back.read() == png
    assert db.session.scalar(select(Report.id)) is not None


def test_a_store_that_is_down_refuses_filings_with_files_and_keeps_what_was_typed(
    tmp_path: Path, s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing listens at the store's address: a filing with a file gets a 503 in the asker's
    language (form and API), the form keeps the text, and nothing is stored; without files, the
    report is accepted as usual."""
    for name, value in s3_server.credentials.items():
        monkeypatch.setenv(name, value)
    down = f"s3://evidence?endpoint=http://127.0.0.1:{free_port()}&region=us-east-1"
    application = build_app(tmp_path / "var", STORAGE_URL=down)
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
        client = application.test_client()
        typed = (
            "Un faux vendeur sur Marketplace a pris mon argent : 2500 dirhams par virement, puis plus rien."
        )
        data = {"csrf_token": csrf_token(client, "/fr/report"), **form_data(description=typed)}
        data["evidence"] = [(io.BytesIO(png_bytes()), "capture.png", "image/png")]
        refused = client.post("/fr/report", data=data, content_type="multipart/form-data")
        page = refused.get_data(as_text=True)
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "120"
        assert "vos fichiers n’ont pas pu être enregistrés" in page.lower() and typed in page
        api = client.post(
            "/api/v1/reports",
            data={**form_data(), "evidence": [(io.BytesIO(png_bytes()), "capture.png", "image/png")]},
            content_type="multipart/form-data",
            headers={"Accept-Language": "fr"},
        )
        assert api.status_code == 503 and "rien n’a été déposé" in api.get_json()["errors"]["evidence"][0]
        assert db.session.scalar(select(Report.id)) is None
        without_files = {"csrf_token": csrf_token(client, "/fr/report"), **form_data()}
        assert client.post("/fr/report", data=without_files).status_code == 303
        db.session.remove()


def test_a_store_that_is_down_refuses_an_answer_with_files_and_keeps_the_text(
    app: Flask, question_asked: AskQuestion, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The citizen's answer to an officer's question, with a file, while the store is down: 503 in
    the page's language, the text kept on the page, the report still waiting, nothing stored."""
    created, _ = question_asked()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "blaghtestaccess")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "blaghtestsecret")
    monkeypatch.setitem(
        app.config, "STORAGE", parse_storage_url(f"s3://evidence?endpoint=http://127.0.0.1:{free_port()}")
    )
    citizen = app.test_client()
    data = {
        "csrf_token": csrf_token(citizen, "/fr/track"),
        "reference": created["reference"],
        "receipt": created["receipt"],
        "answer": "Voici la capture du message.",
        "evidence": [(io.BytesIO(png_bytes()), "capture.png")],
    }
    response = citizen.post("/fr/track/answer", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "120"
    assert "votre réponse n’a donc pas été envoyée" in page and "Voici la capture du message." in page
    assert current_status(created["reference"]) == "needs_info"
    assert db.session.scalar(select(EvidenceFile.id)) is None
    authors = db.session.scalars(select(ReportMessage.author)).all()
    assert authors == ["officer"]


def test_the_sweep_removes_files_no_report_names_once_they_are_old_enough(
    s3_app: Flask, s3_server: S3Server, s3_bucket: str
) -> None:
    """A file whose filing never committed (the process died after the upload) goes; the files of a
    stored report, and a file still within the grace period (a filing in flight), stay."""
    client = s3_app.test_client()
    data = {"csrf_token": csrf_token(client, "/fr/report"), **form_data()}
    data["evidence"] = [(io.BytesIO(png_bytes()), "capture.png", "image/png")]
    assert client.post("/fr/report", data=data, content_type="multipart/form-data").status_code == 303
    store = S3EvidenceStore(s3_server.client(), s3_app.config["STORAGE"])
    kept = store.key_of(db.session.scalars(select(EvidenceFile.stored_name)).one())
    orphan = store.save(io.BytesIO(b"uploaded, then the process died before COMMIT"), "lost-row")
    assert len(s3_server.keys(s3_bucket)) == 2

    assert sweep_orphans(store, utcnow(), timedelta(hours=1), days=2) == 0  # still in its grace period
    assert sweep_orphans(store, utcnow() + timedelta(hours=2), timedelta(hours=1), days=2) == 1
    assert s3_server.keys(s3_bucket) == [kept]
    assert store.key_of(orphan.stored_name) not in s3_server.keys(s3_bucket)

    runner = s3_app.test_cli_runner()
    result = runner.invoke(args=["storage", "sweep", "--days", "1"])
    assert result.exit_code == 0 and "0 orphan files deleted" in result.output
    assert s3_server.keys(s3_bucket) == [kept]


def test_migrate_moves_local_evidence_checked_and_resumable(
    app: Flask, s3_server: S3Server, s3_bucket: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A deployment that ran on the local folder: its originals and previews go up as they are
    (ciphertext), each read back and checked; a second run copies nothing; the app then reads them
    from the store with an empty local folder."""
    for name, value in s3_server.credentials.items():
        monkeypatch.setenv(name, value)
    client = app.test_client()
    pngs = [png_bytes(20 + n, 10) for n in range(2)]
    for png in pngs:
        data = {"csrf_token": csrf_token(client, "/fr/report"), **form_data()}
        data["evidence"] = [(io.BytesIO(png), "capture.png", "image/png")]
        assert client.post("/fr/report", data=data, content_type="multipart/form-data").status_code == 303
    run_due_jobs("triage", "evidence")
    rows = db.session.execute(select(EvidenceFile.stored_name, EvidenceFile.preview_name)).all()
    assert len(rows) == 2 and all(row.preview_name for row in rows)

    runner = app.test_cli_runner()
    url = s3_server.storage_url(s3_bucket)
    first = runner.invoke(args=["storage", "migrate", "--to", url])
    assert first.exit_code == 0, first.output
    assert "4 files copied and checked, 0 already there" in first.output
    store = S3EvidenceStore(s3_server.client(), parse_storage_url(url))
    expected = sorted(store.key_of(name) for row in rows for name in row)
    assert s3_server.keys(s3_bucket) == expected
    for key in expected:
        assert s3_server.client().get_object(Bucket=s3_bucket, Key=key)["Body"].read().startswith(b"BLGE")
    second = runner.invoke(args=["storage", "migrate", "--to", url])
    assert "0 files copied and checked, 4 already there" in second.output, second.output

    # another host: the same database, nothing on its disk
    moved = build_app(tmp_path / "elsewhere", app.config["SQLALCHEMY_DATABASE_URI"], STORAGE_URL=url)
    with moved.app_context():
        from intake.reports.evidence import evidence_store

        originals = {hashlib.sha256(png).hexdigest() for png in pngs}
        for name, seal_id, sha256 in db.session.execute(
            select(EvidenceFile.stored_name, EvidenceFile.seal_id, EvidenceFile.sha256)
        ).all():
            with evidence_store().open(name, seal_id) as clear:
                assert hashlib.sha256(clear.read()).hexdigest() == sha256 and sha256 in originals
        db.session.remove()


def test_migrate_deletes_an_object_that_does_not_read_back_and_stops(
    app: Flask, s3_server: S3Server, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An object that does not read back as filed stops the run, and is not left behind with its
    checksum in its metadata, where the next run would count it as already there."""
    from sqlalchemy import update

    for name, value in s3_server.credentials.items():
        monkeypatch.setenv(name, value)
    client = app.test_client()
    data = {"csrf_token": csrf_token(client, "/fr/report"), **form_data()}
    data["evidence"] = [(io.BytesIO(png_bytes()), "capture.png", "image/png")]
    assert client.post("/fr/report", data=data, content_type="multipart/form-data").status_code == 303
    # what filing recorded no longer matches the file: as if the store had changed it
    db.session.execute(update(EvidenceFile).values(sha256="0" * 64))
    db.session.commit()

    url = s3_server.storage_url(s3_bucket)
    for _run in range(2):
        result = app.test_cli_runner().invoke(args=["storage", "migrate", "--to", url])
        assert result.exit_code == 1 and "does not read back as uploaded" in result.output, result.output
        assert s3_server.keys(s3_bucket) == []


def test_monthly_exports_are_kept_on_the_store_encrypted_and_listed_for_any_host(
    s3_app: Flask, s3_server: S3Server, s3_bucket: str
) -> None:
    """What beat writes on the 1st goes to the store (encrypted, bound to its name) and is listed and
    read back from there: a web host other than beat's can serve it."""
    from intake.stats.counts import Month
    from intake.stats.scheduled import export_files, export_month_files, open_export

    client = s3_app.test_client()
    assert (
        client.post(
            "/fr/report", data={"csrf_token": csrf_token(client, "/fr/report"), **form_data()}
        ).status_code
        == 303
    )
    month = Month.containing(utcnow())
    names = export_month_files(month)
    db.session.commit()
    assert sorted(s3_server.keys(s3_bucket)) == sorted(f"exports/{name}" for name in names)
    json_name = next(name for name in names if name.endswith(".json"))
    raw = s3_server.client().get_object(Bucket=s3_bucket, Key=f"exports/{json_name}")["Body"].read()
    assert raw.startswith(b"BLGE") and b"online_shopping_fraud" not in raw
    listed = {item.name: item for item in export_files()}
    assert set(listed) == set(names)
    stream = open_export(json_name)
    assert stream is not None
    with stream:
        content = stream.read()
    assert b"online_shopping_fraud" in content and listed[json_name].size == len(content)
    assert open_export("blagh-1999-01.json") is None and open_export("../secret_key") is None


def test_storage_check_creates_the_bucket_once(
    tmp_path: Path, s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in s3_server.credentials.items():
        monkeypatch.setenv(name, value)
    bucket = f"blagh-check-{tmp_path.name[-8:].lower().replace('_', '-')}"
    application = build_app(tmp_path / "var", STORAGE_URL=s3_server.storage_url(bucket))
    runner = application.test_cli_runner()
    missing = runner.invoke(args=["storage", "check"])
    assert missing.exit_code == 1 and "does not answer" in missing.output
    created = runner.invoke(args=["storage", "check", "--create"])
    assert created.exit_code == 0 and f"bucket {bucket} created" in created.output
    again = runner.invoke(args=["storage", "check", "--create"])
    assert again.exit_code == 0 and "created" not in again.output and "answers" in again.output
    s3_server.drop_bucket(bucket)


def test_the_compose_file_runs_two_web_replicas_on_the_store_without_a_shared_disk() -> None:
    """docker-compose.yml as the README describes it (docker itself is not run here): every service
    of the app reads STORAGE_URL and mounts no evidence or export folder; two web replicas behind the
    proxy; the store is a service; the bucket is made before anything starts."""
    import yaml

    from tests.processes import PROJECT_ROOT

    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    app_services = [name for name, service in services.items() if service.get("image") == "blagh:latest"]
    assert set(app_services) == {"migrate", "web", "worker", "beat"}
    for name in app_services:
        environment = services[name]["environment"]
        assert environment["STORAGE_URL"].startswith("${STORAGE_URL:-s3://"), name
        assert "EVIDENCE_DIR" not in environment and "EXPORT_DIR" not in environment, name
        assert not services[name].get("volumes"), name
    assert services["web"]["deploy"]["replicas"] >= 2 and "ports" not in services["web"]
    assert services["proxy"]["ports"] and services["proxy"]["configs"][0]["target"] == "/etc/caddy/Caddyfile"
    assert "dynamic a web 8000" in compose["configs"]["caddyfile"]["content"]  # every replica, not one
    assert "storage check --create" in " ".join(services["migrate"]["command"])
    assert "weed server" in services["s3"]["command"][0] and "evidence" not in compose["volumes"]


def test_erasure_deletes_the_objects_and_their_previews(
    s3_app: Flask, s3_server: S3Server, s3_bucket: str
) -> None:
    """Erasure (the citizen's request, or retention) queues the files' deletion; the job deletes the
    objects on the store, original and preview."""
    from sqlalchemy import update

    from intake.privacy.erasure import ErasureCause, erase
    from intake.unit_of_work import commit

    client = s3_app.test_client()
    data = {"csrf_token": csrf_token(client, "/fr/report"), **form_data()}
    data["evidence"] = [(io.BytesIO(png_bytes(30, 20)), "capture.png", "image/png")]
    assert client.post("/fr/report", data=data, content_type="multipart/form-data").status_code == 303
    run_due_jobs("triage", "evidence")
    assert len(s3_server.keys(s3_bucket)) == 2  # the original and its preview
    report_id = db.session.scalar(select(Report.id))
    db.session.execute(update(Report).where(Report.id == report_id).values(status="resolved"))  # closed
    commit()
    erase(db.session.get(Report, report_id), ErasureCause.RETENTION)
    commit()
    run_due_jobs("file_deletion")
    assert s3_server.keys(s3_bucket) == []


def test_an_officers_download_while_the_store_is_down_is_a_503_and_the_grace_has_a_floor(
    s3_app: Flask, s3_server: S3Server, make_staff: Any, log_in: Any, tmp_path: Path
) -> None:
    """The same database seen by a web host whose store does not answer: the supervisor's download
    is a 503 in the page's language, not a 500. And ORPHAN_GRACE_SECONDS below five minutes (which
    could sweep a filing in flight) stops the start."""
    client = s3_app.test_client()
    data = {"csrf_token": csrf_token(client, "/fr/report"), **form_data()}
    data["evidence"] = [(io.BytesIO(png_bytes()), "capture.png", "image/png")]
    assert client.post("/fr/report", data=data, content_type="multipart/form-data").status_code == 303
    evidence_id = db.session.scalar(select(EvidenceFile.id))
    down = f"s3://evidence?endpoint=http://127.0.0.1:{free_port()}&region=us-east-1"
    cut_off = build_app(tmp_path / "cut-off", s3_app.config["SQLALCHEMY_DATABASE_URI"], STORAGE_URL=down)
    with cut_off.app_context():
        make_staff("supervisor")
        desk = cut_off.test_client()
        assert log_in(desk, "supervisor@police.example.ma").status_code == 302
        refused = desk.get(f"/officer/evidence/{evidence_id}")
        assert refused.status_code == 503
        assert "stockage des fichiers" in refused.get_data(as_text=True)
        db.session.remove()
    with pytest.raises(ConfigurationError, match="ORPHAN_GRACE_SECONDS must be at least 300"):
        load_config({"VAR_DIR": str(tmp_path / "var"), "ORPHAN_GRACE_SECONDS": "10"})
