"""The demo's bulk load: a year of reports written in one pass, by INSERT statements of many rows.

Each report is written as filing writes it (intake.reports.services.report_row and suspect_rows:
sealed, blind-indexed), triaged as triage would triage it at that moment (the real rules, and its
links: identifier groups, campaigns, probable duplicates, computed here for the whole year in
order), then worked on by the demo's staff (intake.demo.casework). Nothing is left for the worker:
no job is queued, every case event is already dispatched, every evidence file already checked. The
status counts get one delta per status, as the status owner would have written them one by one.

Services add and flush; the command commits once (or removes the files written if it cannot).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, func, insert, select, update

from intake.clock import local_date
from intake.demo.accounts import DemoAccount, create_demo_accounts
from intake.demo.casework import (
    AuditEntry,
    CaseFacts,
    CaseLife,
    CaseWorker,
    Event,
    Member,
    Message,
    Note,
    Team,
)
from intake.demo.drafts import Draft, draw_drafts, filing_times, identifier_mix
from intake.demo.identifiers import IdentifierDraw
from intake.demo.links import YearOfLinks
from intake.demo.screenshots import MEDIA_TYPE, store_screenshot
from intake.extensions import db
from intake.officer.models import AuditEvent, CaseNote
from intake.privacy.sealing import new_seal_id
from intake.reports.evidence import EvidenceStore, evidence_store
from intake.reports.models import (
    PRIORITY_RANK,
    CaseEvent,
    EvidenceCheck,
    EvidenceFile,
    Report,
    ReportMessage,
    ReportStatus,
    SuspectIdentifier,
)
from intake.reports.receipts import new_receipt, new_reference
from intake.reports.services import report_row, suspect_rows
from intake.reports.status import history_row, record_history
from intake.reports.submission import ReportSubmission, SuspectEntry
from intake.staff.models import Role
from intake.stats.models import StatusCountDelta
from intake.taxonomy import CATEGORY_BY_CODE
from intake.triage.models import GroupMember, IdentifierGroup, TriageDecision
from intake.triage.rules import RULES_VERSION, ReportFacts, decide
from intake.types import table_of, utcnow

DEFAULT_REPORTS = 2_000
CHUNK = 500  # reports per round of INSERT statements (and per step of the progress bar)
CAMPAIGNS_PER_REPORT = 1 / 40  # identifiers that many reports name while their scheme runs
EVIDENCE_SHARE = 0.012

_REPORTS = table_of(Report)
_INSERT_REPORTS = insert(_REPORTS).returning(_REPORTS.c.id, sort_by_parameter_order=True)
_GROUPS = table_of(IdentifierGroup)
_INSERT_GROUPS = insert(_GROUPS).returning(_GROUPS.c.id, sort_by_parameter_order=True)
_CHILD_TABLES = {
    name: insert(table_of(model))
    for name, model in (
        ("suspects", SuspectIdentifier),
        ("events", CaseEvent),
        ("messages", ReportMessage),
        ("notes", CaseNote),
        ("audit", AuditEvent),
        ("decisions", TriageDecision),
        ("evidence", EvidenceFile),
        ("members", GroupMember),
    )
}


class DemoRefused(Exception):
    """The database is not one demo data may be added to; `real` or `seeded` says why."""

    def __init__(self, code: str, count: int) -> None:
        super().__init__(code)
        self.code = code
        self.count = count


@dataclass(frozen=True)
class DatabaseContents:
    real_reports: int
    demo_reports: int


def database_contents() -> DatabaseContents:
    rows = {
        bool(demo): int(n)
        for demo, n in db.session.execute(select(Report.demo, func.count()).group_by(Report.demo))
    }
    return DatabaseContents(rows.get(False, 0), rows.get(True, 0))


def refuse_unless_empty() -> None:
    """Demo data go into an empty database only: never beside real reports (a demo report could be
    taken for a victim's), nor twice."""
    contents = database_contents()
    if contents.real_reports:
        raise DemoRefused("real", contents.real_reports)
    if contents.demo_reports:
        raise DemoRefused("seeded", contents.demo_reports)


@dataclass(frozen=True)
class SeedResult:
    reports: int
    accounts: list[DemoAccount]
    statuses: dict[str, int]
    identifier_groups: int
    campaigns: int
    evidence_files: int
    # Every file written (originals and previews), for the caller to remove if the commit fails.
    stored_names: list[str]
    # A reference and its receipt, to try the citizen's tracking page (a question waits there if any does).
    sample: tuple[str, str] | None


def seed_demo(
    count: int = DEFAULT_REPORTS,
    *,
    now: datetime | None = None,
    seed: int | None = None,
    store: EvidenceStore | None = None,
    progress: Callable[[int], object] | None = None,
) -> SeedResult:
    """Fill an empty database with `count` demo reports over the twelve months of the dashboard,
    with the demo's staff and their case work. Raises DemoRefused unless the database holds no report.
    The caller commits; if it cannot, it removes `stored_names` from the store."""
    refuse_unless_empty()
    rng = random.Random(seed)  # noqa: S311 - made-up data, never a secret
    builder = _Builder(count, now or utcnow(), rng, store or evidence_store())
    try:
        return builder.build(progress)
    except BaseException:
        for name in builder.stored_names:
            builder.store.delete(name)
        raise


class _Builder:
    def __init__(self, count: int, now: datetime, rng: random.Random, store: EvidenceStore) -> None:
        config = current_app.config
        self.count = count
        self.now = now.astimezone(UTC)
        self.rng = rng
        self.store = store
        self.links = YearOfLinks(config["CAMPAIGN_THRESHOLD"], timedelta(days=config["CAMPAIGN_WINDOW_DAYS"]))
        self.stored_names: list[str] = []
        self.report_ids: list[int] = []
        self.references: list[str] = []
        self._taken: set[str] = set()
        self.statuses: Counter[str] = Counter()
        self.sample: tuple[str, str] | None = None

    def build(self, progress: Callable[[int], object] | None) -> SeedResult:
        accounts = create_demo_accounts()
        self.worker = CaseWorker(self.rng, _team(accounts), self.now)
        times = filing_times(self.rng, self.count, self.now)
        campaigns = max(12, round(self.count * CAMPAIGNS_PER_REPORT))
        identifiers = IdentifierDraw(self.rng, campaigns, times[0], self.now, identifier_mix())
        drafts = draw_drafts(self.rng, times, self.now, identifiers)
        eligible = [i for i, d in enumerate(drafts) if CATEGORY_BY_CODE[d.category].evidence_allowed]
        wanted = min(len(eligible), max(3, round(self.count * EVIDENCE_SHARE)))
        with_evidence = set(self.rng.sample(eligible, wanted))
        for start in range(0, len(drafts), CHUNK):
            self._write_chunk(drafts, range(start, min(start + CHUNK, len(drafts))), with_evidence)
            if progress:
                progress(min(start + CHUNK, len(drafts)))
        self._write_groups()
        self._write_duplicates()
        db.session.execute(
            insert(table_of(StatusCountDelta)),
            [{"status": status, "delta": n} for status, n in sorted(self.statuses.items())],
        )
        db.session.flush()
        groups = self.links.groups.values()
        return SeedResult(
            reports=len(drafts),
            accounts=accounts,
            statuses=dict(self.statuses),
            identifier_groups=len(groups),
            campaigns=sum(1 for g in groups if g.campaign_at),
            evidence_files=len(with_evidence),
            stored_names=list(self.stored_names),
            sample=self.sample,
        )

    def _write_chunk(self, drafts: list[Draft], indexes: range, with_evidence: set[int]) -> None:
        rows, submissions, lives, decisions = [], [], [], []
        for index in indexes:
            draft = drafts[index]
            submission = _submission(draft)
            reference, receipt = self._reference(), new_receipt()
            row = report_row(submission, draft.language, draft.channel, reference, receipt, draft.created_at)
            triaged_at = draft.created_at + timedelta(seconds=self.rng.uniform(20, 480))
            seen, in_campaign = self.links.link(index, draft.created_at, draft.suspects, triaged_at)
            facts = ReportFacts(
                category=draft.category,
                description=draft.description,
                incident_date=draft.incident_date,
                filed_on=local_date(draft.created_at),
                loss_amount=draft.loss_amount,
                loss_currency=submission.loss_currency,
                seen_in_other_reports=seen,
                in_campaign=in_campaign,
            )
            decision = decide(facts)
            contacts = [f"{c}:{row[c]}" for c in ("reporter_email_index", "reporter_phone_index") if row[c]]
            original = self.links.duplicate_of(index, draft.created_at, draft.description, contacts)
            life = CaseLife(draft.created_at)
            self.worker.work(
                life,
                CaseFacts(
                    triaged_at,
                    decision.priority,
                    draft.category,
                    draft.language,
                    draft.variety,
                    draft.city,
                    self.references[original] if original is not None else None,
                ),
            )
            row.update(
                status=life.status,
                priority=decision.priority.value,
                priority_rank=PRIORITY_RANK[decision.priority],
                version=life.version,
                updated_at=life.last_event_at,
                last_event_at=life.last_event_at,
                assigned_to_id=life.assigned_to_id,
                citizen_replied_at=life.citizen_replied_at,
                demo=True,
            )
            self.statuses[life.status] += 1
            if life.status == ReportStatus.NEEDS_INFO.value or self.sample is None:
                self.sample = (reference, receipt)  # the last one waiting for the citizen, if any
            self.references.append(reference)
            rows.append(row)
            submissions.append(submission)
            lives.append(life)
            decisions.append((triaged_at, decision))
        ids = list(db.session.execute(_INSERT_REPORTS, rows).scalars())
        self.report_ids.extend(ids)
        children: dict[str, list[dict[str, Any]]] = {name: [] for name in _CHILD_TABLES}
        history: list[dict[str, Any]] = []
        for offset, index in enumerate(indexes):
            report_id, life = ids[offset], lives[offset]
            triaged_at, decision = decisions[offset]
            children["suspects"] += suspect_rows(submissions[offset], report_id)
            history += [
                history_row(report_id, step.source, step.to, step.at, step.actor, step.note)
                for step in life.steps
            ]
            children["events"] += [_event_row(report_id, event) for event in life.events]
            children["messages"] += [_message_row(report_id, message) for message in life.messages]
            children["notes"] += [_note_row(report_id, note) for note in life.notes]
            children["audit"] += [_audit_row(report_id, entry) for entry in life.audit]
            children["decisions"].append(
                {
                    "report_id": report_id,
                    "decided_at": triaged_at,
                    "priority": decision.priority.value,
                    "reasons": list(decision.reasons),
                    "rules_version": RULES_VERSION,
                }
            )
            if index in with_evidence:
                children["evidence"].append(
                    self._evidence_row(report_id, drafts[index].created_at, triaged_at)
                )
        record_history(history)
        for name, child_rows in children.items():
            if child_rows:
                db.session.execute(_CHILD_TABLES[name], child_rows)

    def _reference(self) -> str:
        while True:
            reference = new_reference()
            if reference not in self._taken:
                self._taken.add(reference)
                return reference

    def _evidence_row(self, report_id: int, filed_at: datetime, triaged_at: datetime) -> dict[str, Any]:
        seal_id = new_seal_id()
        shot = store_screenshot(
            self.store, seal_id, self.rng, filed_at - timedelta(minutes=self.rng.uniform(5, 600))
        )
        self.stored_names += [shot.stored_name, shot.preview_name]
        return {
            "report_id": report_id,
            "seal_id": seal_id,
            "original_name": EvidenceFile.original_name.sealed(shot.original_name, seal_id),
            "stored_name": shot.stored_name,
            "size": shot.size,
            "media_type": MEDIA_TYPE,
            "sha256": shot.sha256,
            "created_at": filed_at,
            "check_status": EvidenceCheck.ACCEPTED.value,
            "preview_name": shot.preview_name,
            "checked_at": triaged_at + timedelta(seconds=self.rng.uniform(2, 40)),
        }

    def _write_groups(self) -> None:
        groups = list(self.links.groups.values())
        if not groups:
            return
        ids = db.session.execute(
            _INSERT_GROUPS,
            [
                {
                    "kind": g.kind,
                    "blind_index": g.blind_index,
                    "normalised": IdentifierGroup.normalised.sealed(
                        g.normalised, f"{g.kind}:{g.blind_index}"
                    ),
                    "report_count": len(g.members),
                    "first_seen_at": g.created[0],
                    "last_seen_at": g.created[-1],
                    "campaign_at": g.campaign_at,
                }
                for g in groups
            ],
        ).scalars()
        members = [
            {"group_id": group_id, "report_id": self.report_ids[i], "report_created_at": created}
            for group_id, group in zip(ids, groups, strict=True)
            for i, created in zip(group.members, group.created, strict=True)
        ]
        db.session.execute(_CHILD_TABLES["members"], members)

    def _write_duplicates(self) -> None:
        if not self.links.duplicates:
            return
        db.session.execute(
            update(_REPORTS)
            .where(_REPORTS.c.id == bindparam("report"))
            # updated_at as the case work left it (the column's onupdate would say "now")
            .values(duplicate_of_id=bindparam("original"), updated_at=_REPORTS.c.updated_at),
            [
                {"report": self.report_ids[i], "original": self.report_ids[j]}
                for i, j in self.links.duplicates
            ],
        )


def _team(accounts: list[DemoAccount]) -> Team:
    members = [
        Member(a.staff_id, a.role, a.language, f"10.20.0.{10 + number}") for number, a in enumerate(accounts)
    ]
    return Team(
        officers=tuple(m for m in members if m.role == Role.OFFICER.value),
        supervisors=tuple(m for m in members if m.role == Role.SUPERVISOR.value),
    )


def _submission(draft: Draft) -> ReportSubmission:
    name, email, phone = draft.reporter
    return ReportSubmission(
        category=draft.category,
        incident_date=draft.incident_date,
        description=draft.description,
        region=draft.region,
        loss_amount=draft.loss_amount,
        loss_currency="MAD" if draft.loss_amount is not None else None,
        suspects=tuple(SuspectEntry(s.kind, s.typed, s.normalised) for s in draft.suspects),
        anonymous=name is None,
        reporter_name=name,
        reporter_email=email,
        reporter_phone=phone,
    )


def _event_row(report_id: int, event: Event) -> dict[str, Any]:
    """Dispatched at once: nothing follows from a demo event (no message to a made-up citizen)."""
    return {
        "report_id": report_id,
        "kind": event.kind.value,
        "from_status": event.source,
        "to_status": event.to,
        "actor_kind": event.actor.kind.value,
        "actor_staff_id": event.actor.staff_id,
        "at": event.at,
        "dispatched_at": event.at,
    }


def _message_row(report_id: int, message: Message) -> dict[str, Any]:
    seal_id = new_seal_id()
    return {
        "report_id": report_id,
        "seal_id": seal_id,
        "author": message.author,
        "body": ReportMessage.body.sealed(message.body, seal_id),
        "created_at": message.at,
    }


def _note_row(report_id: int, note: Note) -> dict[str, Any]:
    seal_id = new_seal_id()
    return {
        "report_id": report_id,
        "seal_id": seal_id,
        "staff_id": note.staff_id,
        "body": CaseNote.body.sealed(note.body, seal_id),
        "created_at": note.at,
    }


def _audit_row(report_id: int, entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at,
        "staff_id": entry.member.staff_id,
        "action": entry.action,
        "report_id": report_id,
        "ip_address": entry.member.ip,
        "details": entry.details,
    }
