"""Every public page (each citizen language) and every staff page (Arabic and French) in a real
Chromium: no serious or critical axe-core violation, no Nu HTML Checker error (WCAG 2.1 AA through
axe's rules; ASVS 14.x for well-formed output), and no horizontal scrolling at 200 % zoom or on a
phone. The pages are photographed on the way (SCREENSHOTS_DIR)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from intake.i18n import CITIZEN_LANGUAGES, STAFF_LANGUAGES
from tests.browser.conftest import DESKTOP, PHONE, Live, filed_and_triaged, shoot, staff_context
from tests.browser.pages import PageChecks, assert_no_sideways_scroll, file_report, open_tracking
from tests.documents import CODE_PATTERN, pdf_text
from tests.factories import DESCRIPTION_AR, DESCRIPTION_FR

ZOOMED = {"width": DESKTOP["width"] // 2, "height": DESKTOP["height"] // 2}  # 200 % of 1366 × 768


@pytest.mark.parametrize("lang", CITIZEN_LANGUAGES)
def test_public_pages(browser: Any, live: Live, lang: str, tmp_path: Path) -> None:
    checks = PageChecks(tmp_path / "pages")
    context = browser.new_context(viewport=DESKTOP, locale=lang)
    page = context.new_page()
    for path, name in [
        ("", "home"), ("/report", "form"), ("/track", "track"), ("/privacy", "privacy"), ("/verify", "verify"),
    ]:  # fmt: skip
        checks.visit(page, f"{live.url}/{lang}{path}", f"{lang}-{name}")
        shoot(page, f"{lang}-{name}")
    # the form sent empty: the errors are announced and focus goes to their summary
    page.goto(f"{live.url}/{lang}/report")
    page.click("#submit-report")
    page.locator("#error-summary").wait_for()
    checks.check(page, f"{lang}-form-errors", page.content())  # the answer to a POST, as shown
    assert page.evaluate("document.activeElement.id") == "error-summary"
    described_by = (page.locator("#description").get_attribute("aria-describedby") or "").split()
    assert "description-errors" in described_by  # the field's own error is read with it
    assert all(page.locator(f"[id='{name}']").count() == 1 for name in described_by), described_by
    shoot(page, f"{lang}-form-errors")
    # a report filed, its confirmation, then followed with its code
    filed = file_report(
        page, live.url, lang, category="online_shopping_fraud",
        description=DESCRIPTION_AR if lang == "ar" else DESCRIPTION_FR,
        suspects=[("phone", "0612345678"), ("url", "https://shop-fake.example/offre")],
    )  # fmt: skip
    checks.check(page, f"{lang}-confirmation", page.content())
    shoot(page, f"{lang}-confirmation")
    # the acknowledgement, downloaded as a citizen does, then checked as a bank would
    with page.expect_download() as downloaded:
        page.click("#download-acknowledgement")
    code = CODE_PATTERN.search(pdf_text(Path(downloaded.value.path()).read_bytes(), tmp_path))
    assert code
    page.goto(f"{live.url}/{lang}/verify")
    page.fill("#reference", filed.reference)
    page.fill("#code", code.group(0))
    page.click("main button[type=submit]")
    page.locator("#verified").wait_for()
    checks.check(page, f"{lang}-verified", page.content())
    shoot(page, f"{lang}-verified")
    open_tracking(page, live.url, lang, filed)
    checks.check(page, f"{lang}-tracking", page.content())
    shoot(page, f"{lang}-tracking")
    pages = [f"/{lang}{path}" for path in ("", "/report", "/track", "/privacy", "/verify")]
    assert_no_sideways_scroll(page, live.url, pages, [ZOOMED, PHONE])
    context.close()
    checks.assert_clean()


@pytest.mark.parametrize("lang", STAFF_LANGUAGES)
def test_staff_pages(browser: Any, live: Live, lang: str, tmp_path: Path) -> None:
    checks = PageChecks(tmp_path / "pages")
    # a case to open: filed by a citizen, triaged by the worker
    filed = filed_and_triaged(
        browser, live, lang, category="phishing_impersonation",
        description=DESCRIPTION_AR if lang == "ar" else DESCRIPTION_FR,
        suspects=[("iban", "MA64011519000001205000534921"), ("email", "service@banque-secure.example")],
        reporter=("Salma Benali", "0661234567"),
    )  # fmt: skip

    anonymous = browser.new_context(viewport=DESKTOP, locale=lang)
    page = anonymous.new_page()
    checks.visit(page, f"{live.url}/login", f"{lang}-login")
    shoot(page, f"{lang}-login")
    anonymous.close()

    officer = staff_context(browser, live, f"officer-{lang}")
    page = officer.new_page()
    for path, name in [
        ("/officer/", "queue"),
        (f"/officer/reports/{filed.reference}", "case"),
        ("/account/password", "password"),
        ("/account/two-factor", "two-factor"),
    ]:
        checks.visit(page, f"{live.url}{path}", f"{lang}-{name}")
        shoot(page, f"{lang}-{name}")
    desk_pages = ["/officer/", f"/officer/reports/{filed.reference}", "/account/password"]
    assert_no_sideways_scroll(page, live.url, desk_pages, [ZOOMED, PHONE])
    officer.close()

    admin = staff_context(browser, live, f"admin-{lang}")
    page = admin.new_page()
    for path, name in [("/admin/", "dashboard"), ("/admin/exports", "exports"), ("/admin/staff", "accounts")]:
        checks.visit(page, f"{live.url}{path}", f"{lang}-{name}")
        shoot(page, f"{lang}-{name}")
    assert_no_sideways_scroll(page, live.url, ["/admin/", "/admin/exports", "/admin/staff"], [ZOOMED])
    admin.close()
    checks.assert_clean()
