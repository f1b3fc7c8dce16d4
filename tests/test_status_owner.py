"""One owner for every status change (intake.reports.status): the workflow walked end to end writes
status, version and history only from there; every change is a case event with a typed actor; a
stale version is a conflict; the workflow table refuses what it does not list."""

from __future__ import annotations

import ast
import io
import re
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select

from intake.extensions import db
from intake.reports.models import CaseEvent, Report, StatusChange
from intake.reports.status import Actor, StatusConflict, StatusRefused, move
from intake.staff.models import Staff
from tests.conftest import (
    AskQuestion,
    FileAndTriage,
    SignIn,
    case_action,
    csrf_token,
    current_status,
)
from tests.factories import png_bytes

PROJECT = Path(__file__).resolve().parent.parent
OWNER = PROJECT / "intake" / "reports" / "status.py"
CODE = [PROJECT / "intake", PROJECT / "workers"]


def _first_project_frame(stack: list[traceback.FrameSummary]) -> Path | None:
    """The innermost frame of the application's own code (not a library, not a test)."""
    for frame in reversed(stack):
        path = Path(frame.filename).resolve()
        if any(folder in path.parents for folder in CODE):
            return path
    return None


@pytest.fixture
def writers(app: Flask) -> Iterator[list[tuple[str, Path | None]]]:
    """Every statement that writes a report's status or version, or a history row, with the module of
    the application that issued it; and every history row built, with the module that built it."""
    found: list[tuple[str, Path | None]] = []

    def on_statement(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sql = " ".join(statement.split()).lower()
        updates_report = sql.startswith("update reports set") and (
            " status=" in sql.replace(" = ", "=") or " version=" in sql.replace(" = ", "=")
        )
        touches_history = sql.startswith(("update status_history", "delete from status_history"))
        core_history_insert = sql.startswith("insert into status_history") and not any(
            "unitofwork" in frame.filename for frame in traceback.extract_stack()
        )
        if updates_report or touches_history or core_history_insert:
            found.append((sql[:80], _first_project_frame(traceback.extract_stack())))

    def on_history_row(target: StatusChange, args: Any, kwargs: Any) -> None:
        found.append(("StatusChange()", _first_project_frame(traceback.extract_stack())))

    event.listen(db.engine, "before_cursor_execute", on_statement)
    event.listen(StatusChange, "init", on_history_row)
    yield found
    event.remove(db.engine, "before_cursor_execute", on_statement)
    event.remove(StatusChange, "init", on_history_row)


def test_every_status_change_of_the_workflow_comes_from_the_owner(
    app: Flask,
    backend: str,
    writers: list[tuple[str, Path | None]],
    filed_and_triaged: FileAndTriage,
    signed_in: SignIn,
) -> None:
    """Filing, triage, claim, every officer move, a question, the citizen's answer (with a file), a
    reassignment, resolution, reopening and rejection: each write of status, version or history is
    issued by intake/reports/status.py, and each change left a case event with its actor."""
    citizen = app.test_client()
    created = filed_and_triaged(citizen)
    reference = created["reference"]
    desk = signed_in(email="desk@police.example.ma")
    boss = signed_in("supervisor")
    colleague = signed_in(email="colleague@police.example.ma")
    assert case_action(desk, reference, "claim").status_code == 303
    assert case_action(desk, reference, "status", status="in_progress").status_code == 303
    assert case_action(desk, reference, "status", status="needs_info", message="Le RIB ?").status_code == 303
    answer = citizen.post(
        "/fr/track/answer",
        data={
            "csrf_token": csrf_token(citizen, "/fr/track"),
            "reference": reference,
            "receipt": created["receipt"],
            "answer": "Le RIB est sur la capture.",
            "evidence": [(io.BytesIO(png_bytes()), "rib.png")],
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200
    colleague_id = db.session.scalar(select(Staff.id).where(Staff.email == "colleague@police.example.ma"))
    assert case_action(boss, reference, "assign", assignee=str(colleague_id)).status_code == 303
    assert case_action(colleague, reference, "status", status="resolved").status_code == 303
    assert case_action(boss, reference, "status", status="in_progress").status_code == 303
    assert case_action(boss, reference, "status", status="rejected", reason="Hors champ.").status_code == 303
    assert current_status(reference) == "rejected"

    assert writers, "the listeners saw nothing: the test would prove nothing"
    strangers = [(what, str(module)) for what, module in writers if module != OWNER]
    assert not strangers, f"status, version or history written outside {OWNER.name}: {strangers}"

    report_id = db.session.scalar(select(Report.id).where(Report.reference == reference))
    history = db.session.execute(
        select(StatusChange.to_status, StatusChange.actor_kind)
        .where(StatusChange.report_id == report_id)
        .order_by(StatusChange.id)
    ).all()
    assert [tuple(row) for row in history] == [
        ("received", "citizen"),
        ("triaged", "triage"),
        ("assigned", "staff"),
        ("in_progress", "staff"),
        ("needs_info", "staff"),
        ("in_progress", "citizen"),
        ("resolved", "staff"),
        ("in_progress", "staff"),
        ("rejected", "staff"),
    ]
    events = db.session.execute(
        select(CaseEvent.kind, CaseEvent.to_status, CaseEvent.actor_kind)
        .where(CaseEvent.report_id == report_id)
        .order_by(CaseEvent.id)
    ).all()
    assert [tuple(row) for row in events] == [
        ("status", "triaged", "triage"),
        ("status", "assigned", "staff"),
        ("status", "in_progress", "staff"),
        ("status", "needs_info", "staff"),
        ("status", "in_progress", "citizen"),
        ("assignment", "in_progress", "staff"),
        ("status", "resolved", "staff"),
        ("status", "in_progress", "staff"),
        ("status", "rejected", "staff"),
    ]
    version = db.session.scalar(select(Report.version).where(Report.id == report_id))
    assert version == 1 + len(events)  # every change moved the version on, once


WRITTEN_COLUMNS = {"status", "version"}
RAW_SQL_WRITES = re.compile(
    r"(?is)\bupdate\s+reports\b.*\bset\b.*\b(status|version)\b|\binsert\s+into\s+status_history\b"
)


def _names_report(node: ast.AST, model: str = "Report") -> bool:
    """`Report`, `Report.__table__` or `table_of(Report)`."""
    if isinstance(node, ast.Attribute) and node.attr == "__table__":
        node = node.value
    if isinstance(node, ast.Call) and _called(node) == "table_of" and len(node.args) == 1:
        node = node.args[0]
    return isinstance(node, ast.Name) and node.id == model


def _called(node: ast.Call) -> str | None:
    return node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)


def _updates_reports(call: ast.Call) -> bool:
    """`update(Report)`, `sa.update(Report)`, `Report.__table__.update()`."""
    if _called(call) != "update":
        return False
    if isinstance(call.func, ast.Attribute) and _names_report(call.func.value):
        return True
    return any(_names_report(arg) for arg in call.args)


def _writes_outside_the_owner(source: str, name: str) -> list[str]:
    """Source that writes a report's status or version, or a history row, read from the AST."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and RAW_SQL_WRITES.search(node.value)
        ):
            found.append(f"{name}:{node.lineno} raw SQL")
        if not isinstance(node, ast.Call):
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Attribute) and target.attr in WRITTEN_COLUMNS:
                        found.append(f"{name}:{node.lineno} .{target.attr} =")
            continue
        called = _called(node)
        if called == "StatusChange" or (
            called == "insert" and any(_names_report(a, "StatusChange") for a in node.args)
        ):
            found.append(f"{name}:{node.lineno} a history row")
        if (
            called == "insert"
            and isinstance(node.func, ast.Attribute)
            and _names_report(node.func.value, "StatusChange")
        ):
            found.append(f"{name}:{node.lineno} a history row")
        if called == "setattr" and len(node.args) > 1:
            column = node.args[1]
            if isinstance(column, ast.Constant) and column.value in WRITTEN_COLUMNS:
                found.append(f"{name}:{node.lineno} setattr(…, {column.value!r})")
        if called == "values" and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            while (
                isinstance(receiver, ast.Call)
                and not _updates_reports(receiver)
                and isinstance(receiver.func, ast.Attribute)
            ):
                receiver = receiver.func.value
            if isinstance(receiver, ast.Call) and _updates_reports(receiver):
                written = {k.arg for k in node.keywords} | {
                    key.value
                    for arg in node.args
                    if isinstance(arg, ast.Dict)
                    for key in arg.keys
                    if isinstance(key, ast.Constant)
                }
                if written & WRITTEN_COLUMNS:
                    found.append(f"{name}:{node.lineno} update(Report).values({sorted(map(str, written))})")
    return found


@pytest.mark.parametrize(
    "snippet",
    [
        "update(Report).where(Report.id == 1).values(status='resolved')",
        "sa.update(Report).values({'version': 2})",
        "Report.__table__.update().values(status='x')",
        "db.session.execute(insert(StatusChange).values(report_id=1))",
        "StatusChange.__table__.insert()",
        "StatusChange(report_id=1, to_status='x')",
        "setattr(report, 'status', 'resolved')",
        "report.version += 1",
        "text('UPDATE reports SET status = :s WHERE id = :i')",
        "'INSERT INTO status_history (report_id) VALUES (1)'",
    ],
)
def test_the_reader_finds_every_way_of_writing(snippet: str) -> None:
    assert _writes_outside_the_owner(snippet, "example.py"), snippet


def test_no_other_module_writes_status_version_or_history() -> None:
    """The paths the walk above does not take are read instead: nothing outside the owner (and the
    model that defines the columns) builds a history row or sets a report's status or version."""
    allowed = {OWNER, PROJECT / "intake" / "reports" / "models.py"}
    found = [
        problem
        for folder in CODE
        for path in sorted(folder.rglob("*.py"))
        if path not in allowed
        for problem in _writes_outside_the_owner(path.read_text(), path.name)
    ]
    assert not found, found
    # and the reader does find such code: the owner itself is full of it
    assert _writes_outside_the_owner(OWNER.read_text(), OWNER.name)


def test_a_stale_version_is_a_conflict_and_writes_nothing(
    app: Flask, filed_and_triaged: FileAndTriage
) -> None:
    created = filed_and_triaged()
    report = db.session.scalar(select(Report).where(Report.reference == created["reference"]))
    assert report is not None
    seen = report.version
    officer = Actor.staff(1, "officer")
    with pytest.raises(StatusConflict):
        move(report, "assigned", officer, expected_version=seen - 1)
    db.session.rollback()
    assert db.session.scalar(select(Report.status).where(Report.id == report.id)) == "triaged"
    assert db.session.scalar(select(CaseEvent.id).where(CaseEvent.to_status == "assigned")) is None


@pytest.mark.parametrize(
    ("actor", "source", "target", "code"),
    [
        (Actor.citizen(), "triaged", "resolved", "workflow"),  # the citizen only answers
        (Actor.triage(), "triaged", "rejected", "workflow"),  # triage only triages
        (Actor.staff(1, "officer"), "received", "triaged", "workflow"),  # staff never triage by hand
        (Actor.staff(1, "officer"), "resolved", "in_progress", "workflow"),  # reopening: supervisors
        (Actor.staff(1, "officer"), "triaged", "rejected", "reason"),
        (Actor.staff(1, "officer"), "in_progress", "needs_info", "message"),
        (Actor.citizen(), "needs_info", "in_progress", "message"),  # an answer with no text
    ],
)
def test_the_workflow_table_refuses_what_it_does_not_list(
    app: Flask, actor: Actor, source: str, target: str, code: str
) -> None:
    report = Report(status=source, version=1, id=1)
    with pytest.raises(StatusRefused) as refused:
        move(report, target, actor)
    assert refused.value.code == code


def test_the_citizen_and_an_officer_at_once_one_wins(app: Flask, question_asked: AskQuestion) -> None:
    """The officer resolves while the citizen's answer is on its way: the answer finds the report no
    longer waiting, and the officer's move stands."""
    created, desk = question_asked()
    seen = case_action(desk, created["reference"], "status", status="resolved")
    assert seen.status_code == 303
    report = db.session.scalar(select(Report).where(Report.reference == created["reference"]))
    assert report is not None
    stale = Report(id=report.id, status="needs_info", version=report.version - 1)
    with pytest.raises(StatusConflict):
        move(stale, "in_progress", Actor.citizen(), message="Voici ma réponse.")
    db.session.rollback()
    assert current_status(created["reference"]) == "resolved"
