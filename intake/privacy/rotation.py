"""Key rotation: every sealed value and every evidence file moved under the newest data key, a batch
at a time, while the service runs (new values are already sealed with it: the operator lists the new
key first in DATA_KEYS everywhere, then rotates). Stopping and starting again is safe: each batch
picks what is still under an older key."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select, update

from intake.extensions import Base, db
from intake.privacy.sealing import SealedField, keyring, reseal
from intake.reports.evidence import EvidenceStore
from intake.reports.models import EvidenceFile

BATCH = 200
IN_CLEAR = "(in clear)"  # files from before encryption
MISSING = "missing"  # a file whose evidence row is there, but not the file
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SealedColumn:
    model: type[Any]
    field: SealedField

    @property
    def column(self) -> Any:
        return getattr(self.model, self.field.attribute)

    @property
    def label(self) -> str:
        return self.field.place


def sealed_columns() -> list[SealedColumn]:
    """Every sealed column of every model (the models declare them with SealedField)."""
    found = []
    for mapper in sorted(Base.registry.mappers, key=lambda m: m.class_.__name__):
        for field in mapper.class_.__dict__.get("__sealed_fields__", ()):
            found.append(SealedColumn(mapper.class_, field))
    return found


def _key_id(column: Any) -> ColumnElement[str]:
    """The key id at the head of a sealed value (`k2:…` -> `k2`), in SQL."""
    if db.engine.dialect.name == "postgresql":
        return func.split_part(column, ":", 1)
    return func.substr(column, 1, func.instr(column, ":") - 1)


def column_status(sealed: SealedColumn) -> Counter[str]:
    key_id = _key_id(sealed.column)
    rows = db.session.execute(
        select(key_id, func.count()).where(sealed.column.is_not(None)).group_by(key_id)
    ).all()
    return Counter({str(key): int(count) for key, count in rows})


@dataclass(frozen=True)
class StoredEvidence:
    evidence_id: int
    stored_name: str
    owner: str  # the evidence row's seal_id, which the file is bound to


def stored_files() -> Iterator[StoredEvidence]:
    """Every evidence file and preview (keyset on the row id)."""
    last = 0
    while True:
        rows = db.session.execute(
            select(EvidenceFile.id, EvidenceFile.stored_name, EvidenceFile.preview_name, EvidenceFile.seal_id)
            .where(EvidenceFile.id > last)
            .order_by(EvidenceFile.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            yield StoredEvidence(row.id, row.stored_name, row.seal_id)
            if row.preview_name:
                yield StoredEvidence(row.id, row.preview_name, row.seal_id)
        last = rows[-1].id


def files_status(store: EvidenceStore) -> Counter[str]:
    """Files per key; a file missing under a row that is still there is counted as `missing` (lost
    evidence is said, never skipped over)."""
    found: Counter[str] = Counter()
    for item in stored_files():
        try:
            found[store.key_id(item.stored_name) or IN_CLEAR] += 1
        except FileNotFoundError:
            if _still_wanted(item.evidence_id):
                found[MISSING] += 1
    return found


def status(store: EvidenceStore) -> dict[str, Counter[str]]:
    """How many values each key still holds, per sealed column and for the evidence files."""
    report = {sealed.label: column_status(sealed) for sealed in sealed_columns()}
    report["evidence files"] = files_status(store)
    return report


def rotate_column(sealed: SealedColumn, advance: Callable[[int], None] = lambda _: None) -> int:
    """Reseal, under the newest key, the values of one column that are under an older one."""
    newest = keyring().current_id
    done, last = 0, 0
    model, column = sealed.model, sealed.column
    while True:
        rows = db.session.scalars(
            select(model)
            .where(model.id > last, column.is_not(None), _key_id(column) != newest)
            .order_by(model.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return done
        for row in rows:
            old = getattr(row, sealed.field.attribute)
            # written only if nobody changed the value meanwhile (the service runs on)
            db.session.execute(
                update(model)
                .where(model.id == row.id, column == old)
                .values({sealed.field.attribute: reseal(old, sealed.field.place_of(row))})
                .execution_options(synchronize_session=False)
            )
        last = rows[-1].id
        # Each batch is its own short transaction: the service keeps writing while this runs.
        db.session.commit()
        db.session.expunge_all()
        done += len(rows)
        advance(len(rows))


def remaining(sealed: SealedColumn) -> int:
    newest = keyring().current_id
    return int(
        db.session.scalar(
            select(func.count()).where(sealed.column.is_not(None), _key_id(sealed.column) != newest)
        )
        or 0
    )


def rotate_files(store: EvidenceStore, advance: Callable[[int], None] = lambda _: None) -> int:
    """Re-encrypt the files still under an older key. An erasure may run meanwhile: a file already
    gone is skipped, and a file whose row went while it was rewritten is deleted again, never left
    behind without its row."""
    newest, done = keyring().current_id, 0
    for item in stored_files():  # each page is read whole, so a rollback below does not cut it
        try:
            if store.key_id(item.stored_name) != newest:
                store.reencrypt(item.stored_name, item.owner)
                done += 1
                if not _still_wanted(item.evidence_id):
                    store.delete(item.stored_name)
        except FileNotFoundError:
            if _still_wanted(item.evidence_id):  # not erased meanwhile: lost
                log.error("evidence %s: file %s is missing", item.evidence_id, item.stored_name)
        advance(1)
    return done


def _still_wanted(evidence_id: int) -> bool:
    """Whether the row is there as committed now."""
    db.session.rollback()
    return db.session.scalar(select(EvidenceFile.id).where(EvidenceFile.id == evidence_id)) is not None


def stored_file_count() -> int:
    """How many files `stored_files` yields (for a progress bar)."""
    originals = db.session.scalar(select(func.count(EvidenceFile.id))) or 0
    previews = db.session.scalar(select(func.count(EvidenceFile.preview_name))) or 0
    return int(originals) + int(previews)
