"""The one state machine of a report's status: which status may follow which, and who may move it.

received → triaged → assigned → in_progress ⇄ needs_info → referred | resolved | rejected
(plus reopen, by a supervisor)

"Who" is a staff role, or the triage worker, or the citizen (intake.reports.status.Actor.who).
"""

from __future__ import annotations

from intake.reports.models import ActorKind
from intake.reports.models import ReportStatus as S
from intake.staff.models import ALL_STAFF, SUPERVISORS

TRIAGE = ActorKind.TRIAGE.value
CITIZEN = ActorKind.CITIZEN.value
_EVERY_STAFF = frozenset(role.value for role in ALL_STAFF)
_SUPERVISORS = frozenset(role.value for role in SUPERVISORS)

# (from, to) -> who may make that move.
TRANSITIONS: dict[tuple[S, S], frozenset[str]] = {
    (S.RECEIVED, S.TRIAGED): frozenset({TRIAGE}),
    (S.TRIAGED, S.ASSIGNED): _EVERY_STAFF,
    (S.TRIAGED, S.REJECTED): _EVERY_STAFF,
    (S.ASSIGNED, S.IN_PROGRESS): _EVERY_STAFF,
    (S.ASSIGNED, S.REJECTED): _EVERY_STAFF,
    (S.IN_PROGRESS, S.NEEDS_INFO): _EVERY_STAFF,
    # the citizen's answer brings the report back to the officer
    (S.NEEDS_INFO, S.IN_PROGRESS): _EVERY_STAFF | {CITIZEN},
    (S.IN_PROGRESS, S.REFERRED): _EVERY_STAFF,
    (S.IN_PROGRESS, S.RESOLVED): _EVERY_STAFF,
    (S.IN_PROGRESS, S.REJECTED): _EVERY_STAFF,
    (S.NEEDS_INFO, S.REFERRED): _EVERY_STAFF,
    (S.NEEDS_INFO, S.RESOLVED): _EVERY_STAFF,
    (S.NEEDS_INFO, S.REJECTED): _EVERY_STAFF,
    # reopen a closed case
    (S.REFERRED, S.IN_PROGRESS): _SUPERVISORS,
    (S.RESOLVED, S.IN_PROGRESS): _SUPERVISORS,
    (S.REJECTED, S.IN_PROGRESS): _SUPERVISORS,
}

# Moves that need a reason, kept in the history (and shown to the citizen as the public note).
REASON_REQUIRED = frozenset({S.REJECTED, S.REFERRED})
# Moves that need a text for the other side: an officer's question, the citizen's answer.
MESSAGE_REQUIRED: dict[str, frozenset[S]] = {
    ActorKind.STAFF.value: frozenset({S.NEEDS_INFO}),
    CITIZEN: frozenset({S.IN_PROGRESS}),
}


def allowed_next(status: str, who: str) -> list[S]:
    """The statuses `who` may move a report to from `status`, in workflow order."""
    return [to for (frm, to), allowed in TRANSITIONS.items() if frm == status and who in allowed]


def may_move(status: str, to: str, who: str) -> bool:
    return to in allowed_next(status, who)
