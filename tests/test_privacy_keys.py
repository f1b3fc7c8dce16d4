"""Keys: their format, where the embedded default keeps them, the refusal to start without them on a
server database, `keys generate` without any app, and rotation with the service running (ASVS 6.4)."""

from __future__ import annotations

import io
import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import pytest
from flask import Flask
from sqlalchemy import select, update

from intake.config import ConfigurationError, load_config
from intake.extensions import db
from intake.privacy import rotation
from intake.privacy.keys import parse_keyring
from intake.privacy.sealing import UnsealError, keyring, seal, unseal
from intake.reports.evidence import evidence_store
from intake.reports.models import EvidenceFile, Report
from tests.conftest import TEST_BLIND_INDEX_KEY, TEST_DATA_KEYS, FileAndTriage, run_due_jobs
from tests.factories import png_bytes, report_payload

PROJECT = Path(__file__).resolve().parent.parent
KEY = r"[A-Za-z0-9_-]{43}"
NEW_KEY = "t2:" + "QkxBR0gtdGVzdC1yb3RhdGVkLWtleS0wMDAwMDAwMDA"


def test_keys_generate_prints_a_fresh_pair_and_touches_no_database(tmp_path: Path) -> None:
    """It works where the app itself cannot start: a server database and no keys yet."""
    env = {**os.environ, "VAR_DIR": str(tmp_path), "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    env.pop("DATA_KEYS", None)
    env.pop("BLIND_INDEX_KEY", None)
    command = [sys.executable, "-m", "flask", "--app", "intake", "keys", "generate", "--id", "k2"]
    first = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60)
    second = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    assert re.fullmatch(rf"DATA_KEYS=k2:{KEY}\nBLIND_INDEX_KEY={KEY}\n", first.stdout), first.stdout
    assert first.stdout != second.stdout  # fresh every time
    assert list(tmp_path.iterdir()) == []  # nothing written, nothing read
    pair = dict(line.split("=", 1) for line in first.stdout.splitlines())
    assert parse_keyring(pair["DATA_KEYS"], pair["BLIND_INDEX_KEY"]).current_id == "k2"
    rotation = subprocess.run(
        [*command, "--data-only"], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60
    )
    assert re.fullmatch(rf"DATA_KEYS=k2:{KEY}\n", rotation.stdout), rotation.stdout  # no new blind key
    no_id = subprocess.run(
        [*command[:-2], "--data-only"], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60
    )
    assert no_id.returncode != 0 and "--data-only needs --id" in no_id.stderr  # k1 would clash


@pytest.mark.parametrize("damaged", ["", "DATA_KEYS=k1:abc\n", "BLIND_INDEX_KEY=x\n"])
def test_a_damaged_embedded_keys_file_stops_the_start_instead_of_drawing_new_keys(
    tmp_path: Path, damaged: str
) -> None:
    (tmp_path / "keys.env").write_text(damaged)
    with pytest.raises(ConfigurationError, match="restore it from your backup"):
        load_config({"VAR_DIR": str(tmp_path)})
    assert (tmp_path / "keys.env").read_text() == damaged  # left as it was


def test_the_embedded_default_generates_its_keys_once_owner_only(tmp_path: Path) -> None:
    first = load_config({"VAR_DIR": str(tmp_path)})["KEYRING"]
    second = load_config({"VAR_DIR": str(tmp_path)})["KEYRING"]
    assert first == second and first.current_id == "k1"
    assert stat.S_IMODE((tmp_path / "keys.env").stat().st_mode) == 0o600
    assert "k1" in repr(first) and TEST_DATA_KEYS[3:] not in repr(first)  # a key never printed


@pytest.mark.parametrize(
    ("keys", "complaint"),
    [
        ({}, "DATA_KEYS and BLIND_INDEX_KEY must be set"),
        ({"DATA_KEYS": TEST_DATA_KEYS}, "BLIND_INDEX_KEY must be set"),
        (
            {"DATA_KEYS": "k1:c2hvcnQ", "BLIND_INDEX_KEY": TEST_BLIND_INDEX_KEY},
            "DATA_KEYS: a key must be 32 bytes",
        ),
        (
            {"DATA_KEYS": "just-a-key", "BLIND_INDEX_KEY": TEST_BLIND_INDEX_KEY},
            "DATA_KEYS: each entry is id:key",
        ),
        (
            {"DATA_KEYS": f"{TEST_DATA_KEYS},{TEST_DATA_KEYS}", "BLIND_INDEX_KEY": TEST_BLIND_INDEX_KEY},
            "appears twice",
        ),
        (
            {"DATA_KEYS": TEST_DATA_KEYS, "BLIND_INDEX_KEY": "not base64 !"},
            "BLIND_INDEX_KEY: a key is not base64url",
        ),
    ],
)
def test_a_server_database_refuses_to_start_without_good_keys(
    tmp_path: Path, keys: dict[str, str], complaint: str
) -> None:
    env = {"VAR_DIR": str(tmp_path), "DATABASE_URL": "postgresql://x@127.0.0.1/y", "SECRET_KEY": "s", **keys}
    with pytest.raises(ConfigurationError, match=complaint):
        load_config(env)
    assert not (tmp_path / "keys.env").exists()


