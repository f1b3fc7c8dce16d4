"""The HTML form at /<lang>/report: validation per field in both languages, kept input, confirmation."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import func, select

from intake.extensions import db
from intake.i18n import format_number
from intake.outbox.models import OutboxJob
from intake.reports.models import EvidenceFile, Report, SuspectIdentifier
from intake.reports.receipts import REFERENCE_PATTERN, hash_receipt
from tests.conftest import RECEIPT_PATTERN, csrf_token
from tests.factories import (
    DESCRIPTION_AR,
    DESCRIPTION_DARIJA,
    EXE_BYTES,
    PDF_BYTES,
    form_data,
    png_bytes,
    upload,
)

CITIZEN_LANGUAGES = ["ar", "fr"]


def translated(app: Flask, lang: str, message: Any) -> str:
    """`message` in `lang`, HTML-escaped; a callable is called inside the locale (for formatted numbers)."""
    with app.test_request_context(), force_locale(lang):
        text = str(message() if callable(message) else message)
    if lang != "en":
        with app.test_request_context(), force_locale("en"):
            english = str(message() if callable(message) else message)
            assert text != english, f"not translated into {lang}: {text}"
    return str(escape(text))


def post_form(client: FlaskClient, lang: str, data: dict[str, Any], **kwargs: Any):
    data = {"csrf_token": csrf_token(client, f"/{lang}/report"), **data}
    return client.post(f"/{lang}/report", data=data, content_type="multipart/form-data", **kwargs)


def report_count() -> int:
    return db.session.scalar(select(func.count(Report.id))) or 0


@pytest.mark.parametrize("lang", CITIZEN_LANGUAGES)
def test_valid_report_is_committed_and_redirected_to_confirmation(client: FlaskClient, lang: str) -> None:
    response = post_form(client, lang, form_data(description=DESCRIPTION_AR))
    assert response.status_code == 303
    assert response.location.endswith(f"/{lang}/report/confirmation")
    report = db.session.scalar(select(Report))
    assert report is not None and report.language == lang and report.channel == "web"
    assert report.status == "received" and report.reporter_phone == "+212661234567"
    assert [(s.kind, s.normalised) for s in report.suspects] == [
        ("phone", "+212612345678"),
        ("url", "shop-fake.ma/offre"),
    ]
    assert db.session.scalar(select(OutboxJob.args)) == [report.id]

    page = client.get(response.location)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    reference = re.search(r"BLG-[0-9A-Z]{4}-[0-9A-Z]{4}", text).group(0)
    receipt = RECEIPT_PATTERN.search(text).group(0)
    assert reference == report.reference and REFERENCE_PATTERN.match(reference)
    assert hash_receipt(receipt) == report.receipt_hash and receipt not in response.location

    again = client.get(response.location)
    assert again.status_code == 303 and receipt not in again.get_data(as_text=True)


def test_receipt_never_reaches_the_logs(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    """ASVS 7.1.1: no credentials or secrets in logs."""
    caplog.set_level(logging.DEBUG)
    response = post_form(client, "fr", form_data())
    receipt = RECEIPT_PATTERN.search(client.get(response.location).get_data(as_text=True)).group(0)
    assert receipt not in caplog.text


def test_csrf_token_is_required_and_nothing_is_stored_without_it(client: FlaskClient, app: Flask) -> None:
    """ASVS 4.2.2: state-changing requests carry an anti-CSRF token."""
    response = client.post("/fr/report", data=form_data(), content_type="multipart/form-data")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert translated(app, "fr", _l("This page expired. Check your answers and send the form again.")) in text
    assert "Salma Benali" in text  # what was typed is kept
    assert report_count() == 0


FIELD_CASES = [
    # (field changes, the message the citizen must see)
    ({"category": None}, _l("Choose the category that best fits what happened.")),
    ({"category": "lottery"}, _l("Choose one of the categories in the list.")),
    ({"incident_date": None}, _l("Give the date of the incident.")),
    ({"incident_date": "31/02/2026"}, _l("Enter the date as day/month/year, for example 14/03/2026.")),
    ({"incident_date": "2026-02-30"}, _l("Enter the date as day/month/year, for example 14/03/2026.")),
    (
        {"incident_date": (date.today() + timedelta(days=2)).isoformat()},
        _l("The date cannot be in the future."),
    ),
    ({"incident_date": "1989-12-31"}, _l("The date cannot be before %(year)s.", year="1990")),
    ({"description": None}, _l("Describe what happened.")),
    ({"description": "On m'a volé."}, _l("Describe what happened in at least %(min)s characters.", min=30)),
    (
        {"description": "x" * 10_001},
        lambda: _l("The description is too long (%(max)s characters at most).", max=format_number(10_000)),
    ),
    ({"region": "paris"}, _l("Choose one of the regions in the list.")),
    (
        {"loss_amount": "beaucoup"},
        _l("Enter the amount in dirhams, in figures, for example 1500, 10.000 or 2 500,50."),
    ),
    (
        {"loss_amount": "-10"},
        _l("Enter the amount in dirhams, in figures, for example 1500, 10.000 or 2 500,50."),
    ),
    ({"loss_amount": "10.5055"}, _l("Give the amount with two decimals at most.")),
    ({"loss_amount": "10000000000000"}, _l("This amount is too large.")),
    ({"loss_currency": "XYZ"}, _l("Choose a currency code such as MAD, EUR or USD.")),
    ({"suspects-0-value": "12"}, _l("This is not a valid phone number.")),
    (
        {"suspects-0-kind": "email", "suspects-0-value": "pas-une-adresse"},
        _l("This is not a valid e-mail address."),
    ),
    ({"suspects-1-value": "pas une adresse"}, _l("This is not a valid web address.")),
    (
        {"suspects-0-kind": "iban", "suspects-0-value": "MA00 0117 8000 0012 3456 7890 1296"},
        _l("This IBAN is not valid: check its digits."),
    ),
    (
        {"suspects-0-kind": "iban", "suspects-0-value": "011780000012345678901200"},
        _l("This RIB is not valid: check its 24 digits."),
    ),
    (
        {"suspects-0-kind": "crypto_wallet", "suspects-0-value": "mon portefeuille"},
        _l("This does not look like a crypto wallet address."),
    ),
    ({"suspects-0-kind": "weapon"}, _l("Choose what kind of identifier this is.")),
    ({"reporter_name": None}, _l("Give your name, or choose to report anonymously.")),
    ({"reporter_name": "n" * 201}, _l("Your name is too long (%(max)s characters at most).", max=200)),
    ({"reporter_email": "salma@", "reporter_phone": None}, _l("This is not a valid e-mail address.")),
    ({"reporter_phone": "123"}, _l("This is not a valid phone number.")),
    (
        {"reporter_email": None, "reporter_phone": None},
        _l("Give an e-mail address or a phone number so that we can reach you, or report anonymously."),
    ),
    ({"consent": None}, _l("Tick this box to confirm the facts and that you have read the privacy notice.")),
]


@pytest.mark.parametrize("lang", CITIZEN_LANGUAGES)
@pytest.mark.parametrize(("changes", "message"), FIELD_CASES, ids=[str(c[0])[:40] for c in FIELD_CASES])
def test_each_bad_value_gets_a_specific_message_in_the_page_language(
    client: FlaskClient, app: Flask, lang: str, changes: dict[str, Any], message: Any
) -> None:
    response = post_form(client, lang, form_data(**changes))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert translated(app, lang, message) in text
    assert report_count() == 0
    # Everything else that was typed is still there.
    if "reporter_email" not in changes:
        assert 'value="salma@example.ma"' in text
    if "description" not in changes:
        assert str(escape(form_data()["description"])) in text


GOOD_CASES = [
    {"incident_date": date.today().isoformat()},
    {"incident_date": "1990-01-01"},
    {"incident_date": "٢٠٢٦-٠١-١٥"},
    {"description": DESCRIPTION_DARIJA},
    {"description": "ح" * 10_000},
    {"region": ""},
    {"region": "abroad"},
    {"loss_amount": ""},
    {"loss_amount": "1 500,50"},
    {"loss_amount": "0"},
    {"loss_currency": "eur"},
    {"suspects-0-kind": "username", "suspects-0-value": "@Karim.Trader"},
    {"suspects-0-value": "", "suspects-1-value": ""},
    {"anonymous": "y", "reporter_name": None, "reporter_email": None, "reporter_phone": None},
    {"reporter_email": None},
    {"reporter_phone": None},
]


@pytest.mark.parametrize("lang", CITIZEN_LANGUAGES)
@pytest.mark.parametrize("changes", GOOD_CASES, ids=[str(c)[:40] for c in GOOD_CASES])
def test_good_values_are_accepted(client: FlaskClient, lang: str, changes: dict[str, Any]) -> None:
    response = post_form(client, lang, form_data(**changes))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert report_count() == 1


def test_amount_is_stored_exactly(client: FlaskClient) -> None:
    post_form(client, "fr", form_data(loss_amount="1 500,50", loss_currency="eur"))
    report = db.session.scalar(select(Report))
    assert str(report.loss_amount) == "1500.50" and report.loss_currency == "EUR"


def test_anonymous_report_stores_no_contact_even_if_typed(client: FlaskClient) -> None:
    post_form(client, "ar", form_data(anonymous="y"))
    report = db.session.scalar(select(Report))
    assert report.anonymous and report.reporter_name is None and report.reporter_email is None
    assert report.reporter_phone is None


def test_add_row_without_javascript_keeps_everything(client: FlaskClient) -> None:
    response = post_form(client, "fr", {**form_data(), "add_suspect": "1"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and report_count() == 0
    assert 'name="suspects-2-value"' in text and 'value="06 12 34 56 78"' in text
    assert "field-errors" not in text


def many_suspects(count: int) -> dict[str, str]:
    rows: dict[str, str] = {}
    for index in range(count):
        rows[f"suspects-{index}-kind"] = "username"
        rows[f"suspects-{index}-value"] = f"@arnaqueur{index}"
    return rows


def test_twenty_one_identifiers_are_refused_and_all_kept(client: FlaskClient, app: Flask) -> None:
    data = {k: v for k, v in form_data().items() if not k.startswith("suspects-")}
    response = post_form(client, "fr", {**data, **many_suspects(21)})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and report_count() == 0
    assert translated(app, "fr", _l("Give %(max)s identifiers at most.", max=20)) in text
    # nothing the citizen typed is dropped, not even the rows over the limit
    assert 'value="@arnaqueur20"' in text


def test_twenty_identifiers_are_accepted(client: FlaskClient) -> None:
    data = {k: v for k, v in form_data().items() if not k.startswith("suspects-")}
    assert post_form(client, "fr", {**data, **many_suspects(20)}).status_code == 303
    assert db.session.scalar(select(func.count(SuspectIdentifier.id))) == 20


def test_add_row_stops_at_the_limit(client: FlaskClient) -> None:
    data = {k: v for k, v in form_data().items() if not k.startswith("suspects-")}
    response = post_form(client, "fr", {**data, **many_suspects(20), "add_suspect": "1"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and report_count() == 0
    assert 'name="suspects-19-value"' in text and 'name="suspects-20-value"' not in text
    assert re.search(r'id="add-suspect"\s+disabled', text)


@pytest.mark.parametrize("lang", CITIZEN_LANGUAGES)
def test_child_exploitation_refuses_identifiers_other_than_links(
    client: FlaskClient, app: Flask, lang: str
) -> None:
    response = post_form(client, lang, form_data(category="child_sexual_exploitation"))
    assert response.status_code == 422 and report_count() == 0
    expected = _l("For this category, give links only: no other kind of identifier.")
    assert translated(app, lang, expected) in response.get_data(as_text=True)


def test_evidence_is_stored_with_hash_and_detected_type(client: FlaskClient, app: Flask) -> None:
    files = [upload(png_bytes(), "capture.png"), upload(PDF_BYTES, "recu.pdf")]
    response = post_form(client, "fr", form_data(evidence=files))
    assert response.status_code == 303
    rows = db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)).all()
    assert [(r.original_name, r.media_type, r.size) for r in rows] == [
        ("capture.png", "image/png", len(png_bytes())),
        ("recu.pdf", "application/pdf", len(PDF_BYTES)),
    ]
    assert rows[0].sha256 == hashlib.sha256(png_bytes()).hexdigest()
    stored = list(Path(app.config["EVIDENCE_DIR"]).rglob("*"))
    assert {p.name for p in stored if p.is_file()} == {r.stored_name for r in rows}


MiB = 1024 * 1024
EVIDENCE_CASES = {
    "disguised-exe": (
        lambda: {"evidence": [upload(EXE_BYTES, "photo.png")]},
        _l(
            "This type of file is not accepted: send images (PNG, JPEG), PDF, text, e-mails (EML) or MP4 videos."
        ),
    ),
    "empty": (lambda: {"evidence": [upload(b"", "vide.txt")]}, _l("One of the files is empty.")),
    "six-files": (
        lambda: {"evidence": [upload(png_bytes(), f"{i}.png") for i in range(6)]},
        _l("Too many files: %(files)s at most.", files=5),
    ),
    "over-10MiB": (
        lambda: {"evidence": [upload(b"a" * (10 * MiB + 1), "long.txt")]},
        _l("Each file must be %(file_mb)s MB at most.", file_mb=10),
    ),
    "over-25MiB-total": (
        lambda: {"evidence": [upload(b"a" * (8 * MiB + MiB // 2), f"{i}.txt") for i in range(3)]},
        _l("All files together must be %(total_mb)s MB at most.", total_mb=25),
    ),
    "csam-refuses-uploads": (
        lambda: {"category": "child_sexual_exploitation", "evidence": [upload(png_bytes(), "x.png")]},
        _l("For this category, do not upload any file: give the links only."),
    ),
}


@pytest.mark.parametrize("lang", CITIZEN_LANGUAGES)
@pytest.mark.parametrize("case", EVIDENCE_CASES)
def test_bad_evidence_is_refused_and_the_citizen_is_told_files_were_dropped(
    client: FlaskClient, app: Flask, lang: str, case: str
) -> None:
    make_changes, message = EVIDENCE_CASES[case]
    response = post_form(client, lang, form_data(**make_changes()))
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and report_count() == 0
    assert translated(app, lang, message) in text
    assert (
        translated(
            app,
            lang,
            _l(
                "For your safety, attached files are not kept when the form has to be corrected: please attach them again."
            ),
        )
        in text
    )
    assert not any(p.is_file() for p in Path(app.config["EVIDENCE_DIR"]).rglob("*"))


def test_child_exploitation_report_with_links_only_is_accepted(client: FlaskClient) -> None:
    data = form_data(
        category="child_sexual_exploitation",
        **{"suspects-0-kind": "url", "suspects-0-value": "http://bad.example/x"},
    )
    assert post_form(client, "ar", data).status_code == 303


def test_body_over_the_total_limit_is_413_in_the_page_language(client: FlaskClient, app: Flask) -> None:
    big = [upload(b"a" * (9 * 1024 * 1024), f"{i}.txt") for i in range(3)]
    response = client.post("/ar/report", data=form_data(evidence=big), content_type="multipart/form-data")
    assert response.status_code == 413
    assert translated(
        app,
        "ar",
        _l(
            "What you sent is too large: %(files)s files at most, %(file_mb)s MB each and %(total_mb)s MB in total.",
            files=5,
            file_mb=10,
            total_mb=25,
        ),
    ) in (response.get_data(as_text=True))


@pytest.mark.parametrize("category", ["sextortion", "threats_violence", "child_sexual_exploitation"])
def test_urgent_categories_show_emergency_numbers_and_advice(
    client: FlaskClient, app: Flask, category: str
) -> None:
    from intake.taxonomy import CATEGORY_BY_CODE

    links = {"suspects-0-kind": "url", "suspects-0-value": "http://bad.example/x"}
    extra = links if CATEGORY_BY_CODE[category].links_only else {}
    response = post_form(client, "fr", form_data(category=category, **extra))
    assert response.status_code == 303
    text = client.get(response.location).get_data(as_text=True)
    assert 'href="tel:19"' in text and 'href="tel:177"' in text
    assert 'class="advice"' in text


def test_non_urgent_confirmation_has_no_emergency_box_but_has_advice(client: FlaskClient, app: Flask) -> None:
    response = post_form(client, "fr", form_data(category="online_shopping_fraud"))
    text = client.get(response.location).get_data(as_text=True)
    assert 'id="emergency-title"' not in text
    from intake.taxonomy import CATEGORY_BY_CODE

    assert translated(app, "fr", CATEGORY_BY_CODE["online_shopping_fraud"].advice) in text


def test_typed_text_is_escaped(client: FlaskClient) -> None:
    """ASVS 5.3.3: output encoding of what citizens typed."""
    payload = "<script>alert(1)</script>" + "x" * 30
    text = post_form(client, "fr", form_data(description=payload, consent=None)).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_suspect_rows_are_stored_as_typed_and_normalised(client: FlaskClient) -> None:
    post_form(client, "fr", form_data(**{"suspects-0-value": "٠٦١٢٣٤٥٦٧٨"}))
    row = db.session.scalar(select(SuspectIdentifier).where(SuspectIdentifier.kind == "phone"))
    assert row.value == "٠٦١٢٣٤٥٦٧٨" and row.normalised == "+212612345678"
