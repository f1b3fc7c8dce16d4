"""Reports per status for the queue, whatever the backlog: the status owner (intake.reports.status)
writes a +1/-1 delta with every change, in the change's own transaction; the queue reads the totals
(one row per status) plus the deltas not yet folded in; beat folds them in every minute. The page
costs a dozen rows plus a minute's changes, never a scan of the open reports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import delete, func, insert, select, union_all

from intake.extensions import db
from intake.reports.models import Report
from intake.stats.models import StatusCount, StatusCountDelta
from intake.types import table_of

_INSERT_DELTAS = insert(table_of(StatusCountDelta))


def count_change(from_status: str | None, to_status: str) -> None:
    """Record that one report left `from_status` (None: a new report) for `to_status`."""
    rows = [{"status": to_status, "delta": 1}]
    if from_status is not None:
        rows.append({"status": from_status, "delta": -1})
    db.session.execute(_INSERT_DELTAS, rows)


def current_counts(statuses: Iterable[str]) -> dict[str, int]:
    """Reports per status, exact: the totals and every delta committed since they were folded."""
    wanted = list(statuses)
    rows = union_all(
        select(StatusCount.status, StatusCount.count.label("n")).where(StatusCount.status.in_(wanted)),
        select(StatusCountDelta.status, StatusCountDelta.delta.label("n")).where(
            StatusCountDelta.status.in_(wanted)
        ),
    ).subquery()
    found = db.session.execute(select(rows.c.status, func.sum(rows.c.n)).group_by(rows.c.status)).all()
    return {status: int(total) for status, total in found if total}


def fold_deltas() -> int:
    """Fold the committed deltas into the totals, in one transaction (the caller commits). The
    DELETE returns exactly the rows it removed, so a delta committed meanwhile is never lost: it is
    folded next time. Returns how many deltas were folded."""
    removed = db.session.execute(
        delete(StatusCountDelta).returning(StatusCountDelta.status, StatusCountDelta.delta)
    ).all()
    sums: Counter[str] = Counter()
    for status, delta in removed:
        sums[status] += delta
    for status, change in sums.items():
        if change:
            row = db.session.get(StatusCount, status, with_for_update=True)
            if row is None:
                db.session.add(StatusCount(status=status, count=change))
            else:
                row.count += change
    return len(removed)


def recount() -> None:
    """Totals counted again from the reports themselves (after a bulk load by SQL, which bypasses
    the status owner); the caller commits."""
    db.session.execute(delete(StatusCountDelta))
    db.session.execute(delete(StatusCount))
    for status, count in db.session.execute(select(Report.status, func.count()).group_by(Report.status)):
        db.session.add(StatusCount(status=status, count=int(count)))
    db.session.flush()
