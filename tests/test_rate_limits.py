"""Anti-automation (ASVS 2.2.1, 11.1.4): accepted reports and failed lookups are limited per address."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_migrate import upgrade
from markupsafe import escape

from tests.conftest import build_app, csrf_token, release_database
from tests.factories import DESCRIPTION_AR, form_data, report_payload

TOO_MANY = _l("Too many attempts. Wait a minute, then try again.")


def limited_app(var_dir: Path, **config: object) -> Iterator[Flask]:
    app = build_app(
        var_dir,
        RATELIMIT_ENABLED=True,
        RATELIMIT_KEY_PREFIX=f"blagh-test-limits-{uuid.uuid4().hex[:8]}",
        FILING_RATE_LIMIT="2 per minute",
        TRACKING_RATE_LIMIT="3 per minute",
        **config,
    )
    with app.app_context():
        upgrade()
    # No app context stays open around the requests: each gets its own `g`, as in production.
    yield app
    with app.app_context():
        release_database()


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[Flask]:
    yield from limited_app(tmp_path / "var")


def message(app: Flask, lang: str) -> str:
    with app.test_request_context(), force_locale(lang):
        return str(TOO_MANY)


def test_only_accepted_reports_count_towards_the_filing_limit(limited: Flask) -> None:
    client = limited.test_client()
    for _ in range(5):  # a citizen correcting their answers is never slowed down
        assert client.post("/api/v1/reports", json=report_payload(consent=None)).status_code == 422
    assert client.post("/api/v1/reports", json=report_payload()).status_code == 201
    assert client.post("/api/v1/reports", json=report_payload()).status_code == 201
    refused = client.post("/api/v1/reports", json=report_payload(), headers={"Accept-Language": "fr"})
    assert refused.status_code == 429
    assert refused.json == {"errors": {"body": [message(limited, "fr")]}}
    assert "Retry-After" in refused.headers


def test_form_and_api_share_one_budget_and_the_form_keeps_what_was_typed(limited: Flask) -> None:
    client = limited.test_client()
    assert client.post("/api/v1/reports", json=report_payload()).status_code == 201
    assert client.post("/api/v1/reports", json=report_payload()).status_code == 201
    data = {"csrf_token": csrf_token(client, "/fr/report"), **form_data(description=DESCRIPTION_AR)}
    refused = client.post("/fr/report", data=data, content_type="multipart/form-data")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert DESCRIPTION_AR in text and 'value="salma@example.ma"' in text
    with limited.test_request_context(), force_locale("fr"):
        expected = str(
            _l(
                "Too many reports were sent from your connection in a short time. Your answers are kept below: wait a few minutes, then send the form again."
            )
        )
    assert str(escape(expected)) in text


def test_failed_lookups_are_limited_on_the_tracking_page(limited: Flask) -> None:
    client = limited.test_client()
    token = csrf_token(client, "/fr/track")
    guess = {"csrf_token": token, "reference": "BLG-2222-2222", "receipt": "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"}
    for _ in range(3):
        assert client.post("/fr/track", data=guess).status_code == 404
    blocked = client.post("/fr/track", data=guess)
    assert blocked.status_code == 429
    assert message(limited, "fr") in blocked.get_data(as_text=True)


def test_following_ones_own_report_is_never_limited(limited: Flask) -> None:
    client = limited.test_client()
    created = client.post("/api/v1/reports", json=report_payload()).json
    url = f"/api/v1/reports/{created['reference']}/status"
    for _ in range(6):
        assert client.get(url, headers={"X-Receipt": created["receipt"]}).status_code == 200


@pytest.mark.redis
def test_limits_are_shared_through_redis(tmp_path: Path, redis_url: str) -> None:
    """With REDIS_URL, every web process counts in the same place."""
    prefix = f"blagh-test-limits-{uuid.uuid4().hex[:8]}"
    apps = [
        build_app(
            tmp_path / f"var{i}",
            REDIS_URL=redis_url,
            RATELIMIT_ENABLED=True,
            RATELIMIT_KEY_PREFIX=prefix,
            TRACKING_RATE_LIMIT="3 per minute",
        )
        for i in range(2)
    ]
    for app in apps:
        with app.app_context():
            upgrade()
    try:
        statuses = []
        for attempt in range(4):
            app = apps[attempt % 2]  # two processes behind one load balancer
            client: FlaskClient = app.test_client()
            statuses.append(
                client.get(
                    "/api/v1/reports/BLG-2222-2222/status", headers={"X-Receipt": "AAAA-AAAA"}
                ).status_code
            )
        assert statuses == [404, 404, 404, 429]
    finally:
        connection = redis.Redis.from_url(redis_url)
        keys = list(connection.scan_iter(f"{prefix}*")) + list(connection.scan_iter(f"LIMITS:{prefix}*"))
        if keys:
            connection.delete(*keys)
        connection.close()