def test_a_value_opens_only_in_its_place_and_under_a_known_key(app: Flask) -> None:
    sealed = seal("Salma Benali", "reports.reporter_name:BLG-2222-2222")
    assert sealed.startswith("t1:") and "Salma" not in sealed
    assert unseal(sealed, "reports.reporter_name:BLG-2222-2222") == "Salma Benali"
    for wrong in ("reports.reporter_name:BLG-3333-3333", "reports.description:BLG-2222-2222"):
        with pytest.raises(UnsealError):
            unseal(sealed, wrong)  # moved to another report, or another field: refused
    with pytest.raises(UnsealError, match="no data key with the id 'k9'"):
        unseal("k9:" + sealed[3:], "reports.reporter_name:BLG-2222-2222")


def file_with_evidence(app: Flask) -> str:
    data = {
        **{
            k: ("y" if v is True else v)
            for k, v in report_payload().items()
            if k != "suspects" and v is not False
        },
        "suspects-0-kind": "phone",
        "suspects-0-value": "0612345678",
        "evidence": [(io.BytesIO(png_bytes(4, 4)), "capture.png")],
    }
    created = app.test_client().post("/api/v1/reports", data=data, content_type="multipart/form-data")
    assert created.status_code == 201, created.json
    return str(created.json["reference"])


def rotate_to_new_key(app: Flask) -> None:
    app.config["KEYRING"] = parse_keyring(f"{NEW_KEY},{TEST_DATA_KEYS}", TEST_BLIND_INDEX_KEY)


def test_rotation_moves_every_value_and_file_and_can_stop_and_resume(
    app: Flask, backend: str, filed_and_triaged: FileAndTriage, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        reference = file_with_evidence(app)
        db.session.expire_all()
        report_id = db.session.scalar(select(Report.id).where(Report.reference == reference))
        from tests.conftest import run_job

        run_job("triage", report_id)
    run_due_jobs("evidence")
    rotate_to_new_key(app)
    before = rotation.status(evidence_store())
    assert before["reports.description"] == {"t1": 3} and before["evidence files"] == {"t1": 6}

    class Stop(Exception):
        pass

    def stop_after_first_batch(done: int) -> None:
        raise Stop

    description = next(c for c in rotation.sealed_columns() if c.label == "reports.description")
    with monkeypatch.context() as patched:
        patched.setattr(rotation, "BATCH", 1)
        with pytest.raises(Stop):
            rotation.rotate_column(description, stop_after_first_batch)
    assert rotation.column_status(description) == {"t2": 1, "t1": 2}  # stopped midway: kept what it did

    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    after = rotation.status(evidence_store())
    assert all(set(counts) <= {"t2"} for counts in after.values()), after
    assert after["evidence files"] == {"t2": 6}
    status = app.test_cli_runner().invoke(args=["keys", "status"]).output
    assert "newest key: t2" in status and "reports.description\tt2: 3" in status

    # the old key can go: everything opens with the new one alone
    app.config["KEYRING"] = parse_keyring(NEW_KEY, TEST_BLIND_INDEX_KEY)
    db.session.expire_all()
    assert all(r.description and r.reporter_name for r in db.session.scalars(select(Report)))
    for item in db.session.scalars(select(EvidenceFile)):
        with evidence_store().open(item.stored_name, item.seal_id) as original:
            assert original.read()[:8] == b"\x89PNG\r\n\x1a\n"
        assert item.original_name == "capture.png"


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_rotation_runs_with_the_service_up(app: Flask, backend: str) -> None:
    """Reports keep being filed while the rotation runs; when it ends, every value is under the
    newest key (new reports were sealed with it from the start)."""
    for _ in range(30):
        assert app.test_client().post("/api/v1/reports", json=report_payload()).status_code == 201
    rotate_to_new_key(app)
    errors: list[BaseException] = []

    def filing() -> None:
        try:
            with app.app_context():
                for _ in range(15):
                    assert app.test_client().post("/api/v1/reports", json=report_payload()).status_code == 201
                db.session.remove()
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=filing)
    thread.start()
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    thread.join(120)
    assert result.exit_code == 0 and not errors, (result.output, errors)
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count(Report.id))) == 45
    description = next(c for c in rotation.sealed_columns() if c.label == "reports.description")
    assert rotation.column_status(description) == {"t2": 45}
    assert keyring().current_id == "t2"


