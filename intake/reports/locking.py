"""The report's row lock: erasure, legal holds, notes and messages take it, and a status change's
conditional UPDATE takes it too, so that changes to one case happen one after the other and each
sees what the one before it committed (an erased case then refuses what would come after)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from intake.extensions import db
from intake.reports.models import Report


def lock_report(report_id: int) -> datetime | None:
    """Lock the report's row until the unit of work ends (PostgreSQL: SELECT … FOR UPDATE; SQLite
    writes one at a time anyway) and read, as committed now, when its personal data were erased."""
    return db.session.scalar(select(Report.erased_at).where(Report.id == report_id).with_for_update())
