"""Staff logins with a second factor and sessions that end (ASVS 2.7/2.8: TOTP with single use and a
short window; 2.6: single-use recovery codes, hashed; 3.3.2: absolute session lifetime; 2.2.1:
anti-automation; 3.2.1: a new session token once the second factor is proved; 7.1.2: audited)."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import func, select, update

from intake.config import ConfigurationError, check_staff_second_factor, load_config
from intake.extensions import db
from intake.officer.models import AuditEvent
from intake.staff.models import RecoveryCode, Staff, StaffSession
from intake.staff.services import canonical_email
from intake.types import utcnow
from tests.conftest import (
    PASSWORD,
    TEST_BLIND_INDEX_KEY,
    TEST_CONTROLLER,
    TEST_DATA_KEYS,
    LogIn,
    MakeStaff,
    at_once,
    build_app,
    csrf_token,
    empty_tables,
    release_database,
)
from tests.test_rate_limits import limited_app


@pytest.fixture
def required(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app as it runs with a server database, STAFF_2FA=required: on PostgreSQL, and on SQLite."""
    database_url = request.getfixturevalue("postgres_url") if backend == "postgresql" else None
    app = build_app(tmp_path / "var", database_url, STAFF_2FA="required")
    with app.app_context():
        upgrade()
        empty_tables()
        yield app
        db.session.remove()
        empty_tables()
        release_database()


