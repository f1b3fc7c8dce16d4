"""Numbers and dates as people in Morocco type them: amounts with a dot grouping thousands, spaces,
Arabic-Indic digits and a currency word; day-first dates; Arabic-Indic digits in the reference and
the tracking code; centimes and rials refused in plain words, never guessed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.extensions import db
from intake.reports.amounts import AmountError, parse_amount
from intake.reports.models import Report
from tests.factories import form_data, report_payload
from tests.test_report_form import post_form

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
EASTERN_ARABIC_INDIC = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("10.000", "10000"),
        ("1.500", "1500"),
        ("1.000.000", "1000000"),
        ("2 500,50", "2500.50"),
        ("2.500,50", "2500.50"),
        ("2500.50", "2500.50"),
        ("2500,5", "2500.5"),
        ("2\u202f500,50", "2500.50"),  # a narrow no-break space, as French keyboards put it
        ("2\u00a0500", "2500"),
        ("١٥٠٠", "1500"),
        ("١٬٥٠٠٫٥٠", "1500.50"),  # Arabic thousands and decimal separators
        ("۲۵۰۰", "2500"),
        ("1500 DH", "1500"),
        ("1500dh", "1500"),
        ("2500 Dhs", "2500"),
        ("MAD 300", "300"),
        ("3000 درهم", "3000"),
        ("١٠٠٠ درهم", "1000"),
        ("12.5", "12.5"),
        ("1,000,000", "1000000"),
        (".5", "0.5"),
        ("٫٥", "0.5"),
        ("١٬٥٠٠", "1500"),  # ٬ alone, without decimals
        ("100 Dh.", "100"),
        ("Dhs. 300", "300"),
        ("1.000,5", "1000.5"),
        ("10.000.000,00", "10000000.00"),
    ],
)
def test_an_amount_is_read_as_it_is_meant(typed: str, amount: str) -> None:
    assert parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("5 مليون سنتيم", "unit"),
        ("5 مليون", "unit"),  # spoken millions are of centimes
        ("500 centimes", "unit"),
        ("200 ريال", "unit"),
        ("1,500", "ambiguous"),
        ("1.50.0", "figures"),
        ("mille", "figures"),
    ],
)
def test_what_cannot_be_read_safely_is_refused(typed: str, code: str) -> None:
    with pytest.raises(AmountError) as refused:
        parse_amount(typed)
    assert refused.value.code == code


def test_the_form_stores_ten_thousand_for_10_000(client: FlaskClient) -> None:
    assert post_form(client, "fr", form_data(loss_amount="10.000")).status_code == 303
    assert db.session.scalar(select(Report.loss_amount)) == Decimal("10000")


def test_centimes_are_refused_in_plain_words_and_the_form_keeps_what_was_typed(client: FlaskClient) -> None:
    answer = post_form(client, "ar", form_data(loss_amount="5 مليون سنتيم"))
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "بالدرهم" in page and 'value="5 مليون سنتيم"' in page
    assert db.session.scalar(select(Report.id)) is None


def test_an_ambiguous_amount_says_how_it_was_read(client: FlaskClient) -> None:
    page = post_form(client, "fr", form_data(loss_amount="1,500")).get_data(as_text=True)
    assert "1\u202f500" in page and "1,5" in page  # both readings, in French figures


@pytest.mark.parametrize("typed", ["14/03/2026", "14-03-2026", "14.03.2026", "١٤/٠٣/٢٠٢٦", "4/3/2026"])
def test_a_date_typed_by_hand_is_read_day_first(client: FlaskClient, typed: str) -> None:
    assert post_form(client, "fr", form_data(incident_date=typed)).status_code == 303
    stored = db.session.scalar(select(Report.incident_date))
    assert stored is not None and (stored.day, stored.month) in {(14, 3), (4, 3)}


def test_arabic_indic_digits_work_in_phones_ribs_and_the_api(client: FlaskClient) -> None:
    created = client.post(
        "/api/v1/reports",
        json=report_payload(
            reporter_phone="0661234567".translate(ARABIC_INDIC),
            loss_amount="2.500,50".translate(EASTERN_ARABIC_INDIC),
            suspects=[{"kind": "phone", "value": "06 12 34 56 78".translate(ARABIC_INDIC)}],
        ),
    )
    assert created.status_code == 201, created.json
    report = db.session.scalar(select(Report))
    assert report is not None and report.reporter_phone == "+212661234567"
    assert report.loss_amount == Decimal("2500.50") and report.suspects[0].normalised == "+212612345678"


def test_the_reference_and_the_code_may_be_typed_with_arabic_indic_digits(
    app: Flask, client: FlaskClient
) -> None:
    created = client.post("/api/v1/reports", json=report_payload()).json
    reference = created["reference"].translate(ARABIC_INDIC)
    receipt = created["receipt"].translate(EASTERN_ARABIC_INDIC)
    by_api = client.get(
        f"/api/v1/reports/{reference}/status", headers={"X-Receipt": receipt.encode().decode("latin-1")}
    )
    assert by_api.status_code == 200
    page = client.get("/ar/track")
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    tracked = client.post("/ar/track", data={"csrf_token": token, "reference": reference, "receipt": receipt})
    assert tracked.status_code == 200 and created["reference"] in tracked.get_data(as_text=True)


@pytest.mark.parametrize(("number", "stored"), [(2500.5, "2500.50"), (1500, "1500"), (0.25, "0.25")])
def test_a_json_number_is_a_decimal_point_never_a_thousands_dot(
    client: FlaskClient, number: float, stored: str
) -> None:
    assert client.post("/api/v1/reports", json=report_payload(loss_amount=number)).status_code == 201
    assert db.session.scalar(select(Report.loss_amount)) == Decimal(stored)


@pytest.mark.parametrize("number", [1.125, 0.125])
def test_a_json_number_with_three_decimals_is_refused_not_multiplied(
    client: FlaskClient, number: float
) -> None:
    refused = client.post("/api/v1/reports", json=report_payload(loss_amount=number))
    assert refused.status_code == 422 and "loss_amount" in refused.json["errors"]
