"""The triage queue: open reports, most urgent first then oldest (or by age alone), a page at a time
by keyset (the position of the last row seen), so that every page costs one index range whatever the
table's size."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, UnaryExpression, and_, func, or_, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from intake.clock import end_of_day, start_of_day
from intake.extensions import db
from intake.privacy.blind import suspect_index
from intake.privacy.models import ErasureRequest
from intake.reports.identifiers import IdentifierError, normalise_identifier
from intake.reports.models import (
    OPEN_STATUSES,
    UNTRIAGED_RANK,
    Priority,
    Report,
    SuspectIdentifier,
    SuspectKind,
)
from intake.reports.receipts import clean_reference
from intake.stats.status_counts import current_counts
from intake.triage.models import GroupMember
from intake.types import utcnow

PAGE_SIZE = 50
# Service-level targets from filing: past them, a report stands out as overdue.
SERVICE_TARGETS = {
    Priority.URGENT.value: timedelta(hours=1),
    Priority.HIGH.value: timedelta(hours=24),
    Priority.NORMAL.value: timedelta(hours=72),
    Priority.LOW.value: timedelta(days=7),
}


@dataclass(frozen=True)
class QueueFilters:
    status: str | None = None
    priority: str | None = None
    category: str | None = None
    region: str | None = None
    assigned: str = "mine_or_unassigned"  # or "mine", "unassigned", "all", or a staff id
    search: str | None = None
    filed_from: date | None = None
    filed_to: date | None = None  # inclusive
    group_id: int | None = None  # the reports naming one identifier: a campaign, worked together
    erasure_requests: bool = False  # reports whose citizen asked for erasure, open or closed


@dataclass(frozen=True)
class QueueRow:
    id: int
    reference: str
    status: str
    priority: str | None
    category: str
    region: str | None
    created_at: datetime
    assigned_to_id: int | None
    age: timedelta
    overdue: bool
    citizen_replied: bool
    demo: bool = False  # made up by `flask demo seed`


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None
    counts: dict[str, int] = field(default_factory=dict)
    erasure_requests: int = 0


@dataclass(frozen=True)
class QueueOrder:
    """One way to sort the queue: the key columns, walked ascending or descending. Each order has an
    index whose columns are its key (the priority order `ix_reports_open_queue`, the age orders
    `ix_reports_open_age`, read backwards for the newest first)."""

    name: str
    label: LazyString
    columns: tuple[InstrumentedAttribute[Any], ...]
    descending: bool = False

    def sort(self) -> list[UnaryExpression[Any]]:
        return [c.desc() if self.descending else c.asc() for c in self.columns]

    def after(self, position: tuple[Any, ...]) -> ColumnElement[bool]:
        """The rows that come after `position` in this order."""
        key, seen = tuple_(*self.columns), tuple_(*position)
        return key < seen if self.descending else key > seen

    def position(self, report: Report) -> tuple[Any, ...]:
        return tuple(getattr(report, c.key) for c in self.columns)


# The orders an officer may choose (`?sort=`); anything else is the default, most urgent first.
QUEUE_ORDERS = {
    order.name: order
    for order in (
        QueueOrder("priority", _l("Most urgent first"), (Report.priority_rank, Report.created_at, Report.id)),
        QueueOrder("oldest", _l("Oldest first"), (Report.created_at, Report.id)),
        QueueOrder("newest", _l("Newest first"), (Report.created_at, Report.id), descending=True),
    )
}
DEFAULT_ORDER = QUEUE_ORDERS["priority"]


def queue_order(name: str | None) -> QueueOrder:
    return QUEUE_ORDERS.get(name or "", DEFAULT_ORDER)


def encode_cursor(order: QueueOrder, report: Report) -> str:
    values = [v.isoformat() if isinstance(v, datetime) else v for v in order.position(report)]
    return base64.urlsafe_b64encode(json.dumps([order.name, *values]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, order: QueueOrder = DEFAULT_ORDER) -> tuple[Any, ...] | None:
    """The position a cursor names, if it was made for this order; a tampered cursor, or one from
    another order, starts again from the first page."""
    if not cursor:
        return None
    try:
        name, *values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if name != order.name or len(values) != len(order.columns):
            return None
        return tuple(_key_value(c, v) for c, v in zip(order.columns, values, strict=True))
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        return None


def _key_value(column: InstrumentedAttribute[Any], value: Any) -> int | datetime:
    if column is Report.created_at:
        instant = datetime.fromisoformat(value)
        if instant.tzinfo is None:
            raise ValueError("a position is an instant in UTC")
        return instant
    if type(value) is not int:  # JSON's 1.5, 1e400 or Infinity is no row's position
        raise ValueError("a position's key is a whole number")
    number = value
    low, high = (0, UNTRIAGED_RANK) if column is Report.priority_rank else (1, 2**62 - 1)
    if not low <= number <= high:
        raise ValueError("out of range")
    return number


def _search(text: str) -> ColumnElement[bool] | None:
    """A reference, or an identifier in any of its forms (normalised as triage does)."""
    reference = clean_reference(text)
    if reference:
        return Report.reference == reference
    forms = set()
    for kind in SuspectKind:
        try:
            forms.add((kind.value, normalise_identifier(kind.value, text)))
        except IdentifierError:
            continue
    if not forms:
        return None
    matches = select(SuspectIdentifier.report_id).where(
        or_(
            *(
                and_(SuspectIdentifier.kind == k, SuspectIdentifier.blind_index == suspect_index(k, n))
                for k, n in forms
            )
        )
    )
    return Report.id.in_(matches)


def _conditions(
    filters: QueueFilters, viewer_id: int, visible: ColumnElement[bool] | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Report.status.in_([s.value for s in OPEN_STATUSES])]
    if filters.erasure_requests:  # a request waits on closed reports too
        conditions = [
            Report.id.in_(select(ErasureRequest.report_id).where(ErasureRequest.decided_at.is_(None)))
        ]
    if visible is not None:
        conditions.append(visible)
    if filters.status:
        conditions.append(Report.status == filters.status)
    if filters.priority:
        conditions.append(Report.priority == filters.priority)
    if filters.category:
        conditions.append(Report.category == filters.category)
    if filters.region:
        conditions.append(Report.region == filters.region)
    if filters.assigned == "mine":
        conditions.append(Report.assigned_to_id == viewer_id)
    elif filters.assigned == "unassigned":
        conditions.append(Report.assigned_to_id.is_(None))
    elif filters.assigned.isdigit():
        conditions.append(Report.assigned_to_id == int(filters.assigned))
    elif filters.assigned != "all":
        conditions.append(or_(Report.assigned_to_id.is_(None), Report.assigned_to_id == viewer_id))
    # Filing dates are days in Morocco, as the officer lives them (intake.clock).
    if filters.filed_from:
        conditions.append(Report.created_at >= start_of_day(filters.filed_from))
    filed_before = end_of_day(filters.filed_to) if filters.filed_to else None
    if filed_before is not None:
        conditions.append(Report.created_at < filed_before)
    if filters.group_id is not None:
        members = select(GroupMember.report_id).where(GroupMember.group_id == filters.group_id)
        conditions.append(Report.id.in_(members))
    if filters.search:
        found = _search(filters.search.strip())
        conditions.append(found if found is not None else Report.id.is_(None))
    return conditions


def queue_page(
    filters: QueueFilters,
    viewer_id: int,
    cursor: str | None = None,
    size: int = PAGE_SIZE,
    visible: ColumnElement[bool] | None = None,
    order: QueueOrder = DEFAULT_ORDER,
) -> QueuePage:
    """A page of the queue; `visible` is the viewer's need-to-know (intake.officer.need_to_know):
    nothing outside it is ever listed, whatever the filters or the search."""
    query = select(Report).where(*_conditions(filters, viewer_id, visible))
    position = decode_cursor(cursor, order)
    if position is not None:
        query = query.where(order.after(position))
    reports = db.session.scalars(query.order_by(*order.sort()).limit(size + 1)).all()
    now = utcnow()
    rows = [
        QueueRow(
            r.id,
            r.reference,
            r.status,
            r.priority,
            r.category,
            r.region,
            r.created_at,
            r.assigned_to_id,
            now - r.created_at,
            r.priority is not None and now - r.created_at > SERVICE_TARGETS[r.priority],
            r.citizen_replied_at is not None,
            r.demo,
        )
        for r in reports[:size]
    ]
    next_cursor = encode_cursor(order, reports[size - 1]) if len(reports) > size else None
    return QueuePage(rows, next_cursor, status_counts(), pending_erasure_requests())


def next_case(
    report: Report, viewer_id: int, visible: ColumnElement[bool] | None, order: QueueOrder = DEFAULT_ORDER
) -> str | None:
    """The reference of the case after `report` in the officer's queue (as it opens, unfiltered, in
    `order`): one step along the order's index from the report's own position."""
    query = (
        select(Report.reference)
        .where(*_conditions(QueueFilters(), viewer_id, visible), order.after(order.position(report)))
        .order_by(*order.sort())
        .limit(1)
    )
    return db.session.scalar(query)


def status_counts() -> dict[str, int]:
    """Open reports per status, as kept by the status owner (intake.stats.status_counts): the same
    cost with a backlog of a hundred or of a million."""
    return current_counts(s.value for s in OPEN_STATUSES)


def pending_erasure_requests() -> int:
    """Requests to erase waiting for an officer (a partial index keeps this small)."""
    return int(
        db.session.scalar(select(func.count(ErasureRequest.id)).where(ErasureRequest.decided_at.is_(None)))
        or 0
    )
