"""No input makes the app answer 500: random bodies on the API and the form, odd paths, odd headers."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import csrf_token
from tests.factories import report_payload

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FIELDS = [*report_payload(), "language", "evidence", "suspects"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6))
def test_api_never_answers_500(client: FlaskClient, changes: dict[str, object]) -> None:
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
        st.text(max_size=40),
        max_size=8,
    )
)
def test_html_form_never_answers_500(client: FlaskClient, fields: dict[str, str]) -> None:
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


def test_security_headers_are_set(client: FlaskClient) -> None:
    """ASVS 14.4: CSP without inline script, nosniff, framing refused, no referrer."""
    headers = client.get("/ar/report").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
