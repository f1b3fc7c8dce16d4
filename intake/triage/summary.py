"""What triage found about one report, for the officer's first minute: the priority and why, the
identifiers with the other reports that name them, campaigns, a probable duplicate, the evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, true

from intake.extensions import db
from intake.reports.evidence import download_name
from intake.reports.models import EvidenceFile, Report, SuspectIdentifier
from intake.triage.models import GroupMember, IdentifierGroup, TriageDecision
from intake.triage.rules import RULES_BY_NAME

OTHER_REFERENCES_SHOWN = 10


@dataclass(frozen=True)
class Reason:
    rule: str
    priority: str
    label: str  # in the current language


@dataclass(frozen=True)
class LinkedIdentifier:
    kind: str
    value: str  # as the citizen typed it
    normalised: str
    other_reports: int
    # The most recent other reports naming it (at most OTHER_REFERENCES_SHOWN), newest first.
    other_references: tuple[str, ...]
    group_id: int | None
    campaign_since: datetime | None


@dataclass(frozen=True)
class EvidenceSummary:
    id: int
    original_name: str
    size: int
    media_type: str
    sha256: str
    check_status: str
    rejection_reason: str | None
    has_preview: bool
    # What the download is called (`capture-1.png`): after the content, never the citizen's name.
    download_name: str
    active_content: tuple[str, ...]


@dataclass(frozen=True)
class TriageSummary:
    reference: str
    status: str
    priority: str | None
    reasons: tuple[Reason, ...]
    decided_at: datetime | None
    rules_version: str | None
    identifiers: tuple[LinkedIdentifier, ...]
    duplicate_of: str | None  # None too when the viewer may not open it
    evidence: tuple[EvidenceSummary, ...]

    @property
    def in_campaign(self) -> bool:
        return any(item.campaign_since for item in self.identifiers)


def _reasons(decision: TriageDecision | None) -> tuple[Reason, ...]:
    if decision is None:
        return ()
    reasons = []
    for name in decision.reasons:
        rule = RULES_BY_NAME.get(name)  # a rule removed since keeps its name in the record
        reasons.append(Reason(name, rule.priority.value if rule else "", str(rule.label) if rule else name))
    return tuple(reasons)


def _linked(
    report_id: int, suspect: SuspectIdentifier, visible: ColumnElement[bool] | None
) -> LinkedIdentifier:
    group = db.session.scalar(
        select(IdentifierGroup).where(
            IdentifierGroup.kind == suspect.kind, IdentifierGroup.blind_index == suspect.blind_index
        )
    )
    if group is None:  # not triaged yet
        return LinkedIdentifier(suspect.kind, suspect.value, suspect.normalised, 0, (), None, None)
    others = db.session.scalars(
        select(Report.reference)
        .join(GroupMember, GroupMember.report_id == Report.id)
        .where(GroupMember.group_id == group.id, GroupMember.report_id != report_id)
        .where(visible if visible is not None else true())
        .order_by(GroupMember.report_created_at.desc())
        .limit(OTHER_REFERENCES_SHOWN)
    ).all()
    return LinkedIdentifier(
        suspect.kind,
        suspect.value,
        suspect.normalised,
        max(group.report_count - 1, 0),
        tuple(others),
        group.id,
        group.campaign_at,
    )


def triage_summary(report_id: int, visible: ColumnElement[bool] | None = None) -> TriageSummary | None:
    """What triage found, for the case page; `visible` limits the other reports it names to those
    the viewer may open (intake.officer.need_to_know)."""
    report = db.session.get(Report, report_id)
    if report is None:
        return None
    decision = db.session.scalar(
        select(TriageDecision)
        .where(TriageDecision.report_id == report_id)
        .order_by(TriageDecision.id.desc())
        .limit(1)
    )
    duplicate_of = (
        db.session.scalar(
            select(Report.reference)
            .where(Report.id == report.duplicate_of_id)
            .where(visible if visible is not None else true())
        )
        if report.duplicate_of_id
        else None
    )
    evidence = db.session.scalars(
        select(EvidenceFile).where(EvidenceFile.report_id == report_id).order_by(EvidenceFile.id)
    )
    return TriageSummary(
        reference=report.reference,
        status=report.status,
        priority=report.priority,
        reasons=_reasons(decision),
        decided_at=decision.decided_at if decision else None,
        rules_version=decision.rules_version if decision else None,
        identifiers=tuple(_linked(report_id, suspect, visible) for suspect in report.suspects),
        duplicate_of=duplicate_of,
        evidence=tuple(
            EvidenceSummary(
                item.id,
                item.original_name,
                item.size,
                item.media_type,
                item.sha256,
                item.check_status,
                item.rejection_reason,
                item.preview_name is not None,
                download_name(item.media_type, position),
                tuple(item.active_content.split(",")) if item.active_content else (),
            )
            for position, item in enumerate(evidence, start=1)
        ),
    )


def evidence_download_name(item: EvidenceFile) -> str:
    """The name the case page shows for this file: its place among the report's files, and its type."""
    position = db.session.scalar(
        select(func.count()).where(EvidenceFile.report_id == item.report_id, EvidenceFile.id <= item.id)
    )
    return download_name(item.media_type, position or 1)
