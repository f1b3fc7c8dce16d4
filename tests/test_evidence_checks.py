"""The worker's evidence check: type and hash again, a metadata-free preview for images, and a
rejection with a reason (never a crash) for bombs, corrupt or altered files."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from intake.extensions import db
from intake.privacy.sealing import new_seal_id
from intake.reports.evidence import LocalEvidenceStore
from intake.reports.models import EvidenceFile, Report
from intake.triage.evidence_checks import check_evidence
from intake.types import utcnow
from intake.unit_of_work import commit
from tests.conftest import at_once
from tests.factories import PDF_BYTES, png_bytes, png_header_only

GPS_TAG = 0x8825


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (3000, 2000), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[GPS_TAG] = {1: "N", 2: (33.0, 35.0, 0.0), 3: "W", 4: (7.0, 37.0, 0.0)}  # Casablanca
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def stored_evidence(store: LocalEvidenceStore, data: bytes, media_type: str) -> EvidenceFile:
    now = utcnow()
    report = Report(
        reference="BLG-2345-6789",
        receipt_hash="0" * 64,
        category="sextortion",
        incident_date=now.date(),
        description="x" * 40,
        language="fr",
        channel="api",
        anonymous=True,
        consented_at=now,
        status="triaged",
        created_at=now,
        updated_at=now,
    )
    seal_id = new_seal_id()
    saved = store.save(io.BytesIO(data), seal_id)
    item = EvidenceFile(
        seal_id=seal_id,
        original_name="capture",
        stored_name=saved.stored_name,
        size=saved.size,
        media_type=media_type,
        sha256=saved.sha256,
    )
    report.evidence = [item]
    db.session.add(report)
    db.session.commit()
    return item


def check(evidence_id: int, store: LocalEvidenceStore) -> bool:
    """As the worker does: the check, then the job's commit."""
    done = check_evidence(evidence_id, store)
    commit()
    return done


@pytest.fixture
def store(tmp_path: Path) -> LocalEvidenceStore:
    return LocalEvidenceStore(tmp_path / "evidence")


def test_a_photo_gets_a_small_preview_without_location_and_the_original_is_untouched(
    app: Flask, store: LocalEvidenceStore
) -> None:
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(GPS_TAG)
    item = stored_evidence(store, original, "image/jpeg")
    assert check(item.id, store) is True
    db.session.refresh(item)
    assert item.check_status == "accepted" and item.preview_name and item.checked_at
    with store.open(item.preview_name, item.seal_id) as preview_file:
        preview = Image.open(io.BytesIO(preview_file.read()))
    assert max(preview.size) <= 1600 and preview.format == "JPEG"
    assert not preview.getexif() and "exif" not in preview.info
    with store.open(item.stored_name, item.seal_id) as kept:
        assert hashlib.sha256(kept.read()).hexdigest() == item.sha256 == hashlib.sha256(original).hexdigest()


def test_a_phone_photo_taken_sideways_is_previewed_upright(app: Flask, store: LocalEvidenceStore) -> None:
    image = Image.new("RGB", (400, 100), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees to display
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    item = stored_evidence(store, out.getvalue(), "image/jpeg")
    assert check(item.id, store)
    db.session.refresh(item)
    assert item.preview_name is not None
    with store.open(item.preview_name, item.seal_id) as preview_file:
        preview = Image.open(io.BytesIO(preview_file.read()))
    assert preview.size == (100, 400) and not preview.getexif()


def test_pdfs_are_checked_but_never_previewed(app: Flask, store: LocalEvidenceStore) -> None:
    item = stored_evidence(store, PDF_BYTES, "application/pdf")
    assert check(item.id, store)
    db.session.refresh(item)
    assert (item.check_status, item.preview_name) == ("accepted", None)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (png_header_only(100_000, 100_000), "decompression bomb"),
        (png_header_only(9_000, 9_000), "over the pixel limit"),
        (png_bytes(40, 40)[:-30] + b"\x00" * 30, "corrupt image"),
    ],
    ids=["bomb", "over-the-pixel-limit", "corrupt"],
)
def test_bad_images_are_rejected_with_a_reason(
    app: Flask, store: LocalEvidenceStore, data: bytes, reason: str
) -> None:
    item = stored_evidence(store, data, "image/png")
    assert check(item.id, store)
    db.session.refresh(item)
    assert item.check_status == "rejected" and reason in (item.rejection_reason or "")
    assert item.preview_name is None


def test_a_file_changed_on_disk_is_rejected(app: Flask, store: LocalEvidenceStore) -> None:
    item = stored_evidence(store, png_bytes(), "image/png")
    path = next(p for p in (store.root).rglob(item.stored_name))
    path.write_bytes(png_bytes(3, 3))
    assert check(item.id, store)
    db.session.refresh(item)
    assert (
        item.check_status == "rejected" and item.rejection_reason == "the file changed since it was received"
    )


def test_a_second_delivery_does_nothing(app: Flask, store: LocalEvidenceStore) -> None:
    item = stored_evidence(store, png_bytes(), "image/png")
    assert check(item.id, store) is True
    assert check(item.id, store) is False
    previews = [p for p in store.root.rglob("*") if p.is_file() and p.name != item.stored_name]
    assert len(previews) == 1


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_concurrent_deliveries_write_one_result(app: Flask, store: LocalEvidenceStore, backend: str) -> None:
    """Two workers check the same file at once: one result is written, the loser's preview removed."""
    item = stored_evidence(store, jpeg_with_gps(), "image/jpeg")
    item_id = item.id
    db.session.remove()
    results = at_once(app, 3, lambda: check(item_id, store))
    assert sorted(results, key=bool) == [False, False, True]
    previews = [p for p in store.root.rglob("*") if p.is_file() and p.name != stored_name(item_id)]
    assert len(previews) == 1


def stored_name(evidence_id: int) -> str:
    item = db.session.get(EvidenceFile, evidence_id)
    assert item is not None
    return item.stored_name
