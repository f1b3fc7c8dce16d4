"""Short names of statuses and priorities, for officers (citizens read intake.reports.status_text)."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from intake.reports.models import Priority, ReportStatus

STATUS_NAMES: dict[str, LazyString] = {
    ReportStatus.RECEIVED: _l("Received"),
    ReportStatus.TRIAGED: _l("Triaged"),
    ReportStatus.ASSIGNED: _l("Assigned"),
    ReportStatus.IN_PROGRESS: _l("In progress"),
    ReportStatus.NEEDS_INFO: _l("Waiting for the citizen"),
    ReportStatus.REFERRED: _l("Referred"),
    ReportStatus.RESOLVED: _l("Resolved"),
    ReportStatus.REJECTED: _l("Rejected"),
}
PRIORITY_NAMES: dict[str, LazyString] = {
    Priority.URGENT: _l("Urgent"),
    Priority.HIGH: _l("High"),
    Priority.NORMAL: _l("Normal"),
    Priority.LOW: _l("Low"),
}


def status_name(status: str) -> str:
    return str(STATUS_NAMES.get(status, status))


def priority_name(priority: str | None) -> str:
    return str(PRIORITY_NAMES[priority]) if priority in PRIORITY_NAMES else str(_l("Not triaged yet"))
