"""How long personal data are kept: per final status, `RETAIN_*_DAYS` after the case last changed;
then beat erases them every night (intake.privacy.erasure says what goes). A case held
(intake.privacy.holds) is kept until the hold is lifted.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, tuple_
from sqlalchemy.exc import OperationalError

from intake.extensions import db
from intake.privacy.erasure import ErasureCause, erase
from intake.privacy.errors import PrivacyRefused
from intake.privacy.holds import no_hold
from intake.reports.locking import lock_report
from intake.reports.models import Report, ReportStatus
from intake.types import utcnow
from intake.unit_of_work import commit

log = logging.getLogger(__name__)
# The setting that says, per final status, how many days personal data are kept after the last change.
RETENTION_SETTINGS = {
    ReportStatus.RESOLVED.value: "RETAIN_RESOLVED_DAYS",
    ReportStatus.REJECTED.value: "RETAIN_REJECTED_DAYS",
    ReportStatus.REFERRED.value: "RETAIN_REFERRED_DAYS",
}
BATCH = 100


def retention_days(config: Mapping[str, Any]) -> dict[str, int]:
    return {status: int(config[setting]) for status, setting in RETENTION_SETTINGS.items()}


def kept_until(report: Report, config: Mapping[str, Any]) -> datetime | None:
    """When a closed report's personal data will be erased (unless held); None while it is open."""
    days = retention_days(config).get(report.status)
    if days is None or report.last_event_at is None or report.erased_at is not None:
        return None
    return report.last_event_at + timedelta(days=days)


def _expired(config: Mapping[str, Any], now: datetime) -> ColumnElement[bool]:
    """Closed, kept past its status's time since the last change, not held, not erased."""
    periods = [
        (Report.status == status) & (Report.last_event_at < now - timedelta(days=days))
        for status, days in retention_days(config).items()
    ]
    return Report.erased_at.is_(None) & or_(*periods) & no_hold()


def expired(
    config: Mapping[str, Any], now: datetime, limit: int = BATCH, after: tuple[datetime, int] | None = None
) -> list[Report]:
    """Reports whose keeping time has run out, oldest first, a page at a time after `after` (each
    final status reads its own index range)."""
    query = select(Report).where(_expired(config, now))
    if after is not None:
        query = query.where(tuple_(Report.last_event_at, Report.id) > tuple_(*after))
    return list(db.session.scalars(query.order_by(Report.last_event_at, Report.id).limit(limit)))


@dataclass(frozen=True)
class Expired:
    reference: str
    status: str
    last_event_at: datetime | None


def apply_retention(
    config: Mapping[str, Any], now: datetime | None = None, dry_run: bool = False
) -> list[Expired]:
    """Erase what has expired, one report per unit of work (each committed on its own, so that a
    failure stops nothing already done); with `dry_run`, only say what would go."""
    now = now or utcnow()
    done: list[Expired] = []
    after: tuple[datetime, int] | None = None
    while batch := expired(config, now, BATCH, after):
        last = batch[-1]
        after = (last.last_event_at or now, last.id)  # expired() finds only reports that have one
        found = [(report, Expired(report.reference, report.status, report.last_event_at)) for report in batch]
        for report, seen in found:
            if dry_run or _erase_if_still_expired(report, config, now):
                done.append(seen)
    db.session.rollback()
    return done


def _erase_if_still_expired(report: Report, config: Mapping[str, Any], now: datetime) -> bool:
    """Under the report's lock, look again: a case reopened, changed or held since the page was
    read is kept. One case that cannot be erased now (refused, or a deadlock) stops nothing else."""
    try:
        lock_report(report.id)
        if db.session.scalar(select(Report.id).where(Report.id == report.id, _expired(config, now))) is None:
            db.session.rollback()
            return False
        erase(report, ErasureCause.RETENTION)
        commit()  # its own unit of work: what was erased stays erased if a later one fails
    except (PrivacyRefused, OperationalError) as error:
        db.session.rollback()
        log.warning("retention: report %s kept for now (%s)", report.id, type(error).__name__)
        return False
    return True
