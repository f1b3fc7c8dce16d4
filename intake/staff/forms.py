from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired, Length


class LoginForm(FlaskForm):
    """Not cleaned like citizens' text: a password is compared exactly as typed."""

    email = EmailField(_l("E-mail address"), validators=[InputRequired(_l("Give your e-mail address."))])
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Give your password.")),
            Length(max=128, message=_l("Wrong e-mail or password.")),
        ],
    )
