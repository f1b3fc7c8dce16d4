from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length

from intake.officer.labels import ROLE_NAMES
from intake.staff.models import Role
from intake.staff.passwords import PASSWORD_MAX, PASSWORD_MIN, PASSWORD_RULE


class LoginForm(FlaskForm):
    """Not cleaned like citizens' text: a password is compared exactly as typed."""

    email = EmailField(_l("E-mail address"), validators=[InputRequired(_l("Give your e-mail address."))])
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Give your password.")),
            Length(max=PASSWORD_MAX, message=_l("Wrong e-mail or password.")),
        ],
    )


def new_password_field(label: LazyString) -> PasswordField:
    """A password being chosen (intake.staff.passwords; checked again by the service)."""
    return PasswordField(
        label,
        validators=[
            InputRequired(_l("Choose a new password.")),
            Length(min=PASSWORD_MIN, max=PASSWORD_MAX, message=PASSWORD_RULE),
        ],
    )


class CodeForm(FlaskForm):
    """A six-digit code from the app, or a recovery code (the field is named `code` in both)."""

    code = StringField(_l("Code"), validators=[InputRequired(_l("Type the code.")), Length(max=40)])


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[InputRequired(_l("Give your password."))])
    new = new_password_field(_l("New password"))


class StaffForm(FlaskForm):
    """An admin creates an account (the temporary password is replaced by the user at first login)."""

    email = EmailField(_l("E-mail address"), validators=[InputRequired(_l("Give your e-mail address."))])
    name = StringField(_l("Name"), validators=[InputRequired(_l("Give the name.")), Length(max=200)])
    role = SelectField(_l("Role"), choices=[SelectChoice(role, ROLE_NAMES[role]) for role in ROLE_NAMES])
    language = SelectField(
        _l("Language"), choices=[SelectChoice("fr", "Français"), SelectChoice("ar", "العربية")]
    )
    password = new_password_field(_l("Temporary password"))


class StaffActionForm(FlaskForm):
    """A change to an account from the admin page (CSRF checked; each action reads its field)."""

    role = SelectField(
        choices=[SelectChoice(role.value, role.value) for role in Role],
        validate_choice=False,
    )
    password = PasswordField()
