"""The one owner of a report's status. Triage, every officer action and the citizen's answer move a
report through `move`; a change that keeps the status but must be seen by whoever acts next (a new
assignee) goes through `amend`. Nothing else writes `status`, `version` or the history, and a test
walks the whole workflow to prove it (tests/test_status_owner.py).

Each change checks the workflow table, compares the version the actor saw (optimistic locking: a
stale version is a conflict, and nothing is overwritten), writes the history, bumps the version and
records a case event, all in the caller's transaction: the request or the task commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm.attributes import set_committed_value

from intake.extensions import db
from intake.privacy.sealing import new_seal_id
from intake.reports.events import record_event
from intake.reports.models import (
    ActorKind,
    CaseEvent,
    CaseEventKind,
    Report,
    ReportMessage,
    ReportStatus,
    StatusChange,
)
from intake.reports.workflow import MESSAGE_REQUIRED, REASON_REQUIRED, may_move
from intake.stats.status_counts import count_change
from intake.types import table_of, utcnow

# Columns a change may set besides the status; never the status, the version or timestamps.
_AMENDABLE = frozenset({"assigned_to_id", "citizen_replied_at"})


@dataclass(frozen=True)
class Actor:
    """Who makes a change: typed, and stored as columns (kind, staff id), never as a string to parse."""

    kind: ActorKind
    staff_id: int | None = None
    role: str | None = None  # a staff member's role: what the workflow table checks

    @classmethod
    def citizen(cls) -> Actor:
        return cls(ActorKind.CITIZEN)

    @classmethod
    def triage(cls) -> Actor:
        return cls(ActorKind.TRIAGE)

    @classmethod
    def staff(cls, staff_id: int, role: str) -> Actor:
        return cls(ActorKind.STAFF, staff_id, role)

    @property
    def who(self) -> str:
        """The name the workflow table gives this actor: a staff role, `triage` or `citizen`."""
        return (self.role or "") if self.kind is ActorKind.STAFF else self.kind.value


_INSERT_HISTORY = insert(table_of(StatusChange))


class StatusConflict(Exception):
    """The report changed since the actor read it (another officer, the citizen, a second delivery
    of a triage job): nothing was written."""


class StatusRefused(ValueError):
    """The workflow does not allow this change; `code` says why (`workflow`, `reason`, `message`,
    `erased`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def record_filing(report_id: int, at: datetime) -> None:
    """The first step of a new report's history (received, from the citizen), written with the report."""
    _record_step(report_id, None, ReportStatus.RECEIVED.value, at, Actor.citizen(), None)


def _record_step(
    report_id: int, source: str | None, to: str, at: datetime, actor: Actor, note: str | None
) -> None:
    """One step of the history and its count: one INSERT each, no object made."""
    db.session.execute(_INSERT_HISTORY, history_row(report_id, source, to, at, actor, note))
    count_change(source, to)


def history_row(
    report_id: int, source: str | None, to: str, at: datetime, actor: Actor, note: str | None
) -> dict[str, Any]:
    """One step of the history as its row: the public note sealed to the row's own seal_id."""
    seal_id = new_seal_id()
    return {
        "report_id": report_id,
        "seal_id": seal_id,
        "from_status": source,
        "to_status": to,
        "changed_at": at,
        "actor_kind": actor.kind.value,
        "actor_staff_id": actor.staff_id,
        "public_note": StatusChange.public_note.sealed(note, seal_id),
    }


def record_history(rows: list[dict[str, Any]]) -> None:
    """Whole histories in one INSERT, for a bulk load of reports written with their final status
    (intake.demo.seed), whose steps were played against the workflow table; the loader adds the
    counts' deltas itself (intake.stats.status_counts)."""
    db.session.execute(_INSERT_HISTORY, rows)


def move(
    report: Report,
    to: str,
    actor: Actor,
    *,
    reason: str | None = None,
    message: str | None = None,
    expected_version: int | None = None,
    **values: Any,
) -> CaseEvent:
    """Move `report` from its status (as loaded) to `to`, with `values` written in the same UPDATE.

    `reason` is the public note of the history step; `message` a text for the other side (the
    officer's question, the citizen's answer), kept as a message of the report. Raises StatusRefused
    when the workflow forbids the move, StatusConflict when the report is no longer in the status
    (or, with `expected_version`, at the version) it was read in.
    """
    source = report.status
    refuse_stale(report, expected_version)
    refuse_erased(report)
    if not may_move(source, to, actor.who):
        raise StatusRefused("workflow")
    if actor.kind is ActorKind.STAFF and to in REASON_REQUIRED and not reason:
        raise StatusRefused("reason")
    if to in MESSAGE_REQUIRED.get(actor.kind.value, ()) and not message:
        raise StatusRefused("message")
    now = utcnow()
    _write(report, expected_version, now, status=to, **values)
    _record_step(report.id, source, to, now, actor, reason)
    if message:
        author = "citizen" if actor.kind is ActorKind.CITIZEN else "officer"
        db.session.add(ReportMessage(report_id=report.id, author=author, body=message, created_at=now))
    return record_event(
        report.id,
        CaseEventKind.STATUS,
        actor.kind,
        actor.staff_id,
        from_status=source,
        to_status=to,
        at=now,
        report_touched=True,
    )


def amend(
    report: Report, actor: Actor, *, expected_version: int | None, kind: CaseEventKind, **values: Any
) -> CaseEvent:
    """A change that keeps the status but that whoever acts next must see (a new assignee): the
    version moves on, so an officer who read the report before it gets a conflict."""
    refuse_stale(report, expected_version)
    refuse_erased(report)
    now = utcnow()
    _write(report, expected_version, now, **values)
    return record_event(
        report.id,
        kind,
        actor.kind,
        actor.staff_id,
        from_status=report.status,
        to_status=report.status,
        at=now,
        report_touched=True,
    )


def refuse_stale(report: Report, expected_version: int | None) -> None:
    """A change decided on an older version is a conflict before anything else: the actor saw
    another state, so the workflow's answer for the current one would not be theirs."""
    if expected_version is not None and expected_version != report.version:
        raise StatusConflict()


def refuse_erased(report: Report) -> None:
    """An erased case is frozen: nothing follows its erasure (the UPDATE checks it again)."""
    if report.erased_at is not None:
        raise StatusRefused("erased")


def _write(report: Report, expected_version: int | None, now: datetime, **values: Any) -> None:
    """UPDATE … WHERE status is still the one read [AND version is the one seen]; bumps the version."""
    unknown = set(values) - _AMENDABLE - {"status"}
    if unknown:
        raise ValueError(f"not for the status owner to write: {sorted(unknown)}")
    statement = update(Report).where(
        Report.id == report.id, Report.status == report.status, Report.erased_at.is_(None)
    )
    if expected_version is not None:
        statement = statement.where(Report.version == expected_version)
    new_version = db.session.scalar(
        statement.values(**values, version=Report.version + 1, updated_at=now, last_event_at=now)
        .returning(Report.version)
        .execution_options(synchronize_session=False)
    )
    if new_version is None:
        raise StatusConflict()
    # The loaded object follows the row, without the ORM taking it for a change of its own.
    for name, value in {**values, "version": new_version, "updated_at": now, "last_event_at": now}.items():
        set_committed_value(report, name, value)
