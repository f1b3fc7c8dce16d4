"""The one state machine of a report's status: which status may follow which, and who may move it.

received → triaged → assigned → in_progress ⇄ needs_info → referred | resolved | rejected
(plus reopen, by a supervisor)
"""

from __future__ import annotations

from intake.reports.models import ReportStatus as S
from intake.staff.models import Role

# (from, to) -> the roles that may make that move; triage alone moves received -> triaged.
TRANSITIONS: dict[tuple[S, S], frozenset[Role]] = {}
_EVERY_STAFF = frozenset(Role)
_SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})
for _from, _to, _who in (
    (S.TRIAGED, S.ASSIGNED, _EVERY_STAFF),
    (S.TRIAGED, S.REJECTED, _EVERY_STAFF),
    (S.ASSIGNED, S.IN_PROGRESS, _EVERY_STAFF),
    (S.ASSIGNED, S.REJECTED, _EVERY_STAFF),
    (S.IN_PROGRESS, S.NEEDS_INFO, _EVERY_STAFF),
    (S.NEEDS_INFO, S.IN_PROGRESS, _EVERY_STAFF),
    (S.IN_PROGRESS, S.REFERRED, _EVERY_STAFF),
    (S.IN_PROGRESS, S.RESOLVED, _EVERY_STAFF),
    (S.IN_PROGRESS, S.REJECTED, _EVERY_STAFF),
    (S.NEEDS_INFO, S.REFERRED, _EVERY_STAFF),
    (S.NEEDS_INFO, S.RESOLVED, _EVERY_STAFF),
    (S.NEEDS_INFO, S.REJECTED, _EVERY_STAFF),
    # reopen a closed case
    (S.REFERRED, S.IN_PROGRESS, _SUPERVISORS),
    (S.RESOLVED, S.IN_PROGRESS, _SUPERVISORS),
    (S.REJECTED, S.IN_PROGRESS, _SUPERVISORS),
):
    TRANSITIONS[(_from, _to)] = _who

# Moves that need a reason, kept in the history (and shown to the citizen as the public note).
REASON_REQUIRED = frozenset({S.REJECTED, S.REFERRED})
# Moves that need a question or a message for the citizen.
MESSAGE_REQUIRED = frozenset({S.NEEDS_INFO})


def allowed_next(status: str, role: str) -> list[S]:
    """The statuses this role may move a report to from `status`, in workflow order."""
    return [to for (frm, to), who in TRANSITIONS.items() if frm == status and role in who]


def may_move(status: str, to: str, role: str) -> bool:
    return to in allowed_next(status, role)
