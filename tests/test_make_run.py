"""`make run` serves the whole service on the embedded default: web, worker and beat, stopped by Ctrl-C."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import stat
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import PROJECT_ROOT, log_tail, wait_for

pytestmark = pytest.mark.worker


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Browserless:
    """A cookie-keeping HTTP client, as a citizen's browser without JavaScript."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        body = urllib.parse.urlencode(fields).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST"))

    def post_json(self, path: str, payload: str) -> tuple[int, str]:
        request = urllib.request.Request(
            self.base + path,
            data=payload.encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        return self._open(request)

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    var_dir = tmp_path_factory.mktemp("make-run") / "var"
    port = free_port()
    log = var_dir.parent / "make-run.log"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}}
    env.update({"VAR_DIR": str(var_dir), "PORT": str(port), "OUTBOX_RELAY_INTERVAL": "2", "MAKEFLAGS": ""})
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert process.poll() is None, log_tail(log)
        try:
            return Browserless(base).get("/healthz")[0] == 200
        except OSError:
            return False

    try:
        wait_for(up, 120, 0.5, what=f"make run to serve\n{log_tail(log)}")
        yield base, process, log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def test_make_run_files_and_triages_a_report_end_to_end(
    served: tuple[str, subprocess.Popen[bytes], Path],
) -> None:
    base, _process, log = served
    citizen = Browserless(base)
    assert citizen.get("/readyz")[0] == 200
    status, page = citizen.get("/fr/report")
    assert status == 200 and 'lang="fr" dir="ltr"' in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    fields = {
        "csrf_token": token,
        "category": "phishing_impersonation",
        "incident_date": "2026-11-20",
        "description": "Un SMS au nom de la poste m'a demandé de payer 12 DH de frais de livraison par carte.",
        "suspects-0-kind": "url",
        "suspects-0-value": "http://poste-colis-maroc.example/pay",
        "anonymous": "y",
        "consent": "y",
    }
    status, confirmation = citizen.post("/fr/report", fields)
    assert status == 200, confirmation[:500]  # urllib followed the 303
    reference = re.search(r"BLG-[0-9A-Z]{4}-[0-9A-Z]{4}", confirmation).group(0)
    receipt = re.search(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){5}", confirmation).group(0)

    def triaged_on_tracking_page() -> bool:
        status, track_page = citizen.get("/ar/track")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', track_page).group(1)
        status, result = citizen.post(
            "/ar/track", {"csrf_token": token, "reference": reference, "receipt": receipt}
        )
        return status == 200 and "status-triaged" in result

    wait_for(triaged_on_tracking_page, 60, 1, what=f"the report to be triaged\n{log_tail(log)}")

    status, body = Browserless(base).post_json(
        "/api/v1/reports",
        '{"category": "sextortion", "incident_date": "2026-11-25", "anonymous": true, "consent": true,'
        ' "description": "Quelqu\'un menace de publier des photos intimes si je ne paie pas 5000 DH."}',
    )
    assert status == 201, body

    # Logs without people in them (ASVS 7.1.1): the access log names no address, browser, reference
    # or code on citizen routes; and the embedded data are private to their owner.
    access = [
        line for line in log.read_text(errors="replace").splitlines() if '"POST /' in line or '"GET /' in line
    ]
    assert any('"POST /<lang>/report" 303' in line and "staff=-" in line for line in access), access[:5]
    assert any('"POST /<lang>/track" 200' in line for line in access)
    for line in access:
        for private in ("127.0.0.1 -", "Python-urllib", reference, receipt, "csrf_token"):
            assert private not in line, (private, line)
    # nor a reference in another spelling, nor the address of a malformed request in the error log
    for spelling in (reference.lower(), reference.replace("-", "")):
        Browserless(base).get(f"/api/v1/reports/{spelling}/status")
    port = int(base.rsplit(":", 1)[1])
    for malformed in (
        f"GET /api/v1/reports/{reference}/status HTTP/9.9 extra\r\n\r\n",  # a bad request line
        f"GET /healthz HTTP/1.1\r\nX-Receipt {receipt}\r\n\r\n",  # a bad header line
    ):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            raw.sendall(malformed.encode())
            raw.recv(1024)
    wait_for(
        lambda: log.read_text(errors="replace").count("Invalid request from ip=") >= 2,
        10,
        0.2,
        what="the error lines",
    )
    text = log.read_text(errors="replace")
    assert '"GET /api/v1/reports/<reference>/status"' in text
    for private in (reference, reference.lower(), reference.replace("-", ""), receipt):
        assert private not in text, private
    assert "ip=127.0.0.1" not in text and "Invalid request from ip=-" in text
    var_dir = Path(log.parent / "var")
    assert stat.S_IMODE(var_dir.stat().st_mode) == 0o700
    for name in ("blagh.sqlite3", "blagh.sqlite3-wal", "keys.env", "secret_key"):
        assert stat.S_IMODE((var_dir / name).stat().st_mode) == 0o600, name


def test_ctrl_c_stops_web_worker_and_beat(served: tuple[str, subprocess.Popen[bytes], Path]) -> None:
    _base, process, log = served
    children = subprocess.run(
        ["pgrep", "-g", str(process.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    assert len(children) >= 4, log_tail(log)  # make, honcho, gunicorn, celery worker, celery beat
    os.killpg(process.pid, signal.SIGINT)
    process.wait(30)
    wait_for(
        lambda: (
            not subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, check=False).stdout
        ),
        30,
        what="every process of make run to stop",
    )
    text = log.read_text(errors="replace")
    assert "web.1" in text and "worker.1" in text and "beat.1" in text
