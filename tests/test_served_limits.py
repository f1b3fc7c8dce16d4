"""Limits hold as configured under gunicorn as `make run` and the Dockerfile start it
(gunicorn.conf.py): in the embedded default one process with threads shares the counters; several
processes without Redis are refused at start-up, so that no limit is multiplied (ASVS 11.1.4)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_BLIND_INDEX_KEY, TEST_DATA_KEYS, TEST_SECRET
from tests.processes import PROJECT_ROOT, free_port, stop, wait_for

GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def _env(tmp_path: Path, port: int, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "WEB_WORKERS"}
    }
    env.update(
        VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY=TEST_SECRET,
        DATA_KEYS=TEST_DATA_KEYS,
        BLIND_INDEX_KEY=TEST_BLIND_INDEX_KEY,
        PORT=str(port),
        LOGIN_RATE_LIMIT="6 per hour",  # no window boundary falls inside the test
        **extra,
    )
    return env


def _status(url: str, data: bytes | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = _env(tmp_path, port)
    flask = str(Path(sys.executable).parent / "flask")
    subprocess.run(
        [flask, "--app", "intake", "db", "upgrade"],
        env=env,
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    process = subprocess.Popen(
        [GUNICORN, "--config", "gunicorn.conf.py"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _status(f"{base}/healthz") == 200, timeout=60, what="gunicorn")
        yield base
    finally:
        stop(process)


def _login_attempt(base: str, number: int) -> int:
    """A browser's attempt: the page (its cookie and token), then the form, each on a new connection
    (gunicorn hands connections to whichever worker or thread is free)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{base}/login", timeout=10) as page:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.read().decode())
    assert token
    form = urllib.parse.urlencode(
        {
            "csrf_token": token.group(1),
            "email": f"agent{number}@police.example.ma",
            "password": "wrong password",
        }
    ).encode()
    try:
        with opener.open(urllib.request.Request(f"{base}/login", data=form), timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_the_embedded_default_counts_every_attempt_once(served: str) -> None:
    answers = [_login_attempt(served, number) for number in range(9)]
    # 6 attempts an hour whichever thread takes them, then 429 every time
    assert answers == [401] * 6 + [429] * 3


def test_several_processes_without_a_shared_store_are_refused(tmp_path: Path) -> None:
    env = _env(tmp_path, free_port(), WEB_WORKERS="2")
    started = subprocess.run(
        [GUNICORN, "--config", "gunicorn.conf.py"], env=env, cwd=PROJECT_ROOT, capture_output=True, timeout=60
    )
    assert started.returncode != 0
    assert b"WEB_WORKERS > 1 needs REDIS_URL" in started.stderr + started.stdout
