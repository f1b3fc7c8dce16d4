"""What an acknowledgement states: the facts of the filing, read from the database each time
(nothing about an acknowledgement is stored). Never the secret code, the description or the
reporter's contact details: the paper is meant to be handed over as it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from intake.extensions import db
from intake.reports.models import EvidenceFile, Report
from intake.reports.receipts import receipt_matches


@dataclass(frozen=True)
class EvidenceFacts:
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class FilingFacts:
    reference: str
    filed_at: datetime
    category: str
    region: str | None
    loss_amount: Decimal | None
    loss_currency: str | None
    status: str
    language: str
    evidence: tuple[EvidenceFacts, ...]
    erased: bool
    demo: bool = False  # made up by `flask demo seed`: the paper and the check say so


_COLUMNS = (
    Report.id,
    Report.reference,
    Report.receipt_hash,
    Report.created_at,
    Report.category,
    Report.region,
    Report.loss_amount,
    Report.loss_currency,
    Report.status,
    Report.language,
    Report.erased_at,
    Report.demo,
)


def _evidence(report_id: int) -> tuple[EvidenceFacts, ...]:
    files = db.session.execute(
        select(EvidenceFile.media_type, EvidenceFile.size, EvidenceFile.sha256)
        .where(EvidenceFile.report_id == report_id)
        .order_by(EvidenceFile.id)
    ).all()
    return tuple(EvidenceFacts(f.media_type, f.size, f.sha256) for f in files)


def _facts(row: Any) -> FilingFacts:  # a Row of _COLUMNS
    return FilingFacts(
        reference=row.reference,
        filed_at=row.created_at,
        category=row.category,
        region=row.region,
        loss_amount=row.loss_amount,
        loss_currency=row.loss_currency,
        status=row.status,
        language=row.language,
        evidence=_evidence(row.id),
        erased=row.erased_at is not None,
        demo=row.demo,
    )


def facts_by_receipt(reference: str, receipt: str) -> FilingFacts | None:
    """The filing's facts for the holder of its secret code, or None: an unknown reference and a
    wrong code look alike, and cost the same (see receipt_matches)."""
    row = db.session.execute(select(*_COLUMNS).where(Report.reference == reference)).one_or_none()
    if not receipt_matches(receipt, row.receipt_hash if row else None) or row is None:
        return None
    return _facts(row)


def facts_by_reference(reference: str) -> FilingFacts | None:
    """The filing's facts for the check of a verification code, which the code itself guards. An
    unknown reference runs the same two queries, so that its answer takes no less time."""
    row = db.session.execute(select(*_COLUMNS).where(Report.reference == reference)).one_or_none()
    if row is None:
        _evidence(0)  # no report has the id 0
        return None
    return _facts(row)