def test_rotation_never_overwrites_a_value_written_meanwhile(
    app: Flask, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The re-sealed value is written only where the column still holds what was read: a citizen's
    or an officer's write in between is kept (here it lands while the rotation re-seals)."""
    reference = app.test_client().post("/api/v1/reports", json=report_payload()).json["reference"]
    rotate_to_new_key(app)
    description = next(c for c in rotation.sealed_columns() if c.label == "reports.description")
    real_reseal = rotation.reseal

    def reseal_while_someone_writes(sealed: str, place: str) -> str:
        with app.app_context():  # another unit of work changes the row in between
            report = db.session.scalar(select(Report).where(Report.reference == reference))
            assert report is not None
            report.description = "Written while the rotation ran."
            db.session.commit()
            db.session.remove()
        return real_reseal(sealed, place)

    monkeypatch.setattr(rotation, "reseal", reseal_while_someone_writes)
    rotation.rotate_column(description)
    db.session.expire_all()
    report = db.session.scalar(select(Report).where(Report.reference == reference))
    assert report is not None and report.description == "Written while the rotation ran."


def test_a_file_erased_while_the_rotation_rewrites_it_is_not_left_behind(
    app: Flask, filed_and_triaged: FileAndTriage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rotation has read the file and is writing it anew when the erasure commits and its job
    deletes the file: the rewrite would bring it back, so the rotation deletes it again."""
    from intake.privacy import erasure
    from intake.unit_of_work import commit

    reference = file_with_evidence(app)
    report = db.session.scalar(select(Report).where(Report.reference == reference))
    assert report is not None
    db.session.execute(update(Report).where(Report.id == report.id).values(status="resolved"))
    db.session.commit()
    names = [item.stored_name for item in report.evidence]
    rotate_to_new_key(app)
    store = evidence_store()
    real_write = store._write
    erased: list[str] = []

    def erased_while_writing(stored_name: str, owner: str, stream: IO[bytes]) -> tuple[int, str]:
        if not erased:  # between reading the old file and writing the new one
            with app.app_context():
                erasure.erase(db.session.get(Report, report.id), erasure.ErasureCause.RETENTION)
                commit()
                run_due_jobs("file_deletion")
                db.session.remove()
            erased.append(stored_name)
        return real_write(stored_name, owner, stream)  # …writes the file back

    monkeypatch.setattr(store, "_write", erased_while_writing)
    assert rotation.rotate_files(store) == 1 and len(erased) == 1
    root = Path(app.config["EVIDENCE_DIR"])
    assert not any((root / name[:2] / name).exists() for name in names)  # …and it is deleted again


def test_keys_status_says_when_a_file_is_missing(app: Flask, filed_and_triaged: FileAndTriage) -> None:
    reference = file_with_evidence(app)
    item = db.session.scalars(select(EvidenceFile).join(Report).where(Report.reference == reference)).first()
    assert item is not None
    (Path(app.config["EVIDENCE_DIR"]) / item.stored_name[:2] / item.stored_name).unlink()
    assert rotation.files_status(evidence_store())[rotation.MISSING] == 1  # said, never skipped over


def test_a_process_with_another_blind_index_key_refuses_to_index(
    app: Flask, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong BLIND_INDEX_KEY would match nothing, silently: the fingerprint the migration kept in
    the database stops it at the first index instead (ASVS 6.4.1: keys managed, mistakes loud)."""
    from intake.privacy.blind import WrongBlindIndexKey, blind_index

    assert blind_index("reporter_email", "nadia@example.ma")  # the configured key matches
    other = "QkxBR0gtdGVzdC1vdGhlci1ibGluZC1rZXktMDAwMDA"
    monkeypatch.setitem(app.config, "KEYRING", parse_keyring(TEST_DATA_KEYS, other))
    with pytest.raises(WrongBlindIndexKey, match="not the key this database"):
        blind_index("reporter_email", "nadia@example.ma")
    filed = app.test_client().post("/api/v1/reports", json=report_payload())
    assert filed.status_code == 500  # nothing is filed with indexes nobody could match
    app.config["KEYRING"] = parse_keyring(TEST_DATA_KEYS, TEST_BLIND_INDEX_KEY)
    assert app.test_client().post("/api/v1/reports", json=report_payload()).status_code == 201
