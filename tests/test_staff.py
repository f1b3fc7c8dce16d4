"""Staff accounts and login (ASVS V2, V3) and deny-by-default access to every route (ASVS 4.1.3)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select, update

from intake.extensions import db
from intake.staff.access import declared_access
from intake.staff.models import StaffSession
from intake.types import utcnow
from tests.conftest import PASSWORD, LogIn, MakeStaff, build_app, csrf_token


def test_an_officer_created_with_the_cli_logs_in_and_reaches_the_queue(app: Flask, log_in: LogIn) -> None:
    runner = app.test_cli_runner()
    created = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Nadia@Police.example.ma",
            "--role",
            "officer",
            "--language",
            "ar",
        ],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert created.exit_code == 0, created.output
    assert PASSWORD not in created.output
    listing = runner.invoke(args=["users", "list"])
    assert "nadia@police.example.ma\tofficer\tar\tactive\tlast login: never" in listing.output
    client = app.test_client()
    response = log_in(client, "nadia@police.example.ma")
    assert response.status_code == 302 and response.location.endswith("/officer/")
    queue = client.get("/officer/")
    assert queue.status_code == 200 and 'lang="ar" dir="rtl"' in queue.get_data(as_text=True)
    assert "remember_token" not in (response.headers.get("Set-Cookie") or "")


def test_cli_refuses_weak_passwords_and_duplicates(app: Flask, make_staff: MakeStaff) -> None:
    runner = app.test_cli_runner()
    weak = runner.invoke(
        args=["users", "create", "--email", "a@b.ma", "--role", "officer", "--password", "short"]
    )
    assert weak.exit_code != 0 and "12 to 128" in weak.output
    make_staff()
    again = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "officer@police.example.ma",
            "--role",
            "admin",
            "--password",
            PASSWORD,
        ]
    )
    assert again.exit_code != 0 and "already exists" in again.output


def test_unknown_email_and_wrong_password_get_the_same_answer(
    app: Flask, log_in: LogIn, make_staff: MakeStaff
) -> None:
    make_staff()
    client = app.test_client()
    unknown = log_in(client, "nobody@police.example.ma")
    wrong = log_in(client, "officer@police.example.ma", "wrong password, long")
    assert unknown.status_code == wrong.status_code == 401
    strip = lambda r: r.get_data(as_text=True).split('name="csrf_token"')[0]  # noqa: E731
    assert strip(unknown) == strip(wrong)


def test_failures_are_throttled_per_address_and_account_without_locking_the_officer_out(
    tmp_path: Path, log_in: LogIn, make_staff: MakeStaff
) -> None:
    """ASVS 2.2.1: guessing one officer's password stops after 5 failures from one address, yet the
    officer, from another address, still logs in: nobody can lock an officer out of their desk."""
    app = build_app(tmp_path / "var", RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="100 per minute")
    with app.app_context():
        upgrade()
        make_staff()
    attacker = app.test_client()
    attempts = [
        log_in(attacker, "officer@police.example.ma", "not the password!").status_code for _ in range(6)
    ]
    assert attempts == [401] * 5 + [429]
    assert log_in(attacker, "officer@police.example.ma").status_code == 429  # even with the right one
    desk = app.test_client()
    response = desk.post(
        "/login",
        data={
            "csrf_token": csrf_token(desk, "/login"),
            "email": "officer@police.example.ma",
            "password": PASSWORD,
        },
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert response.status_code == 302


def test_every_login_attempt_counts_before_it_runs(
    tmp_path: Path, log_in: LogIn, make_staff: MakeStaff
) -> None:
    """Parallel guesses cannot slip through: the per-address limit counts attempts, not outcomes."""
    app = build_app(tmp_path / "var", RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        upgrade()
        make_staff()
    answers = [log_in(app.test_client(), "officer@police.example.ma").status_code for _ in range(4)]
    assert answers == [302, 302, 302, 429]


def test_logins_and_failures_are_audited_without_what_was_typed(
    app: Flask, log_in: LogIn, make_staff: MakeStaff
) -> None:
    from intake.officer.models import AuditEvent

    make_staff()
    log_in(app.test_client(), "officer@police.example.ma", "my secret guess")
    log_in(app.test_client(), "officer@police.example.ma")
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["account_created", "login_failed", "login"]
    assert all("secret" not in str(e.details) for e in events)


def test_a_cookie_captured_before_logout_no_longer_works(
    app: Flask, log_in: LogIn, make_staff: MakeStaff
) -> None:
    """ASVS 3.3.1: logout ends the session on the server, not only in the browser."""
    make_staff()
    client = app.test_client()
    log_in(client, "officer@police.example.ma")
    captured = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert captured is not None
    logout = client.post("/logout", data={"csrf_token": csrf_token(client, "/officer/")})
    assert logout.status_code == 303
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], captured.value)
    assert thief.get("/officer/").status_code == 302


def test_disabling_an_account_ends_its_sessions_at_once(
    app: Flask, log_in: LogIn, make_staff: MakeStaff
) -> None:
    make_staff()
    client = app.test_client()
    log_in(client, "officer@police.example.ma")
    assert client.get("/officer/").status_code == 200
    result = app.test_cli_runner().invoke(args=["users", "disable", "--email", "officer@police.example.ma"])
    assert result.exit_code == 0
    assert client.get("/officer/").status_code == 302
    assert log_in(app.test_client(), "officer@police.example.ma").status_code == 401


def test_an_idle_session_expires(app: Flask, log_in: LogIn, make_staff: MakeStaff) -> None:
    make_staff()
    client = app.test_client()
    log_in(client, "officer@police.example.ma")
    db.session.execute(update(StaffSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db.session.commit()
    assert client.get("/officer/").status_code == 302


def test_each_login_gets_a_new_session(app: Flask, log_in: LogIn, make_staff: MakeStaff) -> None:
    """ASVS 3.2.1: a fresh token at every login; an old one is not reused."""
    make_staff()
    client = app.test_client()
    log_in(client, "officer@police.example.ma")
    log_in(app.test_client(), "officer@police.example.ma")
    tokens = db.session.scalars(select(StaffSession.token_hash)).all()
    assert len(set(tokens)) == 2


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "/%09/evil.example/", "/%0a/x", "/login"],
)
def test_login_never_redirects_off_site(
    app: Flask, target: str, log_in: LogIn, make_staff: MakeStaff
) -> None:
    make_staff()
    response = log_in(app.test_client(), "officer@police.example.ma", next_url=target)
    assert response.status_code == 302 and response.location.endswith("/officer/")


SAMPLE_VALUES = {
    "lang": "fr",
    "reference": "BLG-2222-2222",
    "action": "claim",
    "evidence_id": 1,
    "name": "blagh-2026-03.csv",
    "staff_id": 1,
}


def every_route(app: Flask) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = rule.build({arg: SAMPLE_VALUES[arg] for arg in rule.arguments}, append_unknown=False)[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, url))
    return routes


def test_every_route_declares_who_may_use_it(app: Flask) -> None:
    undeclared = [e for e, _, _ in every_route(app) if declared_access(app.view_functions[e]) is None]
    assert not undeclared, f"routes that declare no access (they answer 403 to all): {undeclared}"


# Who may use each route, written out by hand from the README, not read from the decorators under test:
# a route whose declared access drifts from this table fails below.
EVERYONE = "everyone"
STAFF = frozenset({"officer", "supervisor", "admin"})
ADMIN = frozenset({"admin"})
EXPECTED_ACCESS: dict[str, str | frozenset[str]] = {
    "root.index": EVERYONE,
    "reports.home": EVERYONE,
    "reports.privacy": EVERYONE,
    "reports.report_form": EVERYONE,
    "reports.confirmation": EVERYONE,
    "reports.track_form": EVERYONE,
    "reports.answer": EVERYONE,
    "reports.erasure": EVERYONE,
    "reports.acknowledgement": EVERYONE,
    "reports.verify": EVERYONE,
    "api.categories": EVERYONE,
    "api.regions": EVERYONE,
    "api.openapi": EVERYONE,
    "api.create_report": EVERYONE,
    "api.report_status": EVERYONE,
    "health.healthz": EVERYONE,
    "health.readyz": EVERYONE,
    "staff.login": EVERYONE,
    "staff.logout": STAFF,
    "staff.change_password": STAFF,
    "staff.second_factor": STAFF,
    "staff.enrol": STAFF,
    "officer.queue": STAFF,
    "officer.case": STAFF,
    "officer.case_action": STAFF,
    "officer.evidence_download": STAFF,
    "officer.evidence_preview": STAFF,
    "admin.dashboard": ADMIN,
    "admin.exports": ADMIN,
    "admin.monthly_export": ADMIN,
    "admin.export_download": ADMIN,
    "staff_admin.accounts": ADMIN,
    "staff_admin.account_action": ADMIN,
}


def test_the_access_table_names_every_route(app: Flask) -> None:
    assert {endpoint for endpoint, _, _ in every_route(app)} == set(EXPECTED_ACCESS)


@pytest.mark.parametrize("who", ["anonymous", "officer", "supervisor", "admin"])
def test_role_by_route_matrix(app: Flask, who: str, log_in: LogIn, make_staff: MakeStaff) -> None:
    """Every route, as every role and as nobody: open to those the table names, closed to the others
    (ASVS 4.1.3: deny by default)."""
    client = app.test_client()
    if who != "anonymous":
        make_staff(who)
        assert log_in(client, f"{who}@police.example.ma").status_code == 302
    for endpoint, method, url in every_route(app):
        if endpoint == "staff.logout":
            continue  # it would end the session the matrix walks with; tested above
        expected = EXPECTED_ACCESS[endpoint]
        response = client.open(url, method=method)
        status = response.status_code
        if expected == EVERYONE or who in expected:
            assert status not in {401, 403}, (who, method, url, status)
        elif who == "anonymous":
            assert status == 401 or (status == 302 and "/login" in response.location), (
                who,
                method,
                url,
                status,
            )
        else:
            assert status == 403, (who, method, url, status)
