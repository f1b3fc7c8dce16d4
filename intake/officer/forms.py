from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from intake.text import CleanTextMeta


class CaseActionForm(FlaskForm):
    """One form for every case action; each action reads the fields it needs (CSRF checked)."""

    class Meta(CleanTextMeta):
        pass

    version = IntegerField(validators=[InputRequired()])
    status = StringField()
    reason = TextAreaField()
    message = TextAreaField()
    body = TextAreaField()
    assignee = IntegerField(validators=[Optional()])
    refusal = StringField()  # why a request to erase is refused (intake.privacy.models.RefusalReason)
    confirm = BooleanField()  # an erasure is confirmed by ticking a box
