"""The app (or the bare baseline) under gunicorn as the Procfile runs it, in its own process group,
started and stopped by the run (the worker is tests.processes.celery_worker)."""

from __future__ import annotations

import sys
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.processes import free_port, spawn, stop, wait_for

SERVICE_APP = "intake:create_app()"
BARE_APP = "benchmarks.bare:create_app()"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError as error:  # an HTTP error status still means the server is up
        return hasattr(error, "code")


@contextmanager
def gunicorn(app: str, env: Mapping[str, str], log_path: Path) -> Iterator[str]:
    """The base URL of `app` served by gunicorn with the project's gunicorn.conf.py (workers and
    threads from WEB_WORKERS / WEB_THREADS, as in production); its access log goes to `log_path`."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
        "--bind", f"127.0.0.1:{port}", "--access-logfile", str(log_path.with_suffix(".access")), app,
    ]  # fmt: skip
    process = spawn(command, env, log_path)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(
            lambda: process.poll() is not None or _answers(f"{url}/healthz"), 60, what=f"gunicorn ({app})"
        )
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn ({app}) stopped at start: see {log_path}")
        yield url
    finally:
        stop(process)
