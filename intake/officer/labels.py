"""Short names of statuses and priorities, for officers (citizens read intake.reports.status_text)."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from intake.i18n import format_number
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


MEDIA_TYPE_NAMES: dict[str, LazyString] = {
    "image/png": _l("PNG image"),
    "image/jpeg": _l("JPEG image"),
    "application/pdf": _l("PDF document"),
    "text/plain": _l("Text"),
    "message/rfc822": _l("E-mail message"),
    "video/mp4": _l("MP4 video"),
}
# The evidence check records its reasons in English (intake.triage.evidence_checks); officers read
# them in their language. A reason not known here is shown as it was recorded.
_REJECTIONS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(r"the content is not an accepted type"),
        lambda _: str(_l("The content is not a type we accept.")),
    ),
    (
        re.compile(r"the content is (\S+), not (\S+)"),
        lambda m: str(
            _l(
                "The content is a %(found)s, not a %(declared)s.",
                found=media_type_name(m.group(1)),
                declared=media_type_name(m.group(2)),
            )
        ),
    ),
    (
        re.compile(r"the file changed since it was received"),
        lambda _: str(_l("The file changed after it was received.")),
    ),
    (
        re.compile(r"over the pixel limit \(([\d,]+) pixels\)"),
        lambda m: str(
            _l(
                "The image is larger than %(pixels)s pixels.",
                pixels=format_number(int(m.group(1).replace(",", ""))),
            )
        ),
    ),
    (re.compile(r"decompression bomb"), lambda _: str(_l("A decompression bomb: it was not opened."))),
    (re.compile(r"not enough memory"), lambda _: str(_l("Not enough memory to open the image."))),
    (re.compile(r"corrupt image"), lambda _: str(_l("The image is damaged and cannot be opened."))),
)


def media_type_name(media_type: str) -> str:
    return str(MEDIA_TYPE_NAMES.get(media_type, media_type))


def rejection_text(reason: str) -> str:
    for pattern, text in _REJECTIONS:
        match = pattern.match(reason)
        if match:
            return text(match)
    return reason


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
