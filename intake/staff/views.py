"""Staff login and logout: one page for every role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from intake.extensions import db, limit_key, limiter
from intake.i18n import STAFF_LANGUAGES, best_language_from_header
from intake.officer.audit import record
from intake.staff import second_factor as totp
from intake.staff.access import (
    ALL_STAFF,
    fresh_second_factor,
    load_user,
    public,
    roles,
    safe_console_path,
    second_factor_required,
)
from intake.staff.forms import CodeForm, LoginForm, PasswordChangeForm
from intake.staff.models import Staff
from intake.staff.services import (
    StaffError,
    authenticate,
    change_own_password,
    end_session,
    login_key,
    prove_second_factor,
    start_session,
)
from intake.unit_of_work import commit

bp = Blueprint("staff", __name__)
# The key being enrolled lives in the enrolling session only (its signed cookie): someone else who
# knows the password sees another key, on another device, which never works for this account.
_PENDING_KEY = "pending_totp_secret"


def _safe_next(target: str | None) -> str:
    return safe_console_path(target, url_for("officer.queue"))


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _failure_limit() -> str:
    return str(current_app.config["LOGIN_FAILURE_LIMIT"])


def _address_and_account() -> str:
    return limit_key(login_key(request.form.get("email") or ""))


def _account() -> str:
    """Second-factor codes and current passwords: counted per account, wherever they come from."""
    return f"staff:{current_user.staff_id}" if current_user.is_authenticated else limit_key()


def _second_factor_limit() -> str:
    return str(current_app.config["SECOND_FACTOR_FAILURE_LIMIT"])


def _password_check_limit() -> str:
    return str(current_app.config["PASSWORD_CHECK_LIMIT"])


def _failures_counted(limit: Callable[[], str], key_func: Callable[[], str] = _account) -> Any:
    """POSTs answered 401 (a wrong password or code) count under `key_func`, up to `limit`."""
    return limiter.limit(
        limit, methods=["POST"], key_func=key_func, deduct_when=lambda response: response.status_code == 401
    )


def _sign_in(token: str) -> None:
    user = load_user(token)  # as every later request will load it
    if user is None:  # a session just opened in this transaction: always found
        raise RuntimeError("the new staff session was not found")
    login_user(user, remember=False)


@bp.route("/login", methods=["GET", "POST"])
# Every attempt is counted before it runs (no burst of parallel guesses slips through)…
@limiter.limit(_login_limit, methods=["POST"])
# …and failures per address and account, so guessing one officer's password stops quickly while
# the officer, from their own desk, can still log in.
@_failures_counted(_failure_limit, _address_and_account)
@public
def login() -> ResponseReturnValue:
    g.lang = best_language_from_header(STAFF_LANGUAGES)
    if current_user.is_authenticated:
        return redirect(url_for("officer.queue"))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        staff, tried = authenticate(form.email.data or "", form.password.data or "")
        if staff is not None:
            session.clear()  # nothing from before the login survives it (ASVS 3.2.1)
            _sign_in(start_session(staff, request.remote_addr))
            record("login", staff.id, None, request.remote_addr)
            target = _safe_next(request.args.get("next"))
            if staff.totp_enabled_at is not None:  # the password alone opens nothing (ASVS 2.2.x)
                return redirect(url_for(".second_factor", next=target))
            if second_factor_required():
                return redirect(url_for(".enrol"))
            return redirect(target)
        failed = True
        record("login_failed", None, None, request.remote_addr, account=tried)
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


@bp.route("/login/code", methods=["GET", "POST"])
@_failures_counted(_second_factor_limit)
@roles(*ALL_STAFF)
def second_factor() -> ResponseReturnValue:
    """The code after the password, and again before exports and account changes (`again`)."""
    target = _safe_next(request.values.get("next"))
    signed_in = current_user.signed_in
    if not signed_in.totp_enabled:
        return redirect(url_for(".enrol") if second_factor_required() else target)
    again = signed_in.second_factor_at is not None
    if again and totp.is_fresh(signed_in.second_factor_at) and request.method == "GET":
        return redirect(target)
    form = CodeForm()
    wrong = False
    if form.validate_on_submit():
        staff = db.session.get(Staff, current_user.staff_id)
        if staff is not None and totp.verify(staff, form.code.data or "", request.remote_addr):
            token = prove_second_factor(current_user.get_id(), staff.id, request.remote_addr)
            _sign_in(token)
            return redirect(target, code=303)
        wrong = True
        commit()  # the failure is audited (and the used step kept), although the answer is 401
    status = 401 if wrong else 422 if form.errors else 200
    body = render_template(
        "staff/second_factor.html",
        form=form,
        wrong=wrong,
        again=again,
        repeat=request.args.get("repeat") == "1",
        next_url=target,
    )
    return body, status


@bp.route("/account/two-factor", methods=["GET", "POST"])
@_failures_counted(_second_factor_limit)
@roles(*ALL_STAFF)
def enrol() -> ResponseReturnValue:
    """Turn the second factor on: the secret as text and as a QR code, then the first code."""
    staff = db.session.get(Staff, current_user.staff_id)
    if staff is None or staff.totp_enabled_at is not None:
        return redirect(url_for(".second_factor"))  # already on: prove it, never enrol again
    form = CodeForm()
    wrong = False
    pending = session.get(_PENDING_KEY)
    secret = pending if isinstance(pending, str) and totp.is_secret(pending) else totp.new_secret()
    session[_PENDING_KEY] = secret
    if form.validate_on_submit():
        codes = totp.confirm_enrolment(staff, secret, form.code.data or "", request.remote_addr)
        if codes is not None:
            session.pop(_PENDING_KEY, None)
            _sign_in(prove_second_factor(current_user.get_id(), staff.id, request.remote_addr))
            commit()
            next_url = url_for(".change_password") if staff.must_change_password else url_for("officer.queue")
            response = current_app.make_response(
                render_template("staff/enrol.html", form=form, recovery_codes=codes, next_url=next_url)
            )
            response.headers["Cache-Control"] = "no-store"
            return response
        wrong = True
        commit()  # the failure is audited, although the answer is 401
    body = render_template(
        "staff/enrol.html",
        form=form,
        wrong=wrong,
        secret=totp.grouped(secret),
        qr_svg=totp.provisioning_qr_svg(staff, secret),
        recovery_codes=None,
    )
    return body, 401 if wrong else 422 if form.errors else 200


@bp.route("/account/password", methods=["GET", "POST"])
# A session holder guessing the current password is throttled per account (and audited).
@_failures_counted(_password_check_limit)
@roles(*ALL_STAFF)
@fresh_second_factor()
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
        if wrong:
            commit()  # the failed check is audited, although the answer is 401
    status = 401 if wrong else 422 if form.errors or same else 200
    return render_template("staff/password.html", form=form, wrong=wrong, same=same), status
