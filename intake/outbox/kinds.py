"""What a kind of background job is: its name (the prefix of its jobs' subjects), its Celery task,
the service it runs, and how the reconciler finds the work it has left undone.

The kinds themselves are one table, `intake.jobs.JOB_KINDS`: the outbox, the worker's tasks, the
reconciler and the dead letters all read it, so adding a kind of job is one entry there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select

# (cutoff) -> the ids of the subjects whose work is still undone and older than the cutoff, oldest
# first; the reconciler adds "and no job of theirs is alive" and a limit.
WaitingQuery = Callable[[datetime], Select[Any]]


@dataclass(frozen=True)
class JobKind:
    name: str
    task: str  # the Celery task's name, kept stable: messages in flight carry it
    run: Callable[[int], object]  # the service; takes the subject's id, adds and flushes
    waiting: WaitingQuery | None = None
    retry: str = "database"  # a retry policy of workers.app.RETRY_POLICIES

    def subject(self, subject_id: int) -> str:
        return f"{self.name}:{subject_id}"


def job_kinds() -> dict[str, JobKind]:
    """Every kind, by name. Imported late: the services the table names import the outbox."""
    from intake.jobs import JOB_KINDS

    return {kind.name: kind for kind in JOB_KINDS}


def job_kind(name: str) -> JobKind:
    try:
        return job_kinds()[name]
    except KeyError:
        raise LookupError(f"no job kind named {name!r} in intake.jobs.JOB_KINDS") from None
