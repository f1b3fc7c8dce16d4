"""The report form: the one validation source for the HTML form and the JSON API."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import list_currencies
from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    MultipleFileField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from intake.reports.evidence import ALLOWED_MEDIA_TYPES, detect_media_type, stream_size
from intake.reports.identifiers import (
    IdentifierError,
    ascii_digits,
    normalise_email,
    normalise_identifier,
    normalise_phone,
)
from intake.reports.models import SuspectKind
from intake.reports.receipts import clean_reference
from intake.taxonomy import CATEGORIES, CATEGORY_BY_CODE, REGIONS

DESCRIPTION_MIN, DESCRIPTION_MAX = 30, 10_000
EARLIEST_INCIDENT = date(1990, 1, 1)
MAX_SUSPECTS = 20
LOSS_MAX = Decimal("999999999999.99")
CURRENCIES = frozenset(list_currencies())
# The select offers the currencies victims name most; the API accepts any ISO 4217 code.
COMMON_CURRENCIES = ("MAD", "EUR", "USD", "GBP", "CAD", "SAR", "AED", "QAR", "TRY")
MOROCCO = ZoneInfo("Africa/Casablanca")

SUSPECT_KIND_LABELS = {
    SuspectKind.PHONE: _l("Phone number"),
    SuspectKind.EMAIL: _l("E-mail address"),
    SuspectKind.URL: _l("Website or link"),
    SuspectKind.USERNAME: _l("Username or account name"),
    SuspectKind.IBAN: _l("Bank account (IBAN or RIB)"),
    SuspectKind.CRYPTO_WALLET: _l("Crypto wallet address"),
    SuspectKind.OTHER: _l("Other"),
}


def today_in_morocco() -> date:
    return datetime.now(MOROCCO).date()


class IncidentDateField(Field):
    """An ISO date (`2026-03-14`), Arabic-Indic digits accepted; a specific message when unreadable."""

    widget = StringField.widget
    data: date | None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.data.isoformat() if self.data else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        text = ascii_digits(str(valuelist[0]).strip())
        try:
            self.data = date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
        except ValueError:
            self.data = None
        if self.data is None:
            raise ValueError(_l("Enter the date as year-month-day, for example 2026-03-14."))


class AmountField(Field):
    """A sum of money: `1500`, `1 500,50`, `1500.5`; at most two decimals."""

    widget = StringField.widget
    data: Decimal | None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return str(self.data) if self.data is not None else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = str(valuelist[0]).strip() if valuelist and valuelist[0] is not None else ""
        if not raw:
            self.data = None
            return
        text = re.sub(r"[\s\u00a0\u202f']", "", ascii_digits(raw)).replace("٫", ".").replace(",", ".")
        try:
            amount = Decimal(text) if re.fullmatch(r"\d+(\.\d+)?", text) else None
        except InvalidOperation:
            amount = None
        if amount is None:
            self.data = None
            raise ValueError(_l("Enter the amount in figures, for example 1500 or 1500.50."))
        self.data = amount
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError(_l("Give the amount with two decimals at most."))
        if amount > LOSS_MAX:
            raise ValueError(_l("This amount is too large."))


class SuspectForm(Form):
    """One identifier of the offender; a row left empty is ignored."""

    kind = SelectField(
        _l("Type"),
        choices=[SelectChoice(kind.value, label) for kind, label in SUSPECT_KIND_LABELS.items()],
        validate_choice=False,
        default=SuspectKind.PHONE.value,
    )
    value = StringField(_l("Value"), filters=[lambda text: text.strip() if isinstance(text, str) else text])
    normalised: str | None = None

    def is_blank(self) -> bool:
        return not self.value.data

    def validate_kind(self, field: Field) -> None:
        if self.value.data and field.data not in SUSPECT_KIND_LABELS:
            raise ValidationError(_l("Choose what kind of identifier this is."))

    def validate_value(self, field: Field) -> None:
        if not field.data or self.kind.data not in SUSPECT_KIND_LABELS:
            return
        try:
            self.normalised = normalise_identifier(self.kind.data, field.data)
        except IdentifierError as error:
            raise ValidationError(error.message) from error


def _strip(text: Any) -> Any:
    return text.strip() if isinstance(text, str) else text


class ReportForm(FlaskForm):
    category = SelectField(
        _l("What happened?"),
        choices=[SelectChoice(c.code, c.label) for c in CATEGORIES],
        validate_choice=False,
        validators=[
            InputRequired(_l("Choose the category that best fits what happened.")),
            AnyOf([c.code for c in CATEGORIES], message=_l("Choose one of the categories in the list.")),
        ],
    )
    incident_date = IncidentDateField(
        _l("When did it happen?"), validators=[InputRequired(_l("Give the date of the incident."))]
    )
    description = TextAreaField(
        _l("Describe what happened"),
        filters=[_strip],
        validators=[InputRequired(_l("Describe what happened."))],
    )
    region = SelectField(
        _l("Where do you live?"),
        choices=[SelectChoice("", _l("I prefer not to say"))]
        + [SelectChoice(r.code, r.label) for r in REGIONS],
        validate_choice=False,
        validators=[
            Optional(),
            AnyOf([r.code for r in REGIONS], message=_l("Choose one of the regions in the list.")),
        ],
    )
    loss_amount = AmountField(_l("Amount lost, if any"))
    loss_currency = StringField(
        _l("Currency"), default="MAD", filters=[lambda text: text.strip().upper() if text else "MAD"]
    )
    suspects = FieldList(FormField(SuspectForm), min_entries=1, max_entries=MAX_SUSPECTS)
    anonymous = BooleanField(_l("I want to report anonymously"))
    reporter_name = StringField(
        _l("Your name"),
        filters=[_strip],
        validators=[Length(max=200, message=_l("Your name is too long (200 characters at most)."))],
    )
    reporter_email = StringField(_l("Your e-mail address"), filters=[_strip])
    reporter_phone = StringField(_l("Your phone number"), filters=[_strip])
    evidence = MultipleFileField(_l("Evidence files"))
    consent = BooleanField(
        _l("I confirm that these facts are true, and I have read the privacy notice."),
        validators=[
            DataRequired(_l("Tick this box to confirm the facts and that you have read the privacy notice."))
        ],
    )

    # Set by validation, read by the service: the matchable forms of the reporter's contact.
    reporter_email_normalised: str | None = None
    reporter_phone_normalised: str | None = None

    def validate_incident_date(self, field: Field) -> None:
        if field.data is None:
            return
        if field.data > today_in_morocco():
            raise ValidationError(_l("The date cannot be in the future."))
        if field.data < EARLIEST_INCIDENT:
            raise ValidationError(_l("The date cannot be before 1990."))

    def validate_description(self, field: Field) -> None:
        length = len(field.data or "")
        if length < DESCRIPTION_MIN:
            raise ValidationError(_l("Describe what happened in at least 30 characters."))
        if length > DESCRIPTION_MAX:
            raise ValidationError(_l("The description is too long (10,000 characters at most)."))

    def validate_loss_currency(self, field: Field) -> None:
        if field.data not in CURRENCIES:
            raise ValidationError(_l("Choose a currency code such as MAD, EUR or USD."))

    def validate_reporter_email(self, field: Field) -> None:
        if self.anonymous.data or not field.data:
            return
        try:
            self.reporter_email_normalised = normalise_email(field.data)
        except IdentifierError as error:
            raise ValidationError(error.message) from error

    def validate_reporter_phone(self, field: Field) -> None:
        if self.anonymous.data or not field.data:
            return
        try:
            self.reporter_phone_normalised = normalise_phone(field.data)
        except IdentifierError as error:
            raise ValidationError(error.message) from error

    def validate_reporter_name(self, field: Field) -> None:
        if not self.anonymous.data and not field.data:
            raise ValidationError(_l("Give your name, or choose to report anonymously."))

    def validate_anonymous(self, field: Field) -> None:
        if not field.data and not self.reporter_email.data and not self.reporter_phone.data:
            raise ValidationError(
                _l(
                    "Give an e-mail address or a phone number so that we can reach you, or report anonymously."
                )
            )

    def validate_suspects(self, field: Field) -> None:
        filled = [entry for entry in field.entries if not entry.form.is_blank()]
        if len(filled) > MAX_SUSPECTS:
            raise ValidationError(_l("Give 20 identifiers at most."))

    def uploaded_files(self) -> list[FileStorage]:
        return [f for f in (self.evidence.data or []) if isinstance(f, FileStorage) and f.filename]

    def validate_evidence(self, field: Field) -> None:
        files = self.uploaded_files()
        if not files:
            return
        category = CATEGORY_BY_CODE.get(self.category.data or "")
        if category is not None and not category.evidence_allowed:
            raise ValidationError(_l("For this category, do not upload any file: give the links only."))
        message = evidence_size_error(files)
        if message is not None:
            raise ValidationError(message)
        for upload in files:
            if stream_size(upload.stream) == 0:
                raise ValidationError(_l("One of the files is empty."))
            media_type = detect_media_type(upload.stream)
            if media_type is None or media_type not in ALLOWED_MEDIA_TYPES:
                raise ValidationError(
                    _l(
                        "This type of file is not accepted: send images (PNG, JPEG), PDF, text, e-mails (EML) or MP4 videos."
                    )
                )

    def filled_suspects(self) -> list[SuspectForm]:
        return [entry.form for entry in self.suspects.entries if not entry.form.is_blank()]


def evidence_size_error(files: list[FileStorage]) -> LazyString | None:
    """The limits on count and size of evidence; the API answers 413 when one is exceeded."""
    config = current_app.config
    if len(files) > config["EVIDENCE_MAX_FILES"]:
        return _l("Attach 5 files at most.")
    sizes = [stream_size(upload.stream) for upload in files]
    if any(size > config["EVIDENCE_MAX_FILE_BYTES"] for size in sizes):
        return _l("Each file must be 10 MB at most.")
    if sum(sizes) > config["EVIDENCE_MAX_TOTAL_BYTES"]:
        return _l("All files together must be 25 MB at most.")
    return None


class TrackForm(FlaskForm):
    reference = StringField(
        _l("Reference"),
        filters=[lambda text: clean_reference(text) if text else text],
        validators=[InputRequired(_l("Give the reference of your report, for example BLG-7KQ4-M9XD."))],
    )
    receipt = StringField(
        _l("Receipt"),
        validators=[InputRequired(_l("Give the receipt you were shown when you filed the report."))],
    )


def json_to_formdata(payload: Mapping[str, Any]) -> MultiDict[str, Any]:
    """Flatten an API body into the HTML form's field names, so one form class validates both."""
    data: MultiDict[str, Any] = MultiDict()
    for key, value in payload.items():
        if key == "suspects":
            for index, row in enumerate(value if isinstance(value, list) else [value]):
                row = row if isinstance(row, Mapping) else {"value": row}
                data.add(f"suspects-{index}-kind", "" if row.get("kind") is None else str(row.get("kind")))
                data.add(f"suspects-{index}-value", "" if row.get("value") is None else str(row.get("value")))
        elif isinstance(value, bool):
            if value:
                data.add(key, "y")
        elif value is None:
            continue
        elif isinstance(value, int | float | str):
            data.add(key, str(value))
        else:
            data.add(key, "\x00invalid")  # a list or object where a scalar belongs: fails validation
    return data
