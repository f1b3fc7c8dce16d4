"""Language choice, and dates and numbers written the way Moroccan readers expect."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from intake.i18n import format_local_datetime, format_number
from tests.conftest import csrf_token
from tests.factories import report_payload


@pytest.mark.parametrize(
    ("header", "target"),
    [
        (None, "/ar/"),
        ("fr-MA,fr;q=0.9", "/fr/"),
        ("ar-MA,ar;q=0.9,fr;q=0.8", "/ar/"),
        ("en-US,en;q=0.9", "/ar/"),  # English is a third catalogue, not a citizen default
        ("en-GB,en;q=0.9,fr;q=0.5", "/fr/"),
    ],
)
def test_root_sends_citizens_to_arabic_or_french(
    client: FlaskClient, header: str | None, target: str
) -> None:
    headers = {"Accept-Language": header} if header else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 302 and response.location.endswith(target)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        # 23:30 UTC on 1 July is already 2 July in Morocco (UTC+1 outside Ramadan)
        ("ar", "2 يوليوز 2026، 00:30"),
        ("fr", "2 juillet 2026, 00:30"),
        ("en", "2 July 2026, 00:30"),
    ],
)
def test_dates_are_in_moroccan_time_and_the_readers_language(app: Flask, lang: str, expected: str) -> None:
    with app.test_request_context(), force_locale(lang):
        assert format_local_datetime(datetime(2026, 7, 1, 23, 30, tzinfo=UTC)) == expected


def test_ramadan_time_is_utc(app: Flask) -> None:
    """Morocco moves back to UTC during Ramadan (2026: 18 February to 20 March, about)."""
    with app.test_request_context(), force_locale("fr"):
        assert format_local_datetime(datetime(2026, 3, 5, 12, 0, tzinfo=UTC)) == "5 mars 2026, 12:00"


def test_numbers_use_latin_digits_in_arabic(app: Flask) -> None:
    with app.test_request_context(), force_locale("ar"):
        assert format_number(10_000) == "10.000"
    with app.test_request_context(), force_locale("fr"):
        assert format_number(10_000).replace("\u202f", " ").replace("\xa0", " ") == "10 000"


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_tracking_page_dates_are_local(client: FlaskClient, app: Flask, lang: str) -> None:
    created = client.post("/api/v1/reports", json=report_payload()).json
    token = csrf_token(client, f"/{lang}/track")
    page = client.post(
        f"/{lang}/track",
        data={"csrf_token": token, "reference": created["reference"], "receipt": created["receipt"]},
    ).get_data(as_text=True)
    from sqlalchemy import select

    from intake.extensions import db
    from intake.reports.models import Report

    created_at = db.session.scalar(select(Report.created_at).where(Report.reference == created["reference"]))
    with app.test_request_context(), force_locale(lang):
        expected = format_local_datetime(created_at)
    assert expected in page and "UTC" not in page
