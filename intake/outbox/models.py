from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.types import BigId, UTCDateTime, utcnow


class OutboxJob(Model):
    """A task to publish. It is written in the same transaction as the rows it concerns.

    Pending until the relay hands it to the broker (`published_at`), and not before `available_at`
    when that is set (a notification waits for the news of the next few minutes); dead when the task
    kept failing after its retries (`dead_at`, `last_error`): listed for admins, retried with
    `flask jobs retry`. `subject` ("triage:42") is the kind of job and the id it is about.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task: Mapped[str] = mapped_column(String(100))
    args: Mapped[list[Any]] = mapped_column(JSON)
    # What the job is about ("triage:42"): the reconciler looks a subject's jobs up by it.
    subject: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    available_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_outbox_pending", "published_at", "id"),
        Index("ix_outbox_subject", "subject", "id"),
        Index("ix_outbox_dead", "dead_at"),
    )
