"""Staff management at /admin/staff: admins only, every change audited, sessions end at once."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.extensions import db
from intake.officer.models import AuditEvent
from intake.staff.models import Staff
from tests.conftest import PASSWORD, LogIn, MakeStaff, SignIn, csrf_token

TEMPORARY = "temporary passphrase 1"


def post(client: FlaskClient, url: str, **fields: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_token(client, "/admin/staff"), **fields})


def test_an_admin_creates_an_officer_who_must_choose_a_password_at_first_login(
    app: Flask, log_in: LogIn, signed_in: SignIn
) -> None:
    admin = signed_in("admin")
    created = post(
        admin,
        "/admin/staff",
        email="Yassine@Police.example.ma",
        name="Yassine",
        role="officer",
        language="ar",
        password=TEMPORARY,
    )
    assert created.status_code == 303
    officer = app.test_client()
    assert log_in(officer, "yassine@police.example.ma", TEMPORARY).status_code == 302
    forced = officer.get("/officer/")
    assert forced.status_code == 302 and forced.location.endswith("/account/password")
    token = csrf_token(officer, "/account/password")
    wrong = officer.post(
        "/account/password", data={"csrf_token": token, "current": "nope nope nope", "new": PASSWORD}
    )
    assert wrong.status_code == 401
    changed = officer.post(
        "/account/password", data={"csrf_token": token, "current": TEMPORARY, "new": PASSWORD}
    )
    assert changed.status_code == 303
    again = app.test_client()
    assert log_in(again, "yassine@police.example.ma", PASSWORD).status_code == 302
    assert again.get("/officer/").status_code == 200
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "account_created" in actions and "password_changed" in actions


def test_disabling_and_changing_a_role_end_the_sessions_at_once(
    app: Flask, log_in: LogIn, make_staff: MakeStaff, signed_in: SignIn
) -> None:
    admin = signed_in("admin")
    target = make_staff("officer")
    officer = app.test_client()
    log_in(officer, "officer@police.example.ma")
    assert post(admin, f"/admin/staff/{target.id}/role", role="supervisor").status_code == 303
    assert officer.get("/officer/").status_code == 302  # must log in again, with the new rights
    log_in(officer, "officer@police.example.ma")
    assert post(admin, f"/admin/staff/{target.id}/disable").status_code == 303
    assert officer.get("/officer/").status_code == 302
    assert log_in(app.test_client(), "officer@police.example.ma").status_code == 401
    db.session.expire_all()
    account = db.session.get(Staff, target.id)
    assert account is not None and account.role == "supervisor" and not account.active


def test_a_reset_password_is_temporary(
    app: Flask, log_in: LogIn, make_staff: MakeStaff, signed_in: SignIn
) -> None:
    admin = signed_in("admin")
    target = make_staff("officer")
    assert post(admin, f"/admin/staff/{target.id}/reset-password", password=TEMPORARY).status_code == 303
    officer = app.test_client()
    assert log_in(officer, "officer@police.example.ma", PASSWORD).status_code == 401
    assert log_in(officer, "officer@police.example.ma", TEMPORARY).status_code == 302
    assert officer.get("/officer/").location.endswith("/account/password")


def test_an_admin_cannot_lock_themselves_out(app: Flask, signed_in: SignIn) -> None:
    admin = signed_in("admin")
    me = db.session.scalar(select(Staff.id).where(Staff.email == "admin@police.example.ma"))
    refused = post(admin, f"/admin/staff/{me}/disable")
    assert refused.status_code == 422
    assert "Vous ne pouvez pas retirer votre propre accès." in refused.get_data(as_text=True)
    assert post(admin, f"/admin/staff/{me}/role", role="officer").status_code == 422


def test_officers_and_supervisors_are_refused(app: Flask, log_in: LogIn, make_staff: MakeStaff) -> None:
    for role in ("officer", "supervisor"):
        make_staff(role)
        client = app.test_client()
        log_in(client, f"{role}@police.example.ma")
        assert client.get("/admin/staff").status_code == 403
        assert client.get("/admin/exports").status_code == 403


def test_a_password_change_ends_every_session_opened_with_the_old_one(
    app: Flask, log_in: LogIn, make_staff: MakeStaff, signed_in: SignIn
) -> None:
    admin = signed_in("admin")
    target = make_staff("officer")
    post(admin, f"/admin/staff/{target.id}/reset-password", password=TEMPORARY)
    first, second = app.test_client(), app.test_client()
    log_in(first, "officer@police.example.ma", TEMPORARY)
    log_in(second, "officer@police.example.ma", TEMPORARY)
    token = csrf_token(first, "/account/password")
    same = first.post("/account/password", data={"csrf_token": token, "current": TEMPORARY, "new": TEMPORARY})
    assert same.status_code == 422
    changed = first.post(
        "/account/password", data={"csrf_token": token, "current": TEMPORARY, "new": PASSWORD}
    )
    assert changed.status_code == 303
    assert second.get("/officer/").status_code == 302  # the other session is over too
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "password_reset")).all()
    assert events and events[0].ip_address == "127.0.0.1"
