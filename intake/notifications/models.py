from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.types import BigId, UTCDateTime, utcnow


class NotificationChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class NotificationState(StrEnum):
    PENDING = "pending"  # waiting for its time (the first try, or the next after a failure)
    SENDING = "sending"  # a worker holds it until `claimed_until`
    SENT = "sent"
    FAILED = "failed"  # refused for good (no such mailbox, no recipient any more)


OPEN_STATES_SQL = "state IN ('pending', 'sending')"


class Notification(Model):
    """One message to a reporter on one channel, telling them there is news on their report.

    Case events within a few minutes join the same open notification (`event_count`), so that a
    burst of changes makes one message. It carries nothing but the reference and a link; the
    recipient is read from the report when it is sent, never copied here.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(10), default=NotificationState.PENDING.value)
    # The idempotency key: one notification per event and channel, whatever the deliveries.
    first_event_id: Mapped[int] = mapped_column(ForeignKey("case_events.id", ondelete="CASCADE"))
    last_event_id: Mapped[int] = mapped_column(ForeignKey("case_events.id", ondelete="CASCADE"))
    event_count: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The failure's kind and the server's code, never the address or the server's text.
    last_error: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint("channel IN ('email', 'sms')", name="channel"),
        CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed')", name="state"),
        UniqueConstraint("first_event_id", "channel"),
        # At most one open notification per report and channel: new events join it.
        Index(
            "uq_notifications_open",
            "report_id",
            "channel",
            unique=True,
            postgresql_where=text(OPEN_STATES_SQL),
            sqlite_where=text(OPEN_STATES_SQL),
        ),
        # The reconciler looks for notifications left waiting.
        Index("ix_notifications_waiting", "state", "due_at"),
        # A report's notifications (its page, its deletion by retention).
        Index("ix_notifications_report", "report_id", "id"),
    )
