"""Hostile input, generated (ASVS 5.1.x input validation, 13.2.x API): schemathesis against the
API's own OpenAPI document, hypothesis against the HTML form and the officer's queue filters. No
input answers 500; nothing that is refused is stored. `make test` runs a fixed, derandomized budget
(FUZZ_EXAMPLES, default 60 per test); `make fuzz` runs a longer one."""

from __future__ import annotations

import os
import unicodedata
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy import func, select

from intake.extensions import db
from intake.reports.models import Report
from intake.taxonomy import CATEGORY_BY_CODE
from tests.conftest import SignIn, csrf_token
from tests.factories import form_data

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 60)
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same inputs on every run: a failure is reproduced by running again
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the failing input is printed as found
    suppress_health_check=list(HealthCheck),
)


def _reports() -> int:
    return db.session.scalar(select(func.count(Report.id))) or 0


def _invisible(text: str | None) -> list[str]:
    """Characters the cleaning must have removed: controls (but newline and tab) and format characters
    (bidi, zero-width), ZWNJ/ZWJ aside (kept between letters of a script that needs them)."""
    return [
        ch for ch in text or "" if (unicodedata.category(ch) in {"Cc", "Cf"} and ch not in "\n\t\u200c\u200d")
    ]


def _stored_reports_are_valid() -> None:
    for report in db.session.scalars(select(Report)):
        assert report.category in CATEGORY_BY_CODE and report.description
        for text in (report.description, report.reporter_name, report.reporter_email, report.reporter_phone):
            assert not _invisible(text), text
    db.session.rollback()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_never_answers_500_and_stores_only_what_it_accepts(
    app: Flask, backend: str, mode: GenerationMode
) -> None:
    """Every operation of /api/v1/openapi.json, with bodies that follow the contract and bodies
    that break it (wrong types, missing fields, extra ones, any text in headers and paths)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

    @given(case=schema.as_strategy(mode))
    @FUZZ
    def call(case: Any) -> None:
        before = _reports()
        response = case.call(headers={"Accept-Language": "fr"})
        case.validate_response(response, checks=[not_a_server_error])
        db.session.rollback()
        if response.status_code != 201:
            assert _reports() == before, (response.status_code, response.text[:200])
        _stored_reports_are_valid()

    call()


FORM_FIELDS = (
    "category", "incident_date", "description", "region", "loss_amount", "loss_currency",
    "suspects-0-kind", "suspects-0-value", "suspects-1-value", "anonymous", "reporter_name",
    "reporter_email", "reporter_phone", "notify", "notify_sms", "consent", "language",
)  # fmt: skip
HOSTILE_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["\u202e", "\x00", "٣٠٠", "1e309", "NaN", "-1", "0" * 400, "<script>", "{{7*7}}"]),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=12000),
)


@given(changes=st.dictionaries(st.sampled_from(FORM_FIELDS), HOSTILE_TEXT, max_size=6))
@FUZZ
def test_the_html_form_never_answers_500_and_stores_only_what_it_accepts(
    app: Flask, backend: str, changes: dict[str, str]
) -> None:
    client = app.test_client()
    data = {**form_data(), **changes, "csrf_token": csrf_token(client, "/fr/report")}
    before = _reports()
    answer = client.post("/fr/report", data=data)
    assert answer.status_code < 500, changes
    db.session.rollback()
    if answer.status_code != 303:
        assert _reports() == before, changes
    _stored_reports_are_valid()


FILTERS = (
    "status",
    "priority",
    "category",
    "region",
    "assigned",
    "q",
    "from",
    "to",
    "campaign",
    "after",
    "erasure",
)


@pytest.fixture(params=["officer", "supervisor"])
def desk(app: Flask, backend: str, signed_in: SignIn, request: pytest.FixtureRequest) -> FlaskClient:
    """An officer (whose queue is limited by need-to-know) or a supervisor (who sees every case)."""
    return signed_in(request.param)


@given(
    query=st.dictionaries(
        st.sampled_from(FILTERS), HOSTILE_TEXT.filter(lambda text: len(text) < 2000), max_size=5
    )
)
@FUZZ
def test_the_officer_filters_never_answer_500(desk: FlaskClient, query: dict[str, str]) -> None:
    assert desk.get("/officer/", query_string=query).status_code == 200, query
