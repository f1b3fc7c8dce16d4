"""Staff login and logout: one page for every role."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from intake.extensions import limit_key, limiter
from intake.i18n import CITIZEN_LANGUAGES, best_language_from_header
from intake.officer.audit import record
from intake.staff.access import ALL_STAFF, StaffUser, public, roles
from intake.staff.forms import LoginForm, PasswordChangeForm
from intake.staff.services import (
    StaffError,
    authenticate,
    change_own_password,
    end_session,
    session_staff,
    start_session,
)
from intake.unit_of_work import commit

bp = Blueprint("staff", __name__)


def _safe_next(target: str | None) -> str:
    """Only a page of the console, as a plain path: never another site (ASVS 5.1.5)."""
    default = url_for("officer.queue")
    if not target or any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/officer/"):
        return default
    return target


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _failure_limit() -> str:
    return str(current_app.config["LOGIN_FAILURE_LIMIT"])


def _address_and_account() -> str:
    return limit_key((request.form.get("email") or "").strip().lower()[:320])


@bp.route("/login", methods=["GET", "POST"])
# Every attempt is counted before it runs (no burst of parallel guesses slips through)…
@limiter.limit(_login_limit, methods=["POST"])
# …and failures per address and account, so guessing one officer's password stops quickly while
# the officer, from their own desk, can still log in.
@limiter.limit(
    _failure_limit,
    methods=["POST"],
    key_func=_address_and_account,
    deduct_when=lambda response: response.status_code == 401,
)
@public
def login() -> ResponseReturnValue:
    g.lang = best_language_from_header(CITIZEN_LANGUAGES)
    if current_user.is_authenticated:
        return redirect(url_for("officer.queue"))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        staff = authenticate(form.email.data or "", form.password.data or "")
        if staff is not None:
            session.clear()  # nothing from before the login survives it (ASVS 3.2.1)
            token = start_session(staff, request.remote_addr)
            signed_in = session_staff(token)
            if signed_in is not None:
                login_user(StaffUser(signed_in), remember=False)
                record("login", staff.id, None, request.remote_addr)
                return redirect(_safe_next(request.args.get("next")))
        failed = True
        record("login_failed", None, None, request.remote_addr)
        commit()  # the failure counts and is audited, although the answer is 401
    status = 401 if failed else 422 if form.errors else 200
    response = current_app.make_response(render_template("staff/login.html", form=form, failed=failed))
    response.headers["Cache-Control"] = "no-store"
    return response, status


@bp.post("/logout")
@roles(*ALL_STAFF)
def logout() -> Response:
    end_session(current_user.get_id())
    record("logout", current_user.staff_id, None, request.remote_addr)
    logout_user()
    session.clear()
    return redirect(url_for("staff.login"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@roles(*ALL_STAFF)
def change_password() -> ResponseReturnValue:
    form = PasswordChangeForm()
    wrong = False
    same = False
    if form.validate_on_submit():
        try:
            changed = change_own_password(
                current_user.staff_id, form.current.data or "", form.new.data or "", request.remote_addr
            )
        except StaffError:
            changed, same = False, True
        if changed:
            # the session was read before the change: log in again with the new password
            end_session(current_user.get_id())
            logout_user()
            session.clear()
            return redirect(url_for("staff.login"), code=303)
        wrong = not same
    status = 401 if wrong else 422 if form.errors or same else 200
    return render_template("staff/password.html", form=form, wrong=wrong, same=same), status
