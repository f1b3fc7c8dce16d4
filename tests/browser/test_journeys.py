"""The whole service in a real browser, in Arabic and in French, against gunicorn and a real worker:
a citizen files a report with two identifiers and a PNG on a phone, keeps the code and follows the
report; an officer takes it and asks a question; the citizen answers on the tracking page; the officer
resolves it; an admin downloads the month's XLSX. Then the same form with the keyboard alone, and
with JavaScript off."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from intake.extensions import db
from intake.reports.models import Report
from intake.stats.counts import Month
from intake.taxonomy import CATEGORY_BY_CODE
from tests.browser.conftest import DESKTOP, PHONE, Live, shoot, staff_context
from tests.browser.pages import file_report, open_tracking
from tests.conftest import status_of
from tests.factories import DESCRIPTION_AR, DESCRIPTION_FR
from tests.processes import wait_for

QUESTION = {"ar": "هل احتفظت بوصل التحويل البنكي؟", "fr": "Avez-vous gardé le reçu du virement ?"}
ANSWER = {"ar": "نعم، احتفظت به ويمكنني إرساله.", "fr": "Oui, je l’ai gardé, je peux l’envoyer."}


def _wait_for_status(live: Live, reference: str, status: str) -> None:
    with live.app.app_context():
        wait_for(lambda: status_of(reference) == status, 60, what=f"{status}\n{live.logs()}")


def _change_status(page: Any, status: str, message: str | None = None) -> None:
    page.select_option("#status", status)
    if message is not None:
        page.fill("#status-message", message)
    page.click("#status-form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_report_from_filing_to_resolution_and_the_monthly_export(
    browser: Any, live: Live, lang: str, tmp_path: Path
) -> None:
    # The citizen, on a phone.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale=lang)
    citizen = phone.new_page()
    citizen.goto(f"{live.url}/{lang}/report")
    shoot(citizen, f"{lang}-phone-form", full_page=False)
    filed = file_report(
        citizen, live.url, lang, category="online_shopping_fraud",
        description=DESCRIPTION_AR if lang == "ar" else DESCRIPTION_FR,
        suspects=[("phone", "0612345678"), ("iban", "MA64011519000001205000534921")],
        reporter=("سلمى بنعلي" if lang == "ar" else "Salma Benali", "0661234567"),
    )  # fmt: skip
    shoot(citizen, f"{lang}-phone-confirmation")
    assert filed.reference.startswith("BLG-") and len(filed.receipt) >= 24
    _wait_for_status(live, filed.reference, "triaged")  # the worker triaged it
    open_tracking(citizen, live.url, lang, filed)
    assert citizen.locator("#current-status").inner_text().strip()
    shoot(citizen, f"{lang}-phone-tracking")

    # The officer takes it, starts work and asks a question.
    desk = staff_context(browser, live, f"officer-{lang}")
    officer = desk.new_page()
    officer.goto(f"{live.url}/officer/")
    officer.click(f"a:has-text('{filed.reference}')")
    officer.wait_for_url(f"**/officer/reports/{filed.reference}")
    assert officer.locator("text=capture.png").count() >= 1  # the PNG is listed with the case
    officer.click("#claim")
    officer.wait_for_load_state()
    _change_status(officer, "in_progress")
    _change_status(officer, "needs_info", QUESTION[lang])
    _wait_for_status(live, filed.reference, "needs_info")
    shoot(officer, f"{lang}-case-desktop", full_page=False)

    # The citizen reads the question and answers it on the tracking page.
    open_tracking(citizen, live.url, lang, filed)
    assert QUESTION[lang] in citizen.content()
    citizen.fill("#answer", ANSWER[lang])
    citizen.fill("#answer-receipt", filed.receipt)
    citizen.click("form[action$='/track/answer'] button[type=submit]")
    citizen.wait_for_load_state()
    _wait_for_status(live, filed.reference, "in_progress")
    phone.close()

    # The officer reads the answer and resolves the report.
    officer.reload()
    assert ANSWER[lang] in officer.content()
    _change_status(officer, "resolved")
    _wait_for_status(live, filed.reference, "resolved")
    desk.close()

    # The admin downloads the month's counts as XLSX.
    office = staff_context(browser, live, f"admin-{lang}")
    admin = office.new_page()
    admin.goto(f"{live.url}/admin/exports")
    admin.select_option("#month", str(Month.containing(datetime.now(UTC))))
    admin.select_option("#format", "xlsx")
    admin.select_option("#language", lang)
    with admin.expect_download() as download:
        admin.click("main form button[type=submit]")
    saved = tmp_path / "month.xlsx"
    download.value.save_as(saved)
    workbook = openpyxl.load_workbook(saved)
    by_category = {row[0]: row[1:] for row in workbook["by category"].iter_rows(min_row=2, values_only=True)}
    month = Month.containing(datetime.now(UTC))
    start, end = month.bounds()
    with live.app.test_request_context(), force_locale(lang):
        label = str(CATEGORY_BY_CODE["online_shopping_fraud"].label)
        counted = db.session.scalar(
            select(func.count()).where(
                Report.category == "online_shopping_fraud",
                Report.created_at >= start,
                Report.created_at < end,
            )
        )
        db.session.rollback()
    assert by_category["online_shopping_fraud"] == (label, counted)  # every such report, in `lang`
    assert workbook["rows"].sheet_view.rightToLeft is (lang == "ar")
    office.close()


def _tab_to(page: Any, selector: str, limit: int = 120) -> None:
    """Press Tab until `selector` has the focus, as a keyboard user moves; the focus must show."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            visible = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 || s.boxShadow !== 'none'; }"
            )
            assert visible, f"{selector} has the focus but shows no focus ring"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_form_with_the_keyboard_alone(browser: Any, live: Live, lang: str) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")  # the date field reads day/month/year
    page = context.new_page()
    page.goto(f"{live.url}/{lang}/report")
    _tab_to(page, "input[name=category]")
    page.keyboard.press("Space")  # the first category
    _tab_to(page, "#incident_date")
    page.keyboard.type("20112026")
    _tab_to(page, "#description")
    page.keyboard.type(DESCRIPTION_AR if lang == "ar" else DESCRIPTION_FR)
    _tab_to(page, "[name='suspects-0-value']")
    page.keyboard.type("0612345678")
    _tab_to(page, "#add-suspect")
    page.keyboard.press("Enter")  # a second row; the focus moves to its first field
    assert page.evaluate("document.activeElement.name") == "suspects-1-kind"
    page.keyboard.press("ArrowDown")  # phone → e-mail
    page.keyboard.press("Tab")
    page.keyboard.type("arnaque@example.com")
    _tab_to(page, "#anonymous")
    page.keyboard.press("Space")
    _tab_to(page, "#consent")
    page.keyboard.press("Space")
    _tab_to(page, "#submit-report")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{lang}/report/confirmation")
    assert page.locator("#reference").inner_text().strip().startswith("BLG-")
    context.close()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_form_without_javascript_keeps_what_was_typed(browser: Any, live: Live, lang: str) -> None:
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live.url}/{lang}/report")
    description = DESCRIPTION_AR if lang == "ar" else DESCRIPTION_FR
    page.check("#category-investment_fraud")
    page.fill("#description", description)
    page.fill("[name='suspects-0-value']", "https://trade-gain.example/login")
    page.select_option("[name='suspects-0-kind']", "url")
    with page.expect_navigation():
        page.click("#add-suspect")  # a round trip to the server adds the row
    assert page.locator(".suspect-row").count() == 2
    page.select_option("[name='suspects-1-kind']", "iban")
    page.fill("[name='suspects-1-value']", "FR00 1234")  # wrong: the server says so
    page.fill("#incident_date", "2026-10-02")
    page.check("#anonymous")
    page.check("#consent")
    with page.expect_navigation():
        page.click("#submit-report")
    assert page.locator(".error-summary").count() == 1
    assert page.input_value("#description") == description
    assert page.input_value("[name='suspects-0-value']") == "https://trade-gain.example/login"
    page.fill("[name='suspects-1-value']", "")
    with page.expect_navigation():
        page.click("#submit-report")
    assert page.url.endswith(f"/{lang}/report/confirmation")
    assert page.locator("#reference").inner_text().startswith("BLG-")
    context.close()
