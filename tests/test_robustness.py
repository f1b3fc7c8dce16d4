"""No input makes the app answer 500: random bodies on the API and the form, odd paths, odd headers."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from intake.extensions import db
from intake.reports.models import Report
from tests.conftest import csrf_token
from tests.factories import report_payload

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FIELDS = [*report_payload(), "language", "evidence", "suspects"]
# Any code point, surrogates and control characters included: JSON can carry them, PostgreSQL cannot store some.
any_text = st.text(st.characters(exclude_categories=()), max_size=50)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | any_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6))
def test_api_never_answers_500(client: FlaskClient, backend: str, changes: dict[str, object]) -> None:
    response = client.post("/api/v1/reports", json=report_payload(**changes))
    assert response.status_code in {201, 400, 422}, response.get_data(as_text=True)[:300]


@FUZZ
@given(
    body=st.binary(max_size=300),
    content_type=st.sampled_from(["application/json", "multipart/form-data", "text/plain"]),
)
def test_api_survives_garbage_bodies(client: FlaskClient, body: bytes, content_type: str) -> None:
    response = client.post("/api/v1/reports", data=body, content_type=content_type)
    assert response.status_code < 500


@FUZZ
@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "category",
                "incident_date",
                "description",
                "region",
                "loss_amount",
                "loss_currency",
                "suspects-0-kind",
                "suspects-0-value",
                "suspects-25-value",
                "reporter_email",
                "reporter_phone",
                "anonymous",
                "consent",
            ]
        ),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
        max_size=8,
    )
)
def test_html_form_never_answers_500(client: FlaskClient, backend: str, fields: dict[str, str]) -> None:
    token = csrf_token(client, "/fr/report")
    response = client.post("/fr/report", data={"csrf_token": token, **fields})
    assert response.status_code in {303, 422}


@pytest.mark.parametrize(
    "path",
    [
        "/zz/report",
        "/ar/report/confirmation",
        "/api/v1/reports/%00/status",
        "/api/v1/reports/BLG-0/status",
        "/static/../intake/config.py",
    ],
)
def test_odd_paths_are_not_500(client: FlaskClient, path: str) -> None:
    assert client.get(path, headers={"Accept-Language": "*;q=abc, ar-MA"}).status_code < 500


def test_track_with_odd_input_is_not_500(client: FlaskClient) -> None:
    token = csrf_token(client, "/fr/track")
    for reference, receipt in [("", ""), ("BLG-" + "A" * 500, "x" * 5000), ("٠١٢٣", "\x00")]:
        response = client.post(
            "/fr/track", data={"csrf_token": token, "reference": reference, "receipt": receipt}
        )
        assert response.status_code in {404, 422}


CONTROLS = "\x00\x01\x08\x0b\x1b\x7f\x85\ud800"


def test_control_characters_are_dropped_on_the_way_in(client: FlaskClient, backend: str) -> None:
    """ASVS 5.1.4: text is cleaned before it is stored; PostgreSQL would refuse NUL and lone surrogates."""
    description = f"Un{CONTROLS} faux vendeur m'a pris 900 DH\r\npuis a bloqué mon numéro."
    payload = report_payload(
        description=description,
        reporter_name=f"Salma{CONTROLS} Benali",
        suspects=[{"kind": "other", "value": f"compte{CONTROLS} 42"}],
    )
    response = client.post("/api/v1/reports", json=payload)
    assert response.status_code == 201, response.json
    report = db.session.scalar(select(Report).where(Report.reference == response.json["reference"]))
    assert report is not None
    assert report.description == "Un faux vendeur m'a pris 900 DH\npuis a bloqué mon numéro."
    assert report.reporter_name == "Salma Benali"
    assert [s.value for s in report.suspects] == ["compte 42"]


def test_identifier_longer_than_the_column_once_normalised_is_refused(
    client: FlaskClient, backend: str
) -> None:
    """NFKC turns "ﷺ" into 18 characters: 30 of them fit as typed but not once normalised."""
    payload = report_payload(suspects=[{"kind": "other", "value": "ﷺ" * 30}], language="fr")
    response = client.post("/api/v1/reports", json=payload)
    assert response.status_code == 422
    assert "500" in response.json["errors"]["suspects.0.value"][0]


def test_security_headers_are_set(client: FlaskClient) -> None:
    """ASVS 14.4: CSP without inline script, nosniff, framing refused, no referrer."""
    headers = client.get("/ar/report").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in headers  # plain HTTP: the header would mean nothing


def test_hsts_over_https(client: FlaskClient) -> None:
    """ASVS 9.1.1: over HTTPS, browsers are told to stay on HTTPS."""
    headers = client.get("/ar/report", base_url="https://localhost").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
