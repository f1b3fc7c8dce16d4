"""Browser tests: Debian's Chromium driven by Playwright (nothing downloaded), against the app served
by gunicorn as in production, with a real Celery worker, on PostgreSQL and Redis.

One stack for the whole session (its own database, dropped at the end); staff log in once per account
with a password and a TOTP code, and later pages reuse that browser state. Screenshots go to
SCREENSHOTS_DIR (var/screenshots by default): the best ones are copied to docs/screenshots/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade

from intake.extensions import db
from intake.i18n import STAFF_LANGUAGES
from tests.conftest import app_for, release_database, worker_env
from tests.processes import PROJECT_ROOT, celery_worker, gunicorn, log_tail
from tests.services import fresh_postgres_database, redis_url_or_skip, unavailable
from tests.staff_accounts import Account, make_account

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or PROJECT_ROOT / "var" / "screenshots")
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 740}
STAFF_ROLES = ("officer", "supervisor", "admin")
# One address files every report and logs every member of staff in: the limits are raised, as an
# operator would raise them for a test run (tests/test_rate_limits.py checks them as configured).
RAISED_LIMITS = {
    name: "10000 per minute"
    for name in ("FILING_RATE_LIMIT", "TRACKING_RATE_LIMIT", "LOGIN_RATE_LIMIT", "LOGIN_FAILURE_LIMIT")
}


@dataclass
class Live:
    """The served stack: its address, an app for the test's own setup, and staff accounts by
    `role-language` (`officer-ar`, `admin-fr`, …)."""

    url: str
    app: Flask
    web_log: Path
    worker_log: Path
    accounts: dict[str, Account] = field(default_factory=dict)
    states: dict[str, Any] = field(default_factory=dict)  # logged-in browser state per account

    def logs(self) -> str:
        return f"web:\n{log_tail(self.web_log)}\nworker:\n{log_tail(self.worker_log)}"


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    redis_url = redis_url_or_skip()
    folder = tmp_path_factory.mktemp("live")
    with fresh_postgres_database() as database_url:
        env = worker_env(folder / "var", database_url, redis_url, STAFF_2FA="required", **RAISED_LIMITS)
        app = app_for(env)
        with app.app_context():
            upgrade()
            accounts = {
                f"{role}-{lang}": make_account(
                    role, f"{role}-{lang}@police.example.ma", lang, name=_STAFF_NAMES[lang][role]
                )
                for role in STAFF_ROLES
                for lang in STAFF_LANGUAGES
            }
        live = Live("", app, folder / "web.log", folder / "worker.log", accounts)
        with gunicorn("intake:create_app()", env, live.web_log) as url, celery_worker(env, live.worker_log):
            live.url = url
            yield live
        with app.app_context():
            db.session.remove()
            release_database()


_STAFF_NAMES = {
    "ar": {"officer": "نادية العلوي", "supervisor": "كريم بناني", "admin": "سلمى الإدريسي"},
    "fr": {"officer": "Nadia Alaoui", "supervisor": "Karim Bennani", "admin": "Salma Idrissi"},
}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import Error, sync_playwright

    if not Path(CHROMIUM).exists():
        unavailable("Chromium", FileNotFoundError(CHROMIUM))
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as error:
            unavailable("Chromium", error)
        yield chromium
        chromium.close()


def staff_context(browser: Any, live: Live, account_key: str, **options: Any) -> Any:
    """A browser context logged in as `account_key` (password, then TOTP code, through the pages
    themselves the first time; the same state afterwards, as a code is accepted once)."""
    account = live.accounts[account_key]
    if account_key not in live.states:
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        page.goto(f"{live.url}/login")
        page.fill("#email", account.email)
        page.fill("#password", account.password)
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/login/code" in url)
        page.fill("#code", account.code())
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        live.states[account_key] = context.storage_state()
        context.close()
    language = account_key.rsplit("-", 1)[1]  # the browser speaks the member of staff's language
    settings = {"viewport": DESKTOP, "locale": language, **options}
    return browser.new_context(storage_state=live.states[account_key], **settings)


def shoot(page: Any, name: str, full_page: bool = True) -> Path:
    """Save a screenshot of the page under SCREENSHOTS_DIR."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def filed_and_triaged(browser: Any, live: Live, lang: str, **report: Any) -> Any:
    """A report filed through the form by a citizen's browser, once the worker has triaged it."""
    from tests.browser.pages import file_report
    from tests.conftest import status_of
    from tests.processes import wait_for

    citizen = browser.new_context(viewport=DESKTOP)
    filed = file_report(citizen.new_page(), live.url, lang, **report)
    citizen.close()
    with live.app.app_context():
        wait_for(lambda: status_of(filed.reference) == "triaged", 60, what=f"triage\n{live.logs()}")
    return filed
