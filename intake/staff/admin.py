"""Staff accounts, for admins, at /admin/staff: create, change roles, reset passwords, disable.
Every change is audited by the services; sessions of a changed account end at once."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from intake.extensions import db
from intake.officer.labels import role_name
from intake.staff.access import fresh_second_factor, roles
from intake.staff.forms import StaffActionForm, StaffForm
from intake.staff.models import Role
from intake.staff.passwords import PASSWORD_RULE
from intake.staff.services import (
    StaffError,
    change_role,
    create_staff,
    disable_account,
    list_staff,
    reset_password,
    reset_second_factor,
)

bp = Blueprint("staff_admin", __name__, url_prefix="/admin/staff")
# StaffError's message is English, for the command line; pages say it in the admin's language.
STAFF_ERRORS = {
    "email": _l("This is not a valid e-mail address."),
    "password": PASSWORD_RULE,
    "role": _l("Choose one of the roles."),
    "language": _l("Choose Arabic or French."),
    "exists": _l("An account already exists for this e-mail address."),
    "missing": _l("This account does not exist."),
    "self": _l("You cannot take away your own access."),
    "same": _l("Choose a password different from the current one."),
}


@bp.context_processor
def labels() -> dict[str, object]:
    return {"role_name": role_name}


@bp.route("", methods=["GET", "POST"])
@roles(Role.ADMIN)
@fresh_second_factor()
def accounts() -> ResponseReturnValue:
    """Accounts, and a form to create one (with a temporary password, changed at first login)."""
    form = StaffForm()
    error = None
    if form.validate_on_submit():
        try:
            create_staff(
                form.email.data or "",
                form.name.data or "",
                form.role.data or "",
                form.password.data or "",
                form.language.data or "fr",
                actor_id=current_user.staff_id,
                ip=request.remote_addr,
                temporary_password=True,
            )
            return redirect(url_for(".accounts"), code=303)
        except StaffError as problem:
            db.session.rollback()
            error = str(STAFF_ERRORS.get(problem.code, problem))
    status = 422 if form.errors or error else 200
    return render_template(
        "staff/accounts.html", form=form, accounts=list_staff(), error=error, roles=list(Role)
    ), status


@bp.post("/<int:staff_id>/<action>")
@roles(Role.ADMIN)
@fresh_second_factor("staff_admin.accounts")
def account_action(staff_id: int, action: str) -> ResponseReturnValue:
    form = StaffActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if action == "role":
            change_role(staff_id, form.role.data or "", current_user.staff_id, request.remote_addr)
        elif action == "disable":
            disable_account(staff_id, current_user.staff_id, request.remote_addr)
        elif action == "reset-password":
            reset_password(staff_id, form.password.data or "", current_user.staff_id, request.remote_addr)
        elif action == "reset-2fa":
            reset_second_factor(staff_id, current_user.staff_id, request.remote_addr)
        else:
            abort(404)
    except StaffError as problem:
        db.session.rollback()
        body = render_template(
            "staff/accounts.html",
            form=StaffForm(formdata=None),
            accounts=list_staff(),
            error=str(STAFF_ERRORS.get(problem.code, problem)),
            roles=list(Role),
        )
        return body, 422
    return redirect(url_for(".accounts"), code=303)
