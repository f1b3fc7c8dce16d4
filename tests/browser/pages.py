"""What people do in the browser tests, as they do it: a citizen files and follows a report, a member
of staff opens pages; and the two checkers every page goes through (axe-core, the Nu HTML Checker)."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.factories import png_bytes
from tests.processes import PROJECT_ROOT
from tests.services import unavailable

VNU_JAR = Path(PROJECT_ROOT / ".venv/node/node_modules/vnu-jar/build/dist/vnu.jar")
REFERENCE_PATTERN = r"BLG-[0-9A-Z]{4}-[0-9A-Z]{4}"
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


@dataclass(frozen=True)
class Filed:
    reference: str
    receipt: str


def file_report(
    page: Any,
    base_url: str,
    lang: str,
    *,
    category: str,
    description: str,
    suspects: list[tuple[str, str]],
    with_png: bool = True,
    reporter: tuple[str, str] | None = None,
) -> Filed:
    """Fill the report form with the mouse and the keyboard as a citizen does (JavaScript on), send
    it, and read the reference and the secret code on the confirmation page."""
    page.goto(f"{base_url}/{lang}/report")
    page.check(f"#category-{category}")
    page.fill("#incident_date", "2026-11-20")
    page.fill("#description", description)
    for index, (kind, value) in enumerate(suspects):
        if index:
            page.click("#add-suspect")
        page.select_option(f"[name='suspects-{index}-kind']", kind)
        page.fill(f"[name='suspects-{index}-value']", value)
    if reporter:
        page.fill("#reporter_name", reporter[0])
        page.fill("#reporter_phone", reporter[1])
    else:
        page.check("#anonymous")
    if with_png:
        page.set_input_files(
            "#evidence", files=[{"name": "capture.png", "mimeType": "image/png", "buffer": png_bytes(64, 48)}]
        )
    page.check("#consent")
    page.click("#submit-report")
    page.wait_for_url(f"**/{lang}/report/confirmation")
    return Filed(
        page.locator("#reference").inner_text().strip(), page.locator("#receipt").inner_text().strip()
    )


def open_tracking(page: Any, base_url: str, lang: str, filed: Filed) -> None:
    page.goto(f"{base_url}/{lang}/track")
    page.fill("#reference", filed.reference)
    page.fill("#receipt", filed.receipt)
    page.click("main form button[type=submit]")
    page.locator("#current-status").wait_for()


def assert_no_sideways_scroll(
    page: Any, base_url: str, paths: list[str], sizes: list[dict[str, int]]
) -> None:
    """At each window size, none of the pages scrolls sideways as a whole (a wide table may scroll in
    its own box): what 200 % zoom and a phone need (WCAG 1.4.10)."""
    for size in sizes:
        page.set_viewport_size(size)
        for path in paths:
            page.goto(f"{base_url}{path}")
            fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
            assert fits, f"{path} scrolls sideways at {size}"


class PageChecks:
    """The pages a test went through: axe-core's serious and critical violations found on each (in
    the page as the browser shows it), and the HTML each was served, for the Nu HTML Checker."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.violations: list[str] = []
        self.pages: list[str] = []

    def check(self, page: Any, name: str, served_html: str) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.pages.append(name)
        (self.folder / f"{name}.html").write_text(served_html, encoding="utf-8")
        found = Axe().run(page).response["violations"]
        for violation in found:
            if violation.get("impact") in BLOCKING_IMPACTS:
                targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
                self.violations.append(
                    f"{name}: {violation['id']} ({violation['impact']}): {violation['help']} at {targets}"
                )

    def visit(self, page: Any, url: str, name: str) -> None:
        response = page.goto(url)
        assert response is not None and response.ok, f"{url}: {response.status if response else 'no answer'}"
        self.check(page, name, response.text())

    def assert_clean(self) -> None:
        """No serious or critical axe violation on any page, no Nu HTML Checker error on any."""
        assert not self.violations, "\n".join(self.violations)
        errors = self.html_errors()
        assert not errors, "\n".join(errors)

    def html_errors(self) -> list[str]:
        """The Nu HTML Checker's errors on every page served (one run of vnu over all of them)."""
        java = shutil.which("java")
        if java is None or not VNU_JAR.exists():
            unavailable("Nu HTML Checker", FileNotFoundError(f"java={java}, {VNU_JAR}: run `make browser`"))
        files = sorted(str(path) for path in self.folder.glob("*.html"))
        done = subprocess.run(
            [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *files],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        # vnu exits 0 (nothing found) or 1 (messages); anything else, or no report, is a broken run
        assert done.returncode in {0, 1}, f"vnu failed ({done.returncode}): {done.stderr[-2000:]}"
        messages = json.loads(done.stderr)["messages"]
        return [
            f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m.get('message')} [{m.get('extract', '').strip()}]"
            for m in messages
            if m.get("type") in {"error", "non-document-error"} or m.get("subType") == "fatal"
        ]
