"""Case events: recorded with every change of a case, then dispatched through the outbox to the
handlers that want them (intake.jobs.CASE_EVENT_HANDLERS). The one hook for what follows a change:
notifications now, retention and statistics later; a new consequence is one more handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import CursorResult, Select, select, update

from intake.extensions import db
from intake.outbox.services import enqueue
from intake.reports.models import ActorKind, CaseEvent, CaseEventKind, Report
from intake.types import utcnow


@dataclass(frozen=True)
class CaseEventHandler:
    name: str
    # Whether this handler has anything to do with an event: asked as the event is recorded, so that
    # an event nobody wants costs no job.
    wants: Callable[[CaseEvent], bool]
    # Does it, in the dispatching job's transaction (adds and flushes; the job commits).
    handle: Callable[[CaseEvent], None]


def case_event_handlers() -> tuple[CaseEventHandler, ...]:
    from intake.jobs import CASE_EVENT_HANDLERS  # the table names services that import this module

    return CASE_EVENT_HANDLERS


def record_event(
    report_id: int,
    kind: CaseEventKind,
    actor_kind: ActorKind,
    actor_staff_id: int | None,
    *,
    from_status: str | None,
    to_status: str | None,
    at: datetime,
    report_touched: bool = False,
) -> CaseEvent:
    """Add the event to the current transaction, and its dispatching job when a handler wants it.
    The report's `last_event_at` (retention counts from it) moves to the event, unless the caller's
    own UPDATE of the report already did (`report_touched`)."""
    event = CaseEvent(
        report_id=report_id,
        kind=kind.value,
        from_status=from_status,
        to_status=to_status,
        actor_kind=actor_kind.value,
        actor_staff_id=actor_staff_id,
        at=at,
    )
    if not any(handler.wants(event) for handler in case_event_handlers()):
        event.dispatched_at = at  # nothing follows from it (yet): never waits for a job
    db.session.add(event)
    if not report_touched:
        db.session.execute(
            update(Report)
            .where(Report.id == report_id)
            .values(last_event_at=at)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    if event.dispatched_at is None:
        enqueue("case_event", event.id)
    return event


def dispatch_event(event_id: int) -> bool:
    """Run the handlers that want the event, once: the event is claimed first (`dispatched_at`, like
    triage's claim), so a second delivery of the job, even a concurrent one, does nothing."""
    claimed: CursorResult[tuple[()]] = db.session.execute(  # type: ignore[assignment]
        update(CaseEvent)
        .where(CaseEvent.id == event_id, CaseEvent.dispatched_at.is_(None))
        .values(dispatched_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return False
    event = db.session.get(CaseEvent, event_id)
    if event is None:  # pragma: no cover - the claim just found it
        return False
    for handler in case_event_handlers():
        if handler.wants(event):
            handler.handle(event)
    db.session.flush()
    return True


def events_waiting(cutoff: datetime) -> Select[int]:
    """Events recorded before `cutoff` and still not dispatched (the reconciler queues them again)."""
    return (
        select(CaseEvent.id)
        .where(CaseEvent.dispatched_at.is_(None), CaseEvent.at < cutoff)
        .order_by(CaseEvent.at)
    )
