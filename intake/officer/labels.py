"""Short names of statuses and priorities, for officers (citizens read intake.reports.status_text)."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from intake.reports.models import ActorKind, EvidenceCheck, Priority, ReportStatus

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


CHECK_NAMES: dict[str, LazyString] = {
    EvidenceCheck.PENDING: _l("Being checked"),
    EvidenceCheck.ACCEPTED: _l("Checked"),
    EvidenceCheck.REJECTED: _l("Rejected by the check"),
}
ACTION_NAMES: dict[str, LazyString] = {
    "view": _l("Viewed"),
    "assign": _l("Assigned"),
    "status": _l("Status changed"),
    "note": _l("Note added"),
    "message": _l("Message sent"),
    "download": _l("Evidence downloaded"),
    "preview": _l("Preview viewed"),
    "erasure": _l("Personal data erased"),
    "erasure_requested": _l("Erasure requested by the citizen"),
    "erasure_refused": _l("Erasure refused"),
    "legal_hold": _l("Legal hold placed"),
    "legal_hold_lifted": _l("Legal hold lifted"),
}
ERASURE_CAUSES: dict[str, LazyString] = {
    "retention": _l("the time for keeping them was over"),
    "citizen_request": _l("at the citizen's request"),
}
# Why a citizen's request to erase is refused, as the officer chooses it (the citizen reads a
# plainer sentence: intake.reports.status_text.REFUSAL_TEXTS).
REFUSAL_NAMES: dict[str, LazyString] = {
    "investigation": _l("An investigation needs this report"),
    "legal_obligation": _l("The law requires keeping it for now"),
}


def check_name(status: str) -> str:
    return str(CHECK_NAMES.get(status, status))


def action_name(action: str) -> str:
    return str(ACTION_NAMES.get(action, action))


def actor_name(kind: str, staff_id: int | None, staff_names: dict[int, str]) -> str:
    """A member of staff by name; the citizen and the triage worker by what they are."""
    if kind == ActorKind.CITIZEN:
        return str(_l("Citizen"))
    if kind == ActorKind.TRIAGE:
        return str(_l("Automatic triage"))
    return staff_names.get(staff_id or 0, "—")


ROLE_NAMES: dict[str, LazyString] = {
    "officer": _l("Officer"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
}


def role_name(role: str) -> str:
    return str(ROLE_NAMES.get(role, role))
