"""One unit of work per entry point: services never commit; each request, task or command commits
once, so that two steps that belong together hold or fail together."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select

from intake.extensions import db
from intake.staff.models import Staff, StaffSession
from intake.staff.services import hasher
from tests.conftest import (
    PASSWORD,
    FileAndTriage,
    LogIn,
    MakeStaff,
    SignIn,
    csrf_token,
    run_job,
    version_of,
)


@pytest.fixture
def commits(app: Flask) -> Iterator[list[str]]:
    """Every COMMIT made by the test's thread (where the test client runs requests, jobs and
    commands) while the test runs. The outbox publisher's thread marks the jobs it sent with
    commits of its own, half a second later, whenever they fall: those are not the unit's."""
    seen: list[str] = []
    thread = threading.get_ident()

    def on_commit(connection: Any) -> None:
        if threading.get_ident() == thread:
            seen.append("commit")

    event.listen(db.engine, "commit", on_commit)
    yield seen
    event.remove(db.engine, "commit", on_commit)


def test_a_new_password_and_the_end_of_the_old_sessions_hold_together(
    app: Flask, make_staff: MakeStaff, log_in: LogIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI sets a password and ends the account's sessions in one transaction: when ending the
    sessions fails, the old password still stands (it used to be committed first)."""
    import intake.staff.services

    staff = make_staff()
    desk = app.test_client()
    assert log_in(desk, staff.email).status_code == 302

    def broken(staff_id: int) -> None:
        raise RuntimeError("the sessions table is locked")

    monkeypatch.setattr(intake.staff.services, "revoke_sessions", broken)
    result = app.test_cli_runner().invoke(
        args=["users", "set-password", "--email", staff.email, "--password", "another long passphrase"]
    )
    assert result.exit_code != 0
    db.session.rollback()
    stored = db.session.scalar(select(Staff.password_hash).where(Staff.id == staff.id))
    assert stored is not None and hasher.verify(stored, PASSWORD)
    assert db.session.scalar(select(StaffSession.revoked_at)) is None


@pytest.mark.parametrize("action", ["create", "reset-password", "role", "disable"])
def test_each_admin_change_of_an_account_is_one_commit(
    app: Flask, signed_in: SignIn, make_staff: MakeStaff, commits: list[str], action: str
) -> None:
    """An account and its temporary-password flag, a new password and the end of the sessions, a
    role and the end of the sessions: each is one transaction (the flag used to be a second one)."""
    admin = signed_in("admin")
    other = make_staff(email="other@police.example.ma")
    token = csrf_token(admin, "/admin/staff")
    commits.clear()
    if action == "create":
        response = admin.post(
            "/admin/staff",
            data={
                "csrf_token": token,
                "email": "new@police.example.ma",
                "name": "Nouvel agent",
                "role": "officer",
                "language": "fr",
                "password": "temporary passphrase 1",
            },
        )
    else:
        fields = {"reset-password": {"password": "temporary passphrase 2"}, "role": {"role": "supervisor"}}
        response = admin.post(
            f"/admin/staff/{other.id}/{action}", data={"csrf_token": token, **fields.get(action, {})}
        )
    assert response.status_code == 303
    assert commits == ["commit"]
    if action == "create":
        created = db.session.scalar(select(Staff).where(Staff.email == "new@police.example.ma"))
        assert created is not None and created.must_change_password


@pytest.mark.parametrize("action", ["claim", "note", "message"])
def test_each_case_action_is_one_commit(
    app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn, commits: list[str], action: str
) -> None:
    reference = filed_and_triaged()["reference"]
    desk = signed_in("supervisor")  # acts on a report nobody holds yet
    token, version = csrf_token(desk, "/officer/"), version_of(desk, reference)
    commits.clear()
    response = desk.post(
        f"/officer/reports/{reference}/{action}",
        data={"csrf_token": token, "version": version, "body": "Appel à la banque fait."},
    )
    assert response.status_code == 303 and commits == ["commit"]


def test_a_refused_action_commits_nothing(
    app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn, commits: list[str]
) -> None:
    reference = filed_and_triaged()["reference"]
    desk = signed_in()
    token, version = csrf_token(desk, "/officer/"), version_of(desk, reference)
    commits.clear()
    refused = desk.post(
        f"/officer/reports/{reference}/status",
        data={"csrf_token": token, "version": version, "status": "resolved"},  # not from `triaged`
    )
    assert refused.status_code == 422 and commits == []


def test_a_job_is_one_commit(app: Flask, filed_and_triaged: FileAndTriage, commits: list[str]) -> None:
    """Triage links, decides, records and queues the evidence checks in one transaction."""
    created = (
        app.test_client()
        .post(
            "/api/v1/reports",
            json={
                "category": "online_shopping_fraud",
                "incident_date": "2026-11-01",
                "description": "J'ai payé un téléphone qui n'est jamais arrivé, le vendeur a disparu.",
                "anonymous": True,
                "consent": True,
            },
        )
        .json
    )
    from intake.reports.models import Report

    report_id = db.session.scalar(select(Report.id).where(Report.reference == created["reference"]))
    assert report_id is not None
    commits.clear()
    assert run_job("triage", report_id) is True
    assert commits == ["commit"]
