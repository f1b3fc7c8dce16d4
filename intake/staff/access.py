"""Who may open what: deny by default (ASVS 4.1.3). Every view declares `@public` or `@roles(...)`;
a view that declares nothing answers 403 to everybody, so a forgotten route is closed, not open."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user
from werkzeug.wrappers import Response

from intake.access_log import STAFF_ENVIRON_KEY
from intake.staff.models import ALL_STAFF, Role
from intake.staff.second_factor import is_fresh
from intake.staff.services import SignedIn, session_staff

__all__ = ["ALL_STAFF", "PUBLIC", "fresh_second_factor", "public", "roles"]
View = TypeVar("View", bound=Callable[..., Any])
PUBLIC = "public"
_ACCESS = "_blagh_access"
# After a reset, these are the only pages the user may open until they choose a new password.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"staff.change_password", "staff.logout"})
# Before the second factor is proved (or enrolled, when it is required), only these open.
SECOND_FACTOR_ENDPOINTS = frozenset({"staff.second_factor", "staff.enrol", "staff.logout"})
_FRESH = "_blagh_fresh_second_factor"

login_manager = LoginManager()
login_manager.session_protection = None  # the server-side session (revocable) is the protection
login_manager.login_view = None


def public(view: View) -> View:
    setattr(view, _ACCESS, PUBLIC)
    return view


def roles(*allowed: Role) -> Callable[[View], View]:
    def declare(view: View) -> View:
        setattr(view, _ACCESS, frozenset(role.value for role in allowed))
        return view

    return declare


def fresh_second_factor(form_page: str | None = None) -> Callable[[View], View]:
    """Exports and account changes: a code newer than 15 minutes is asked again first (ASVS 2.8.x
    re-authentication before sensitive operations). A GET comes back to itself after the code; a form
    sent too late comes back to the page that holds it (`form_page`, an endpoint; by default the same
    URL), where the person sends it again: a change is never made on a stale proof."""

    def declare(view: View) -> View:
        setattr(view, _FRESH, form_page or "")
        return view

    return declare


def second_factor_required() -> bool:
    return current_app.config["STAFF_2FA"] == "required"


def safe_console_path(target: str | None, default: str) -> str:
    """Only a page of the console, as a plain path: never another site (ASVS 5.1.5)."""
    if not target or any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(("/officer/", "/admin/", "/account/")):
        return default
    return target


def _second_factor_page(signed_in: SignedIn) -> Response | None:
    """Where a session that has not proved its second factor must go first, if anywhere."""
    if signed_in.second_factor_at is not None or request.endpoint in SECOND_FACTOR_ENDPOINTS:
        return None
    if signed_in.totp_enabled:
        return redirect(url_for("staff.second_factor", next=request.full_path.rstrip("?")))
    if second_factor_required():
        return redirect(url_for("staff.enrol"))
    return None


def _stale_second_factor(view: Callable[..., Any] | None, signed_in: SignedIn) -> Response | None:
    form_page = getattr(view, _FRESH, None)
    if form_page is None or not signed_in.totp_enabled or is_fresh(signed_in.second_factor_at):
        return None
    if request.method == "GET":
        return redirect(url_for("staff.second_factor", next=request.full_path.rstrip("?")), 303)
    target = url_for(form_page) if form_page else request.path
    return redirect(
        url_for("staff.second_factor", next=safe_console_path(target, url_for("officer.queue")), repeat=1),
        303,
    )


def declared_access(view: Callable[..., Any] | None) -> str | frozenset[str] | None:
    return getattr(view, _ACCESS, None) if view is not None else None


class StaffUser(UserMixin):
    """The signed-in staff member; the id Flask-Login keeps in the cookie is the session token."""

    def __init__(self, signed_in: SignedIn) -> None:
        self.signed_in = signed_in

    def get_id(self) -> str:
        return self.signed_in.token

    @property
    def staff_id(self) -> int:
        return self.signed_in.staff_id

    @property
    def role(self) -> str:
        return self.signed_in.role

    @property
    def language(self) -> str:
        return self.signed_in.language

    @property
    def name(self) -> str:
        return self.signed_in.name


@login_manager.user_loader
def load_user(token: str) -> StaffUser | None:
    signed_in = session_staff(token, timedelta(hours=current_app.config["STAFF_SESSION_MAX_HOURS"]))
    return StaffUser(signed_in) if signed_in else None


def check_access() -> Response | None:
    """before_request: the declared access of the view about to run, for the person asking."""
    if request.endpoint is None:
        return None  # 404 and 405 answer on their own
    if request.endpoint == "static":
        return None
    access = declared_access(current_app.view_functions.get(request.endpoint))
    if access == PUBLIC:
        return None
    if access is None:
        abort(403)  # declared nothing: closed
    if not current_user.is_authenticated:
        if request.method == "GET" and not request.path.startswith("/api/"):
            return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
        abort(401)
    g.lang = current_user.language  # staff pages speak the officer's chosen language
    signed_in = current_user.signed_in
    first = _second_factor_page(signed_in)
    if first is not None:
        return first
    if (
        signed_in.must_change_password
        and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS | SECOND_FACTOR_ENDPOINTS
    ):
        return redirect(url_for("staff.change_password"))
    if current_user.role not in access:
        abort(403)
    view = current_app.view_functions.get(request.endpoint)
    stale = _stale_second_factor(view, signed_in)
    if stale is not None:
        return stale
    g.lang = current_user.language  # staff pages speak the officer's chosen language
    request.environ[STAFF_ENVIRON_KEY] = str(current_user.staff_id)  # the access log names staff only
    return None


def no_store_for_staff(response: Response) -> Response:
    """Staff pages hold victims' names and contacts: never kept in a browser cache (ASVS 8.2.1)."""
    view = current_app.view_functions.get(request.endpoint or "")
    if request.endpoint and request.endpoint != "static" and declared_access(view) != PUBLIC:
        response.headers["Cache-Control"] = "no-store"
    return response


def register_access(app: Flask) -> None:
    login_manager.init_app(app)
    app.before_request(check_access)
    app.after_request(no_store_for_staff)