def _code(secret: str, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows, `steps_ahead` 30-second steps from now."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def _post_code(client: FlaskClient, url: str, code: str) -> int:
    page = client.get(url)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert token, page.get_data(as_text=True)[:300]
    return client.post(url, data={"csrf_token": token.group(1), "code": code}).status_code


def _enrol(client: FlaskClient) -> tuple[str, list[str]]:
    """The enrolment page as a person uses it: read the key, type the app's code."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    key = re.search(r'<code dir="ltr" id="secret">([A-Z2-7 ]+)</code>', page)
    assert key, page[:500]
    secret = key.group(1).replace(" ", "")
    token = csrf_token(client, "/account/two-factor")
    done = client.post("/account/two-factor", data={"csrf_token": token, "code": _code(secret)})
    assert done.status_code == 200, done.get_data(as_text=True)[:500]
    codes = re.findall(r"<li><code>([a-z2-9]{4}(?:-[a-z2-9]{4}){3})</code></li>", done.get_data(as_text=True))
    return secret, codes


def _events(action: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditEvent.action == action)) or 0


def test_with_2fa_required_nothing_opens_before_enrolment(
    required: Flask, make_staff: MakeStaff, log_in: LogIn
) -> None:
    make_staff("admin")
    client = required.test_client()
    answer = log_in(client, "admin@police.example.ma")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/account/two-factor")
    for page in ("/officer/", "/admin/", "/admin/staff", "/admin/exports", "/account/password"):
        assert client.get(page).headers.get("Location", "").endswith("/account/two-factor"), page
    enrolment = client.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in enrolment and "<script" not in enrolment  # the QR code, drawn without script
    assert re.search(r'id="secret">([A-Z2-7]{4} ){7}[A-Z2-7]{4}<', enrolment)  # 32 characters, by fours
    assert 'name="code"' in enrolment
    secret, codes = _enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not any(code.replace("-", "") in "".join(stored) for code in codes)
    assert client.get("/officer/").status_code == 200
    staff = db.session.scalar(select(Staff))
    assert staff is not None and staff.totp_secret_sealed and secret not in staff.totp_secret_sealed
    assert _events("second_factor_enrolled") == 1


def test_later_logins_ask_for_a_code_once_and_recovery_codes_work_once(
    required: Flask, make_staff: MakeStaff, log_in: LogIn
) -> None:
    make_staff()
    client = required.test_client()
    log_in(client, "officer@police.example.ma")
    secret, codes = _enrol(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/officer/")})

    answer = log_in(client, "officer@police.example.ma")
    assert "/login/code" in answer.headers["Location"]
    assert "/login/code" in client.get("/officer/").headers["Location"]  # the password alone opens nothing
    assert _post_code(client, "/login/code", "000000") == 401
    used = db.session.scalar(select(Staff.totp_last_step))
    assert used is not None
    replay = pyotp.TOTP(secret).generate_otp(used)
    assert _post_code(client, "/login/code", replay) == 401  # the step used at enrolment: once only
    assert _events("second_factor_failed") == 2
    assert _post_code(client, "/login/code", _code(secret, 1)) == 303
    assert client.get("/officer/").status_code == 200
    sessions = db.session.scalars(select(StaffSession).order_by(StaffSession.id)).all()
    assert sessions[-1].second_factor_at is not None and sessions[-1].revoked_at is None
    assert sessions[-2].revoked_at is not None  # the password-only session was replaced (new token)

    for attempt in range(2):
        client.post("/logout", data={"csrf_token": csrf_token(client, "/officer/")})
        log_in(client, "officer@police.example.ma")
        typed = codes[0].upper().replace("-", " ")  # as read aloud and typed by hand
        assert _post_code(client, "/login/code", typed) == (303 if attempt == 0 else 401)
    assert _events("recovery_code_used") == 1


def test_a_fresh_code_is_asked_before_exports_and_account_changes(
    required: Flask, make_staff: MakeStaff, log_in: LogIn
) -> None:
    make_staff("admin")
    colleague = make_staff("officer")
    client = required.test_client()
    log_in(client, "admin@police.example.ma")
    secret, _ = _enrol(client)
    assert client.get("/admin/exports").status_code == 200
    db.session.execute(update(StaffSession).values(second_factor_at=utcnow() - timedelta(minutes=16)))
    db.session.commit()
    assert client.get("/officer/").status_code == 200  # everyday pages do not ask again
    export = client.get("/admin/exports/monthly?month=2026-10&format=csv")
    assert export.status_code == 303 and "/login/code?next=" in export.headers["Location"]
    page = client.get(export.headers["Location"]).get_data(as_text=True)
    assert 'name="code"' in page
    changed = client.post(
        f"/admin/staff/{colleague.id}/disable", data={"csrf_token": csrf_token(client, "/officer/")}
    )  # a browser sends no Referer here (Referrer-Policy: no-referrer)
    assert changed.status_code == 303 and "/login/code" in changed.headers["Location"]
    assert "next=/admin/staff" in changed.headers["Location"] and "repeat=1" in changed.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Staff, colleague.id).active  # nothing changed without the code
    repeat_page = client.get(changed.headers["Location"]).get_data(as_text=True)
    assert "Envoyez ensuite le formulaire à nouveau" in repeat_page
    token = csrf_token(client, "/officer/")
    confirmed = client.post(export.headers["Location"], data={"csrf_token": token, "code": _code(secret, 1)})
    assert confirmed.status_code == 303 and confirmed.headers["Location"].startswith("/admin/exports/monthly")
    assert client.get(confirmed.headers["Location"]).status_code == 200
    again = client.post(
        f"/admin/staff/{colleague.id}/disable", data={"csrf_token": csrf_token(client, "/admin/staff")}
    )
    assert again.status_code == 303 and again.headers["Location"].endswith("/admin/staff")
    db.session.expire_all()
    assert not db.session.get(Staff, colleague.id).active  # sent again with a fresh code: done


def test_an_admin_resets_a_lost_second_factor(required: Flask, make_staff: MakeStaff, log_in: LogIn) -> None:
    make_staff("admin")
    make_staff("officer")
    officer, admin = required.test_client(), required.test_client()
    log_in(officer, "officer@police.example.ma")
    _enrol(officer)
    log_in(admin, "admin@police.example.ma")
    _enrol(admin)
    target = db.session.scalar(select(Staff).where(Staff.email == "officer@police.example.ma"))
    assert target is not None
    reset = admin.post(
        f"/admin/staff/{target.id}/reset-2fa", data={"csrf_token": csrf_token(admin, "/admin/staff")}
    )
    assert reset.status_code == 303 and _events("second_factor_reset") == 1
    assert officer.get("/officer/").status_code == 302  # their sessions ended
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count()).select_from(RecoveryCode).where(RecoveryCode.staff_id == target.id)
        )
        == 0
    )
    assert log_in(officer, "officer@police.example.ma").headers["Location"].endswith("/account/two-factor")


def test_the_policy_is_required_with_a_server_database_and_said_when_optional(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = {
        "DATABASE_URL": "postgresql://blagh@127.0.0.1/blagh",
        "SECRET_KEY": "k" * 40,
        "DATA_KEYS": TEST_DATA_KEYS,
        "BLIND_INDEX_KEY": TEST_BLIND_INDEX_KEY,
        **TEST_CONTROLLER,
    }
    assert load_config({"VAR_DIR": str(tmp_path)})["STAFF_2FA"] == "optional"
    assert load_config({"VAR_DIR": str(tmp_path), **server})["STAFF_2FA"] == "required"
    assert (
        load_config({"VAR_DIR": str(tmp_path), **server, "STAFF_2FA": "optional"})["STAFF_2FA"] == "optional"
    )
    with caplog.at_level(logging.WARNING):
        check_staff_second_factor({"STAFF_2FA": "optional"})
    assert "STAFF_2FA=optional" in caplog.text
    with pytest.raises(ConfigurationError, match="STAFF_2FA"):
        check_staff_second_factor({"STAFF_2FA": "sometimes"})


def test_a_session_ends_after_its_absolute_lifetime(app: Flask, make_staff: MakeStaff, log_in: LogIn) -> None:
    make_staff()
    client = app.test_client()
    log_in(client, "officer@police.example.ma")
    assert client.get("/officer/").status_code == 200
    db.session.execute(update(StaffSession).values(created_at=utcnow() - timedelta(hours=12, minutes=1)))
    db.session.commit()
    assert client.get("/officer/").status_code == 302  # active a minute ago, but 12 hours old


def test_an_e_mail_has_one_form_for_login_limits_and_uniqueness(
    app: Flask, make_staff: MakeStaff, log_in: LogIn
) -> None:
    make_staff("officer", "Nadia@Police.Example.MA")
    assert canonical_email("ｎａｄｉａ@ＰＯＬＩＣＥ.example.ma") == "nadia@police.example.ma"
    assert canonical_email("nadia@bücher.ma") == "nadia@xn--bcher-kva.ma"
    client = app.test_client()
    assert log_in(client, "ｎａｄｉａ@police.example.ma").status_code == 302
    with pytest.raises(Exception, match="already exists"):
        make_staff("officer", "NADIA@police.example.ma")


def test_login_failures_are_counted_per_canonical_account_and_say_which_was_tried(tmp_path: Path) -> None:
    for app in limited_app(tmp_path / "var", LOGIN_FAILURE_LIMIT="3 per 15 minutes"):
        with app.app_context():
            from intake.staff.services import create_staff
            from intake.unit_of_work import commit

            staff = create_staff("nadia@police.example.ma", "Nadia", "officer", PASSWORD)
            commit()
            staff_id = staff.id
        client = app.test_client()
        variants = ["ｎａｄｉａ@police.example.ma", "NADIA@police.example.ma", " nadia@POLICE.example.ma"]
        for email in variants:
            data = {"csrf_token": csrf_token(client, "/login"), "email": email, "password": "wrong password!"}
            assert client.post("/login", data=data).status_code == 401
        data = {
            "csrf_token": csrf_token(client, "/login"),
            "email": "nadia@police.example.ma",
            "password": "x" * 12,
        }
        assert client.post("/login", data=data).status_code == 429  # one counter, whatever the spelling
        with app.app_context():
            details = db.session.scalars(
                select(AuditEvent.details).where(AuditEvent.action == "login_failed")
            ).all()
            assert [detail["account"] for detail in details] == [staff_id] * 3


def test_wrong_current_passwords_are_throttled_and_audited(tmp_path: Path) -> None:
    for app in limited_app(tmp_path / "var", PASSWORD_CHECK_LIMIT="2 per 15 minutes"):
        with app.app_context():
            from intake.staff.services import create_staff
            from intake.unit_of_work import commit

            create_staff("nadia@police.example.ma", "Nadia", "officer", PASSWORD)
            commit()
        client = app.test_client()
        data = {
            "csrf_token": csrf_token(client, "/login"),
            "email": "nadia@police.example.ma",
            "password": PASSWORD,
        }
        assert client.post("/login", data=data).status_code == 302
        guesses = []
        for guess in ("first guess!!", "second guess!", "third guess!!"):
            form = {
                "csrf_token": csrf_token(client, "/account/password"),
                "current": guess,
                "new": "a new password 1",
            }
            guesses.append(client.post("/account/password", data=form).status_code)
        assert guesses == [401, 401, 429]
        with app.app_context():
            assert _events("password_change_failed") == 2


def test_an_account_with_a_factor_is_never_enrolled_again_and_each_session_sees_its_own_key(
    required: Flask, make_staff: MakeStaff, log_in: LogIn
) -> None:
    make_staff()
    owner, intruder = required.test_client(), required.test_client()
    log_in(owner, "officer@police.example.ma")
    log_in(intruder, "officer@police.example.ma")  # knows the password

    def key(client: FlaskClient) -> str:
        page = client.get("/account/two-factor").get_data(as_text=True)
        found = re.search(r'id="secret">([A-Z2-7 ]+)<', page)
        assert found, page[:300]
        return found.group(1)

    seen_by_intruder = key(intruder)
    assert key(owner) != seen_by_intruder and key(intruder) == seen_by_intruder  # stable per session
    _enrol(owner)
    assert "/login/code" in intruder.get("/account/two-factor").headers["Location"]  # never again
    late = intruder.post(
        "/account/two-factor",
        data={
            "csrf_token": csrf_token(intruder, "/login/code"),
            "code": _code(seen_by_intruder.replace(" ", "")),
        },
    )
    assert late.status_code == 302 and "/login/code" in late.headers["Location"]


def test_a_password_alone_acts_on_nothing(required: Flask, make_staff: MakeStaff, log_in: LogIn) -> None:
    make_staff("admin")
    other = make_staff("officer")
    client = required.test_client()
    log_in(client, "admin@police.example.ma")
    token = csrf_token(client, "/account/two-factor")
    for url in (
        f"/admin/staff/{other.id}/disable",
        "/officer/reports/BLG-AAAA-AAAA/note",
        "/account/password",
    ):
        answer = client.post(
            url, data={"csrf_token": token, "body": "x", "current": PASSWORD, "new": "x" * 14}
        )
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/account/two-factor"), url
    db.session.expire_all()
    assert db.session.get(Staff, other.id).active


def test_one_code_opens_one_session_even_sent_twice_at_once(
    required: Flask, make_staff: MakeStaff, log_in: LogIn
) -> None:
    make_staff()
    first = required.test_client()
    log_in(first, "officer@police.example.ma")
    secret, _ = _enrol(first)
    clients = [required.test_client(), required.test_client()]
    tokens = []
    for client in clients:
        log_in(client, "officer@police.example.ma")
        tokens.append(csrf_token(client, "/login/code"))
    code = _code(secret, 1)
    pending = list(zip(clients, tokens, strict=True))

    def send() -> int:
        client, token = pending.pop()
        return client.post("/login/code", data={"csrf_token": token, "code": code}).status_code

    assert sorted(at_once(required, 2, send)) == [303, 401]


def test_wrong_codes_are_throttled_per_account(tmp_path: Path) -> None:
    for app in limited_app(tmp_path / "var", STAFF_2FA="required", SECOND_FACTOR_FAILURE_LIMIT="2 per hour"):
        client = app.test_client()
        with app.app_context():
            from intake.staff.services import create_staff
            from intake.unit_of_work import commit

            create_staff("nadia@police.example.ma", "Nadia", "officer", PASSWORD)
            commit()
        data = {
            "csrf_token": csrf_token(client, "/login"),
            "email": "nadia@police.example.ma",
            "password": PASSWORD,
        }
        assert client.post("/login", data=data).status_code == 302
        secret, _ = _enrol(client)
        client.post("/logout", data={"csrf_token": csrf_token(client, "/officer/")})
        data["csrf_token"] = csrf_token(client, "/login")
        client.post("/login", data=data)
        answers = [_post_code(client, "/login/code", code) for code in ("111111", "222222", _code(secret, 1))]
        assert answers == [401, 401, 429]  # even the right code waits once the limit is reached
