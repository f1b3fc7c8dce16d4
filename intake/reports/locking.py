"""The report's row lock: erasure, legal holds, requests to erase, notes and messages take it, and a
status change's conditional UPDATE takes it too, so that changes to one case happen one after the
other and each sees what the one before it committed (an erased case then refuses what would come
after it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text

from intake.extensions import db
from intake.reports.models import Report


@dataclass(frozen=True)
class LockedReport:
    """The report as committed when its lock was taken."""

    status: str
    erased_at: datetime | None


def lock_report(report_id: int) -> LockedReport:
    """Lock the report until the unit of work ends, then read it as committed now.

    PostgreSQL: SELECT … FOR UPDATE. SQLite has no row locks and pysqlite opens a transaction only
    on a write: a write that changes nothing comes first, taking the database's write lock (as
    BEGIN IMMEDIATE would) until the commit."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("UPDATE reports SET erased_at = erased_at WHERE id = :id"), {"id": report_id})
    row = db.session.execute(
        select(Report.status, Report.erased_at).where(Report.id == report_id).with_for_update()
    ).one()
    return LockedReport(row.status, row.erased_at)
