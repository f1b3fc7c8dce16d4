"""Need-to-know (ASVS 4.2.1, 4.1.3): one rule, used by every route that opens a case and by the
queue and search in SQL, so that nothing is listed that cannot be opened.

An officer reads the reports nobody holds yet and the cases assigned to them; they act on their own
cases, and on an unassigned one only to take it (claiming it, or moving its status, which takes it).
A colleague's case is closed to them: to read, to act, to write to the citizen, to add a note, to
download its evidence. Supervisors and admins see and act on every case. Every refusal is audited.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, or_

from intake.extensions import db
from intake.officer.audit import record
from intake.reports.models import Report
from intake.staff.models import is_supervisor
from intake.unit_of_work import commit

# Actions that take an unassigned report: the first thing an officer does with a new case.
TAKING_ACTIONS = frozenset({"claim", "status"})


def may_read(role: str, staff_id: int, assigned_to_id: int | None) -> bool:
    return is_supervisor(role) or assigned_to_id is None or assigned_to_id == staff_id


def may_act(role: str, staff_id: int, assigned_to_id: int | None, action: str) -> bool:
    if is_supervisor(role) or assigned_to_id == staff_id:
        return True
    return assigned_to_id is None and action in TAKING_ACTIONS


def readable(role: str, staff_id: int) -> ColumnElement[bool] | None:
    """`may_read` in SQL, for the queue and the search: None when the viewer may read every report."""
    if is_supervisor(role):
        return None
    return or_(Report.assigned_to_id.is_(None), Report.assigned_to_id == staff_id)


def refuse(staff_id: int, report_id: int, ip: str | None, action: str) -> None:
    """Audit the refusal in a transaction of its own (the request's is rolled back), then 403."""
    db.session.rollback()
    record("access_denied", staff_id, report_id, ip, attempted=action)
    commit()
    abort(403)


def require_read(report: Report, role: str, staff_id: int, ip: str | None, action: str = "view") -> None:
    if not may_read(role, staff_id, report.assigned_to_id):
        refuse(staff_id, report.id, ip, action)


def require_act(report: Report, role: str, staff_id: int, ip: str | None, action: str) -> None:
    if not may_act(role, staff_id, report.assigned_to_id, action):
        refuse(staff_id, report.id, ip, action)
