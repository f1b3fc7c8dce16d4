"""Configuration from the environment and the embedded default (issue 2, section 1)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from intake.config import ConfigurationError, database_url, load_config
from tests.conftest import TEST_BLIND_INDEX_KEY, TEST_CONTROLLER, TEST_DATA_KEYS, build_app


def test_embedded_default_needs_no_server(tmp_path: Path) -> None:
    config = load_config({"VAR_DIR": str(tmp_path)})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/blagh.sqlite3"
    assert config["CELERY"]["broker_url"] == "filesystem://"
    assert Path(config["CELERY"]["broker_transport_options"]["data_folder_in"]).is_dir()
    assert config["EVIDENCE_DIR"] == str(tmp_path / "evidence")


def test_secret_key_is_generated_once_owner_only(tmp_path: Path) -> None:
    first = load_config({"VAR_DIR": str(tmp_path)})["SECRET_KEY"]
    second = load_config({"VAR_DIR": str(tmp_path)})["SECRET_KEY"]
    assert first == second and len(first) >= 40
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_server_database_refuses_to_start_without_secret_key(tmp_path: Path) -> None:
    env = {"VAR_DIR": str(tmp_path), "DATABASE_URL": "postgresql://root@127.0.0.1/blagh"}
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        load_config(env)
    assert not (tmp_path / "secret_key").exists()
    keys = {"DATA_KEYS": TEST_DATA_KEYS, "BLIND_INDEX_KEY": TEST_BLIND_INDEX_KEY, **TEST_CONTROLLER}
    assert (
        load_config({**env, **keys, "SECRET_KEY": "set-by-the-operator"})["SECRET_KEY"]
        == "set-by-the-operator"
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_database_url_uses_psycopg3(given: str, expected: str) -> None:
    assert database_url({"DATABASE_URL": given}) == expected


def test_redis_url_selects_redis_broker(tmp_path: Path) -> None:
    config = load_config({"VAR_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert config["CELERY"]["broker_url"] == "redis://127.0.0.1:6379/0"


def test_healthz_and_readyz_on_embedded_default(client) -> None:
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"] == {"database": True, "broker": True}


def test_readyz_is_503_when_the_broker_is_down(tmp_path: Path) -> None:
    app = build_app(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["broker"] is False


def test_readyz_is_503_when_the_database_is_down(tmp_path: Path) -> None:
    app = build_app(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] is False


def test_a_renamed_setting_still_works_and_says_its_new_name(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = load_config({"VAR_DIR": str(tmp_path), "TRIAGE_RECONCILE_AFTER": "900"})
    assert config["RECONCILE_AFTER"] == 900
    assert "TRIAGE_RECONCILE_AFTER is now called RECONCILE_AFTER" in caplog.text
    new = load_config({"VAR_DIR": str(tmp_path), "TRIAGE_RECONCILE_AFTER": "900", "RECONCILE_AFTER": "30"})
    assert new["RECONCILE_AFTER"] == 30  # the new name wins
