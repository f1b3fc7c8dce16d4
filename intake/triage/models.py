"""What triage writes: each run's decision and reasons, and the groups that link reports through a
shared identifier (a campaign when one identifier keeps coming back)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.privacy.sealing import SealedField
from intake.types import BigId, UTCDateTime, utcnow


class TriageDecision(Model):
    """One run of the rules on one report: the priority, and the names of the rules that fired."""

    __tablename__ = "triage_decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    priority: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    rules_version: Mapped[str] = mapped_column(String(40))

    __table_args__ = (Index("ix_triage_decisions_report", "report_id", "id"),)


def group_place(group: IdentifierGroup) -> str:
    return f"{group.kind}:{group.blind_index}"


class IdentifierGroup(Model):
    """Every report that named one identifier (a phone, an IBAN, a URL…): one row, with a count, so
    a URL reported ten thousand times is one group and linking a new report costs the same."""

    __tablename__ = "identifier_groups"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The identifier's blind index (what groups reports), and the identifier itself, sealed, for the
    # officers and admins who read the campaign (bound to the kind and the blind index).
    blind_index: Mapped[str] = mapped_column(String(64))
    normalised_sealed: Mapped[str] = mapped_column("normalised", Text)
    normalised = SealedField("normalised_sealed", "identifier_groups.normalised", group_place)
    report_count: Mapped[int] = mapped_column(default=0)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the identifier reached the campaign threshold within the window.
    campaign_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("kind", "blind_index"),
        Index("ix_identifier_groups_campaign", "campaign_at"),
    )


class GroupMember(Model):
    """A report in a group; unique, so triage running twice cannot count a report twice."""

    __tablename__ = "identifier_group_members"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("identifier_groups.id", ondelete="CASCADE"))
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    # Copied from the report so that "how many in the last 30 days" reads one index range.
    report_created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("group_id", "report_id"),
        Index("ix_identifier_group_members_recent", "group_id", "report_created_at"),
    )
