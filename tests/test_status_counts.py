"""The queue's counts per status, kept by the status owner (issue 13): exact after any sequence of
changes, folded by beat without losing a delta, and read without touching the reports table, so that
the queue's first page costs the same whatever the backlog."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from intake.extensions import db
from intake.officer.queue import status_counts
from intake.reports.models import OPEN_STATUSES, Report
from intake.reports.status import Actor, move
from intake.stats.models import StatusCountDelta
from intake.stats.status_counts import fold_deltas, recount
from intake.unit_of_work import commit
from tests.conftest import FileAndTriage, SignIn, case_action, run_job


def counted_from_reports() -> dict[str, int]:
    rows = db.session.execute(
        select(Report.status, func.count())
        .where(Report.status.in_([s.value for s in OPEN_STATUSES]))
        .group_by(Report.status)
    )
    return {status: int(count) for status, count in rows}


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@pytest.mark.usefixtures("backend")
def test_the_counts_follow_every_change_and_survive_folding(
    app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn
) -> None:
    client = app.test_client()
    untriaged = [client.post("/api/v1/reports", json={**_payload()}).json["reference"] for _ in range(2)]
    triaged = [filed_and_triaged()["reference"] for _ in range(4)]
    desk = signed_in("supervisor")
    case_action(desk, triaged[0], "claim")
    case_action(desk, triaged[1], "claim")
    case_action(desk, triaged[1], "status", status="in_progress")
    case_action(desk, triaged[2], "status", status="rejected", reason="Hors de notre compétence.")
    assert (
        status_counts()
        == counted_from_reports()
        == {"received": 2, "triaged": 1, "assigned": 1, "in_progress": 1}
    )
    assert fold_deltas() > 0
    commit()
    assert db.session.scalar(select(func.count(StatusCountDelta.id))) == 0
    assert status_counts() == counted_from_reports()
    report = db.session.scalar(select(Report).where(Report.reference == triaged[2]))
    assert report is not None
    move(report, "in_progress", Actor.staff(1, "supervisor"))  # reopened after the fold
    commit()
    assert status_counts() == counted_from_reports() and status_counts()["in_progress"] == 2
    assert untriaged  # two reports still waiting for triage are counted as received


def test_reading_the_counts_never_touches_the_reports(app: Flask, filed_and_triaged: FileAndTriage) -> None:
    filed_and_triaged()
    with statements() as seen:
        status_counts()
    assert seen and not any(" reports" in statement for statement in seen), seen


def test_a_bulk_load_by_sql_is_counted_again(app: Flask, filed_and_triaged: FileAndTriage) -> None:
    filed_and_triaged()
    db.session.execute(select(func.count(Report.id)))  # (a load by SQL would bypass the status owner)
    db.session.execute(Report.__table__.update().values(status="in_progress"))
    commit()
    assert status_counts() != counted_from_reports()
    recount()
    commit()
    assert status_counts() == counted_from_reports() == {"in_progress": 1}


def _payload() -> dict[str, object]:
    from tests.factories import report_payload

    return report_payload()


def test_a_report_filed_is_counted_once(app: Flask) -> None:
    assert app.test_client().post("/api/v1/reports", json=_payload()).status_code == 201
    assert status_counts() == {"received": 1}
    run_job("triage", db.session.scalar(select(Report.id)) or 0)
    assert status_counts() == {"triaged": 1}
