"""Reports per status, kept as statuses change, so that reading them costs the same with ten
thousand reports as with a million (intake.stats.status_counts)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.types import BigId


class StatusCount(Model):
    """The number of reports in a status, as of the last compaction."""

    __tablename__ = "status_counts"

    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(BigId, default=0)


class StatusCountDelta(Model):
    """One change to a count (+1 into a status, -1 out of one), written with the change itself.
    Inserts only: concurrent changes never wait on one another's row, as they would on a counter."""

    __tablename__ = "status_count_deltas"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    delta: Mapped[int]
