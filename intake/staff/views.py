"""Staff login and logout: one page for every role."""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from intake.extensions import limiter
from intake.i18n import CITIZEN_LANGUAGES, best_language_from_header
from intake.staff.access import ALL_STAFF, StaffUser, public, roles
from intake.staff.forms import LoginForm
from intake.staff.services import authenticate, end_session, session_staff, start_session

bp = Blueprint("staff", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never `//evil.example` or `https://…` (ASVS 5.1.5)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("officer.queue")


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda response: response.status_code == 401)
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
                return redirect(_safe_next(request.args.get("next")))
        failed = True
    status = 401 if failed else 422 if form.errors else 200
    response = current_app.make_response(render_template("staff/login.html", form=form, failed=failed))
    response.headers["Cache-Control"] = "no-store"
    return response, status


@bp.post("/logout")
@roles(*ALL_STAFF)
def logout() -> Response:
    end_session(current_user.get_id())
    logout_user()
    session.clear()
    return redirect(url_for("staff.login"), code=303)
