"""The JSON API: same validation as the form, errors in the asker's language, tracking by receipt."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from intake.extensions import db
from intake.reports.models import EvidenceFile, Report
from intake.reports.status import Actor, move
from intake.taxonomy import CATEGORIES, REGIONS
from tests.factories import DESCRIPTION_AR, PDF_BYTES, form_data, png_bytes, report_payload


def in_language(app: Flask, lang: str, message: Any) -> str:
    with app.test_request_context(), force_locale(lang):
        return str(message)


def test_categories_list_the_16_codes_with_a_label_per_language(client: FlaskClient) -> None:
    body = client.get("/api/v1/categories").json
    assert [c["code"] for c in body] == [c.code for c in CATEGORIES] and len(body) == 16
    sextortion = next(c for c in body if c["code"] == "sextortion")
    assert sextortion["urgent"] is True
    assert set(sextortion["label"]) == {"ar", "fr", "en", "zgh"}
    assert len(set(sextortion["label"].values())) == 4


def test_regions_list_the_12_regions_and_abroad(client: FlaskClient) -> None:
    body = client.get("/api/v1/regions").json
    assert [r["code"] for r in body] == [r.code for r in REGIONS] and len(body) == 13
    assert body[5]["label"]["ar"] == "الدار البيضاء - سطات"
    assert body[5]["label"]["fr"] == "Casablanca-Settat"


def test_json_report_is_created(client: FlaskClient, backend: str) -> None:
    response = client.post("/api/v1/reports", json=report_payload(description=DESCRIPTION_AR, language="ar"))
    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) == {"reference", "receipt", "status"} and body["status"] == "received"
    report = db.session.scalar(select(Report).where(Report.reference == body["reference"]))
    assert report.channel == "api" and report.language == "ar" and str(report.loss_amount) == "2500.00"
    assert len(report.suspects) == 2


def test_multipart_report_with_evidence_is_created(client: FlaskClient) -> None:
    data = form_data()
    data["evidence"] = [(io.BytesIO(png_bytes()), "capture.png"), (io.BytesIO(PDF_BYTES), "virement.pdf")]
    response = client.post("/api/v1/reports", data=data, content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    assert db.session.scalar(select(func.count(EvidenceFile.id))) == 2


def test_api_needs_no_csrf_token_but_the_html_form_does(client: FlaskClient) -> None:
    """ASVS 4.2.2: the cookie-less API is exempt; the HTML form is not."""
    assert client.post("/api/v1/reports", json=report_payload()).status_code == 201
    assert client.post("/fr/report", data=form_data(), content_type="multipart/form-data").status_code == 422


@pytest.mark.parametrize(
    ("how", "lang"),
    [
        ({"json_language": "fr"}, "fr"),
        ({"json_language": "ar"}, "ar"),
        ({"header": "fr-MA,fr;q=0.9"}, "fr"),
        ({}, "ar"),
    ],
)
def test_errors_are_per_field_in_the_askers_language(
    client: FlaskClient, app: Flask, how: dict[str, str], lang: str
) -> None:
    payload = report_payload(
        incident_date="2099-01-01",
        description="court",
        suspects=[{"kind": "phone", "value": "12"}],
        consent=False,
    )
    if "json_language" in how:
        payload["language"] = how["json_language"]
    headers = {"Accept-Language": how["header"]} if "header" in how else {}
    response = client.post("/api/v1/reports", json=payload, headers=headers)
    assert response.status_code == 422
    errors = response.json["errors"]
    assert set(errors) == {"incident_date", "description", "suspects.0.value", "consent"}
    assert errors["incident_date"] == [in_language(app, lang, _l("The date cannot be in the future."))]
    assert errors["suspects.0.value"] == [in_language(app, lang, _l("This is not a valid phone number."))]
    assert db.session.scalar(select(func.count(Report.id))) == 0


TEXT_TYPE = _l("Give this as text.")
BOOLEAN_TYPE = _l("Give true or false.")
SUSPECTS_TYPE = _l('Give the identifiers as a list of {"kind": …, "value": …} objects.')


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"category": ["sextortion"]}, "category", TEXT_TYPE),
        ({"description": {"text": "x" * 40}}, "description", TEXT_TYPE),
        ({"incident_date": 20260101}, "incident_date", TEXT_TYPE),
        ({"loss_amount": {"x": 1}}, "loss_amount", TEXT_TYPE),
        ({"loss_amount": True}, "loss_amount", TEXT_TYPE),
        ({"suspects": "0612345678"}, "suspects", SUSPECTS_TYPE),
        ({"suspects": [{"kind": None, "value": None}, 5]}, "suspects", SUSPECTS_TYPE),
        ({"suspects": [{"kind": "phone", "value": 612345678}]}, "suspects", SUSPECTS_TYPE),
        ({"consent": "yes please"}, "consent", BOOLEAN_TYPE),
        ({"consent": "true"}, "consent", BOOLEAN_TYPE),
        ({"consent": 1}, "consent", BOOLEAN_TYPE),
        ({"anonymous": "false"}, "anonymous", BOOLEAN_TYPE),
    ],
)
def test_wrong_json_types_get_a_type_error_on_their_field(
    client: FlaskClient, app: Flask, payload: dict[str, Any], field: str, message: Any
) -> None:
    """JSON types are strict (ASVS 5.1.4): a string is never read as consent, a list never as text."""
    response = client.post("/api/v1/reports", json=report_payload(language="fr", **payload))
    assert response.status_code == 422, response.json
    assert response.json["errors"][field] == [in_language(app, "fr", message)]
    assert db.session.scalar(select(func.count(Report.id))) == 0


def test_numbers_are_accepted_for_the_amount(client: FlaskClient) -> None:
    response = client.post("/api/v1/reports", json=report_payload(loss_amount=2500.5))
    assert response.status_code == 201, response.json


def test_null_means_absent(client: FlaskClient) -> None:
    response = client.post("/api/v1/reports", json=report_payload(region=None, loss_amount=None))
    assert response.status_code == 201, response.json


def test_body_that_is_not_an_object_is_400(client: FlaskClient) -> None:
    assert client.post("/api/v1/reports", json=["not", "an", "object"]).status_code == 400
    assert client.post("/api/v1/reports", data="{broken", content_type="application/json").status_code == 400


def test_other_media_types_are_415(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/reports", data="category=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415 and "errors" in response.json


def test_evidence_over_the_limits_is_413(client: FlaskClient) -> None:
    data = form_data()
    data["evidence"] = [(io.BytesIO(b"a" * (10 * 1024 * 1024 + 1)), "long.txt")]
    response = client.post("/api/v1/reports", data=data, content_type="multipart/form-data")
    assert response.status_code == 413 and "evidence" in response.json["errors"]
    data["evidence"] = [(io.BytesIO(b"a" * (9 * 1024 * 1024)), f"{i}.txt") for i in range(3)]
    over_body_limit = client.post("/api/v1/reports", data=data, content_type="multipart/form-data")
    # Refused by MAX_CONTENT_LENGTH before the view runs: the same {"errors": …} shape all the same.
    assert over_body_limit.status_code == 413 and list(over_body_limit.json["errors"]) == ["body"]


def test_child_exploitation_takes_links_only(client: FlaskClient, app: Flask) -> None:
    links = [{"kind": "url", "value": "http://bad.example/x"}]
    ok = client.post(
        "/api/v1/reports", json=report_payload(category="child_sexual_exploitation", suspects=links)
    )
    assert ok.status_code == 201, ok.json
    phone = [*links, {"kind": "phone", "value": "0612345678"}]
    refused = client.post(
        "/api/v1/reports",
        json=report_payload(category="child_sexual_exploitation", suspects=phone, language="ar"),
    )
    assert refused.status_code == 422
    expected = _l("For this category, give links only: no other kind of identifier.")
    assert refused.json["errors"]["suspects"] == [in_language(app, "ar", expected)]


def test_status_with_receipt_and_same_404_for_wrong_receipt_or_unknown_reference(
    client: FlaskClient, backend: str
) -> None:
    created = client.post("/api/v1/reports", json=report_payload()).json
    url = f"/api/v1/reports/{created['reference']}/status"
    ok = client.get(url, headers={"X-Receipt": created["receipt"].lower().replace("-", " ")})
    assert ok.status_code == 200
    assert ok.json["reference"] == created["reference"] and ok.json["status"] == "received"
    assert [h["status"] for h in ok.json["history"]] == ["received"] and ok.json["messages"] == []

    wrong = client.get(url, headers={"X-Receipt": "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"})
    missing_header = client.get(url)
    unknown = client.get("/api/v1/reports/BLG-2222-2222/status", headers={"X-Receipt": created["receipt"]})
    assert wrong.status_code == missing_header.status_code == unknown.status_code == 404
    assert wrong.json == unknown.json == missing_header.json


def test_tracking_shows_history_with_officer_notes(client: FlaskClient) -> None:
    created = client.post("/api/v1/reports", json=report_payload()).json
    report = db.session.scalar(select(Report).where(Report.reference == created["reference"]))
    move(report, "triaged", Actor.triage(), reason="Dossier transmis.")
    db.session.commit()
    body = client.get(
        f"/api/v1/reports/{created['reference']}/status", headers={"X-Receipt": created["receipt"]}
    ).json
    assert [(h["status"], h["note"]) for h in body["history"]] == [
        ("received", None),
        ("triaged", "Dossier transmis."),
    ]


def test_openapi_documents_every_api_route(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    documented = {"/api/v1" + path.replace("{reference}", "<reference>") for path in document["paths"]}
    routed = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")}
    assert routed - {"/api/v1/openapi.json"} == documented
    fields = document["paths"]["/reports"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "properties"
    ]
    assert set(fields["category"]["enum"]) == {c.code for c in CATEGORIES}


def test_too_many_identifiers_are_refused_before_any_work(client: FlaskClient, app: Flask) -> None:
    """A list of 200,000 rows would build 200,000 subforms: the count is checked first (ASVS 12.1.1)."""
    rows = [{"kind": "username", "value": f"@x{i}"} for i in range(5000)]
    response = client.post("/api/v1/reports", json=report_payload(suspects=rows, language="fr"))
    assert response.status_code == 422
    expected = _l("Give %(max)s identifiers at most.", max=20)
    assert response.json["errors"]["suspects"] == [in_language(app, "fr", expected)]


def test_flat_form_keys_are_not_read_from_json(client: FlaskClient) -> None:
    payload = report_payload(**{"suspects-5-value": "not a phone", "suspects-5-kind": "phone"})
    response = client.post("/api/v1/reports", json=payload)
    assert response.status_code == 201, response.json
    report = db.session.scalar(select(Report).where(Report.reference == response.json["reference"]))
    assert report is not None and len(report.suspects) == 2


def test_json_body_has_its_own_small_size_limit(client: FlaskClient) -> None:
    padding = "x" * (300 * 1024)
    response = client.post("/api/v1/reports", json=report_payload(padding=padding))
    assert response.status_code == 413 and list(response.json["errors"]) == ["body"]
