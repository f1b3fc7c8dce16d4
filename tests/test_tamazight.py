"""Tamazight (zgh, Tifinagh), an official language of Morocco (Constitution, art. 5), for citizens:
every citizen page at /zgh/…, the language switch, a Tifinagh font served by the app itself, reports
filed and answered in Tamazight, through the form and the API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.extensions import db
from intake.reports.models import Report
from tests.conftest import csrf_token
from tests.factories import form_data, report_payload

TIFINAGH = re.compile(r"[\u2d30-\u2d7f]{3,}")


@pytest.mark.parametrize("path", ["/zgh/", "/zgh/report", "/zgh/track", "/zgh/privacy", "/zgh/nowhere"])
def test_every_citizen_page_speaks_tamazight(client: FlaskClient, path: str) -> None:
    page = client.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == (404 if path.endswith("nowhere") else 200)
    assert '<html lang="zgh" dir="ltr">' in text
    assert len(TIFINAGH.findall(re.sub(r"<[^>]+>", " ", text))) >= 5  # more than the switch's name
    institution = re.search(r'id="institution">([^<]+)<', text)
    assert institution and TIFINAGH.search(institution.group(1))


def test_the_language_switch_offers_tamazight_and_the_font_is_served_here(client: FlaskClient) -> None:
    page = client.get("/fr/").get_data(as_text=True)
    assert re.search(r'href="/zgh/"\s+lang="zgh" hreflang="zgh"[^>]*>ⵜⴰⵎⴰⵣⵉⵖⵜ<', page)
    with client.get("/static/css/site.css") as stylesheet:
        css = stylesheet.get_data(as_text=True)
    assert 'url("../fonts/noto-sans-tifinagh.woff2")' in css and ":lang(zgh)" in css
    assert "fonts.googleapis" not in css and "//" not in re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    with client.get("/static/fonts/noto-sans-tifinagh.woff2") as font:
        assert font.status_code == 200 and font.data[:4] == b"wOF2"
    licence = Path(__file__).resolve().parent.parent / "static" / "fonts" / "OFL-noto-sans-tifinagh.txt"
    assert "SIL Open Font License" in licence.read_text(encoding="utf-8")


@pytest.mark.usefixtures("backend")
def test_a_report_is_filed_and_tracked_in_tamazight(app: Flask) -> None:
    client = app.test_client()
    filed = client.post(
        "/zgh/report",
        data={"csrf_token": csrf_token(client, "/zgh/report"), **form_data()},
        content_type="multipart/form-data",
    )
    assert filed.status_code == 303, filed.get_data(as_text=True)[:300]
    assert db.session.scalar(select(Report.language)) == "zgh"
    confirmation = client.get(filed.headers["Location"]).get_data(as_text=True)
    assert TIFINAGH.search(confirmation) and 'id="receipt"' in confirmation


def test_the_api_takes_tamazight_and_answers_in_it(client: FlaskClient) -> None:
    created = client.post("/api/v1/reports", json=report_payload(language="zgh"))
    assert created.status_code == 201
    refused = client.post("/api/v1/reports", json=report_payload(language="zgh", description="x"))
    assert refused.status_code == 422 and TIFINAGH.search(refused.json["errors"]["description"][0])
    assert '"zgh"' in client.get("/api/v1/openapi.json").get_data(as_text=True)
    labels = client.get("/api/v1/categories").json[0]["label"]
    assert set(labels) == {"ar", "fr", "en", "zgh"} and TIFINAGH.search(labels["zgh"])


def test_staff_pages_stay_arabic_or_french(client: FlaskClient) -> None:
    login = client.get("/login", headers={"Accept-Language": "zgh"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in login
    assert '<html lang="ar"' in client.get("/officer/nowhere", headers={"Accept-Language": "zgh"}).get_data(
        as_text=True
    )
    assert client.get("/", headers={"Accept-Language": "zgh"}).headers["Location"].endswith("/zgh/")
