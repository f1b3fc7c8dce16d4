"""The report form: the one validation source for the HTML form and the JSON API."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from babel.numbers import list_currencies
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
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

from intake.acknowledgements.codes import clean_code
from intake.clock import today_in_morocco
from intake.i18n import format_number
from intake.reports.amounts import AmountError, parse_amount
from intake.reports.identifiers import (
    IdentifierError,
    normalise_email,
    normalise_identifier,
    normalise_phone,
)
from intake.reports.models import SuspectKind
from intake.reports.receipts import clean_reference
from intake.reports.submission import ReportSubmission, SuspectEntry
from intake.reports.uploads import CheckedUpload, check_uploads, uploaded_files
from intake.taxonomy import CATEGORIES, CATEGORY_BY_CODE, REGIONS
from intake.text import CleanTextMeta, ascii_digits

DESCRIPTION_MIN, DESCRIPTION_MAX = 30, 10_000
NAME_MAX = 200
EARLIEST_INCIDENT = date(1990, 1, 1)
MAX_SUSPECTS = 20
LOSS_MAX = Decimal("999999999999.99")
CURRENCIES = frozenset(list_currencies())
# The select offers the currencies victims name most; the API accepts any ISO 4217 code.
COMMON_CURRENCIES = ("MAD", "EUR", "USD", "GBP", "CAD", "SAR", "AED", "QAR", "TRY")

SUSPECT_KIND_LABELS = {
    SuspectKind.PHONE: _l("Phone number"),
    SuspectKind.EMAIL: _l("E-mail address"),
    SuspectKind.URL: _l("Website or link"),
    SuspectKind.USERNAME: _l("Username or account name"),
    SuspectKind.IBAN: _l("Bank account (IBAN or RIB)"),
    SuspectKind.CRYPTO_WALLET: _l("Crypto wallet address"),
    SuspectKind.OTHER: _l("Other"),
}


_DAY_FIRST = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})")


class IncidentDateField(Field):
    """A date as the browser's date picker sends it (`2026-03-14`) or as Moroccans write it by hand,
    day first (`14/03/2026`, `14-03-2026`, `14.03.2026`), Arabic-Indic digits accepted."""

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
        day_first = _DAY_FIRST.fullmatch(text)
        if day_first:
            year = day_first.group(3) if len(day_first.group(3)) == 4 else f"20{day_first.group(3)}"
            text = f"{year}-{int(day_first.group(2)):02d}-{int(day_first.group(1)):02d}"
        try:
            self.data = date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
        except ValueError:
            self.data = None
        if self.data is None:
            raise ValueError(_l("Enter the date as day/month/year, for example 14/03/2026."))


class AmountField(Field):
    """A sum of money as people type it (intake.reports.amounts): `10.000`, `2 500,50`, `١٥٠٠ درهم`."""

    widget = StringField.widget
    data: Decimal | None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return str(self.data) if self.data is not None else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = str(valuelist[0]).strip() if valuelist and valuelist[0] is not None else ""
        self.data = None
        if not raw:
            return
        try:
            amount = parse_amount(raw)
        except AmountError as error:
            raise ValueError(amount_message(error, raw)) from error
        self.data = amount
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError(_l("Give the amount with two decimals at most."))
        if amount > LOSS_MAX:
            raise ValueError(_l("This amount is too large."))


def amount_message(error: AmountError, typed: str) -> LazyString:
    """What the citizen is told, in their language, with how the amount was read when it can be
    read two ways."""
    if error.code == "unit":
        return _l(
            "Give the amount in dirhams. Amounts in centimes or rials are not converted here: "
            "for example, 5 million centimes is 50,000 dirhams."
        )
    if error.code == "ambiguous":
        first, second = (format_number(reading) for reading in error.readings)
        return _l(
            "We can read %(typed)s as %(first)s or as %(second)s dirhams. Write the amount without "
            "a separator for thousands, for example 1500 or 1,5.",
            typed=typed,
            first=first,
            second=second,
        )
    return _l("Enter the amount in dirhams, in figures, for example 1500, 10.000 or 2 500,50.")


class SuspectForm(Form):
    """One identifier of the suspect; a row left empty is ignored."""

    class Meta(CleanTextMeta):
        pass

    kind = SelectField(
        _l("Type"),
        choices=[SelectChoice(kind.value, label) for kind, label in SUSPECT_KIND_LABELS.items()],
        validate_choice=False,
        default=SuspectKind.PHONE.value,
    )
    value = StringField(_l("Identifier"))
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


class ReportForm(FlaskForm):
    class Meta(CleanTextMeta):
        pass

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
    # No max_entries: WTForms would drop the rows beyond it without a word; validate_suspects counts.
    suspects = FieldList(FormField(SuspectForm), min_entries=1)
    anonymous = BooleanField(_l("I want to report anonymously"))
    reporter_name = StringField(
        _l("Your name"),
        validators=[
            Length(
                max=NAME_MAX,
                message=_l("Your name is too long (%(max)s characters at most).", max=NAME_MAX),
            )
        ],
    )
    reporter_email = StringField(_l("Your e-mail address"))
    reporter_phone = StringField(_l("Your phone number"))
    # Off by default; only with the contact it needs. The message says only that there is news.
    notify = BooleanField(_l("Tell me by e-mail when there is news"))
    notify_sms = BooleanField(_l("Tell me by text message (SMS) when there is news"))
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
    # Set by validate_evidence, so the content of each file is inspected once.
    checked_uploads: tuple[CheckedUpload, ...] = ()

    def validate_incident_date(self, field: Field) -> None:
        if field.data is None:
            return
        if field.data > today_in_morocco():
            raise ValidationError(_l("The date cannot be in the future."))
        if field.data < EARLIEST_INCIDENT:
            raise ValidationError(_l("The date cannot be before %(year)s.", year=str(EARLIEST_INCIDENT.year)))

    def validate_description(self, field: Field) -> None:
        length = len(field.data or "")
        if length < DESCRIPTION_MIN:
            raise ValidationError(
                _l("Describe what happened in at least %(min)s characters.", min=DESCRIPTION_MIN)
            )
        if length > DESCRIPTION_MAX:
            raise ValidationError(
                _l(
                    "The description is too long (%(max)s characters at most).",
                    max=format_number(DESCRIPTION_MAX),
                )
            )

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

    def validate_notify(self, field: Field) -> None:
        if field.data and (self.anonymous.data or not self.reporter_email.data):
            raise ValidationError(_l("Give your e-mail address to be told by e-mail, or untick this box."))

    def validate_notify_sms(self, field: Field) -> None:
        if field.data and (self.anonymous.data or not self.reporter_phone.data):
            raise ValidationError(_l("Give your phone number to be told by SMS, or untick this box."))

    def validate_anonymous(self, field: Field) -> None:
        if not field.data and not self.reporter_email.data and not self.reporter_phone.data:
            raise ValidationError(
                _l(
                    "Give an e-mail address or a phone number so that we can reach you, or report anonymously."
                )
            )

    def validate_suspects(self, field: Field) -> None:
        filled = self.filled_suspects()
        if len(filled) > MAX_SUSPECTS:
            raise ValidationError(_l("Give %(max)s identifiers at most.", max=MAX_SUSPECTS))
        category = CATEGORY_BY_CODE.get(self.category.data or "")
        if category is not None and category.links_only and any(row.kind.data != "url" for row in filled):
            raise ValidationError(_l("For this category, give links only: no other kind of identifier."))

    def can_add_suspect(self) -> bool:
        return len(self.suspects.entries) < MAX_SUSPECTS

    def uploaded_files(self) -> list[FileStorage]:
        return uploaded_files(self.evidence.data)

    def validate_evidence(self, field: Field) -> None:
        category = CATEGORY_BY_CODE.get(self.category.data or "")
        self.checked_uploads = check_uploads(
            self.uploaded_files(), category is None or category.evidence_allowed
        )

    def filled_suspects(self) -> list[SuspectForm]:
        return [entry.form for entry in self.suspects.entries if not entry.form.is_blank()]

    def submission(self) -> ReportSubmission:
        """The validated answers as plain values (call after `validate`)."""
        anonymous = bool(self.anonymous.data)
        return ReportSubmission(
            category=self.category.data or "",
            incident_date=self.incident_date.data or today_in_morocco(),
            description=self.description.data or "",
            region=self.region.data or None,
            loss_amount=self.loss_amount.data,
            loss_currency=self.loss_currency.data if self.loss_amount.data is not None else None,
            suspects=tuple(
                SuspectEntry(row.kind.data, row.value.data, row.normalised or "")
                for row in self.filled_suspects()
            ),
            anonymous=anonymous,
            reporter_name=None if anonymous else self.reporter_name.data or None,
            reporter_email=None if anonymous else self.reporter_email_normalised,
            reporter_phone=None if anonymous else self.reporter_phone_normalised,
            notify_email=not anonymous and bool(self.notify.data),
            notify_sms=not anonymous and bool(self.notify_sms.data),
            uploads=self.checked_uploads,
        )


class TrackForm(FlaskForm):
    reference = StringField(
        _l("Reference"),
        filters=[lambda text: clean_reference(text) if text else text],
        validators=[InputRequired(_l("Give the reference of your report, for example BLG-7KQ4-M9XD."))],
    )
    receipt = StringField(
        _l("Secret code"),
        validators=[InputRequired(_l("Give the secret code you were shown when you filed the report."))],
    )

    class Meta(CleanTextMeta):
        pass


class VerifyForm(FlaskForm):
    """A bank, an insurer or an employer checks an acknowledgement with what is printed on it."""

    reference = StringField(
        _l("Reference"),
        filters=[lambda text: clean_reference(text) if text else text],
        validators=[
            InputRequired(_l("Give the reference printed on the acknowledgement, for example BLG-7KQ4-M9XD."))
        ],
    )
    code = StringField(
        _l("Verification code"),
        validators=[InputRequired(_l("Give the verification code printed on the acknowledgement."))],
    )

    class Meta(CleanTextMeta):
        pass

    def validate_code(self, field: Field) -> None:
        if not clean_code(field.data or ""):
            raise ValidationError(
                _l("A verification code has 16 letters and digits, in four groups of four.")
            )


ANSWER_MAX = 5000


class AnswerForm(TrackForm):
    """The citizen's answer to an officer's question, on the tracking page (the code is asked again)."""

    evidence = MultipleFileField(_l("Evidence files"))
    checked_uploads: tuple[CheckedUpload, ...] = ()

    def uploaded_files(self) -> list[FileStorage]:
        return uploaded_files(self.evidence.data)

    def validate_evidence(self, field: Field) -> None:
        # The report's category is not known before the code is checked: the service refuses
        # files for a category that takes none.
        self.checked_uploads = check_uploads(self.uploaded_files())

    answer = TextAreaField(
        _l("Your answer"),
        validators=[
            # after the text is cleaned: blank or invisible characters alone are no answer
            DataRequired(_l("Write your answer.")),
            Length(
                max=ANSWER_MAX,
                message=_l("Your answer is too long (%(max)s characters at most).", max=ANSWER_MAX),
            ),
        ],
    )
