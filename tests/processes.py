"""Real processes for end-to-end tests: a Celery worker (optionally with beat), or the whole `make run` stack."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def wait_for(
    condition: Callable[[], Any], timeout: float = 60, interval: float = 0.25, what: str = "condition"
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def stop(process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout)


def spawn(command: list[str], env: Mapping[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """`command` in the project's folder and in its own process group (so that `stop` and `kill`
    reach its children), with `env` over ours, its output appended to `log_path`."""
    with log_path.open("ab") as log:
        return subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def start_worker(
    env: Mapping[str, str], log_path: Path, beat: bool = False, concurrency: int | None = None
) -> subprocess.Popen[bytes]:
    """`celery worker` in its own process group, on the broker and database `env` names.

    `concurrency` runs a prefork pool of that size; by default one process does everything (solo)."""
    pool = ["--pool", "prefork", "--concurrency", str(concurrency)] if concurrency else ["--pool", "solo"]
    command = [
        sys.executable, "-m", "celery", "-A", "workers.main", "worker", *pool,
        "--loglevel", "INFO", "--without-mingle", "--without-gossip", "--without-heartbeat",
    ]  # fmt: skip
    if beat:
        command += ["--beat", "--schedule", str(log_path.with_suffix(".beat"))]
    return spawn(command, env, log_path)


@contextmanager
def celery_worker(
    env: Mapping[str, str], log_path: Path, beat: bool = False, concurrency: int | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    process = start_worker(env, log_path, beat, concurrency)
    try:
        yield process
    finally:
        stop(process)


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the whole process group: no warm shutdown, nothing acknowledged, nothing cleaned up."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(20)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """A redis-server of the test's own, on a free port: one it may stop, restart and flush
    without touching anybody else's data."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(self.folder), "--maxmemory-policy", "noeviction",
        ]  # fmt: skip
        with (self.folder / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_for(self.ping, 10, what=f"redis-server on port {self.port}")

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.exceptions.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None

    def client(self) -> Any:
        import redis

        return redis.Redis.from_url(self.url)

    def flush(self) -> None:
        client = self.client()
        client.flushall()
        client.close()


def log_tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


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
