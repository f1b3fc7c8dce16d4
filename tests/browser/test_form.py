"""The citizen form in a real headless Chromium, with and without JavaScript, in Arabic and French."""

from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import Live, staff_context


def test_arabic_form_is_right_to_left_and_enhanced_by_javascript(browser, live: Live, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto(f"{live.url}/ar/report")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"

    # Mirrored layout: labels start at the right edge of the form, the language switch sits on the left.
    form_box = page.locator("#report-form").bounding_box()
    label_box = page.locator("label[for=incident_date]").bounding_box()
    assert abs((form_box["x"] + form_box["width"]) - (label_box["x"] + label_box["width"])) < 4
    switch_box = page.locator(".language-switch").bounding_box()
    brand_box = page.locator(".brand").bounding_box()
    assert switch_box["x"] < brand_box["x"]

    # Urgent category: the emergency box comes forward; child exploitation disables uploads.
    assert "emergency-compact" in page.locator("#emergency-box").get_attribute("class")
    page.check("#category-sextortion")
    assert "emergency-compact" not in (page.locator("#emergency-box").get_attribute("class") or "")
    page.check("#category-child_sexual_exploitation")
    assert page.locator("#evidence").is_disabled()
    page.check("#category-sextortion")
    assert not page.locator("#evidence").is_disabled()

    # Character count.
    page.fill("#description", "شخص يهددني بنشر صور خاصة إذا لم أدفع له المال")
    assert not page.locator("#description-count").is_hidden()
    assert page.locator("#description-count").inner_text().strip()

    # Suspect rows are added and removed on the page, without a round trip.
    url_before = page.url
    page.click("#add-suspect")
    page.click("#add-suspect")
    assert page.locator(".suspect-row").count() == 3 and page.url == url_before
    page.locator(".suspect-row").nth(1).locator(".remove-suspect").click()
    assert page.locator(".suspect-row").count() == 2
    assert page.locator("[name='suspects-1-value']").count() == 1
    page.select_option("[name='suspects-0-kind']", "username")
    page.fill("[name='suspects-0-value']", "@sami_love22")
    page.select_option("[name='suspects-1-kind']", "phone")
    page.fill("[name='suspects-1-value']", "0612345678")

    # Anonymity hides the contact fields.
    page.check("#anonymous")
    assert page.locator("#reporter-details").is_hidden()

    page.fill("#incident_date", "2026-11-20")
    page.check("#consent")
    page.screenshot(path=str(tmp_path / "ar-form.png"), full_page=True)
    page.click("#submit-report")
    page.wait_for_url("**/ar/report/confirmation")
    assert page.locator("#reference").inner_text().startswith("BLG-")
    assert page.locator("#receipt bdi").get_attribute("dir") == "ltr"
    assert page.locator(".emergency").count() == 1
    page.close()


def test_french_form_works_without_javascript(browser, live: Live) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live.url}/fr/report")
    assert page.locator("html").get_attribute("dir") == "ltr"
    page.check("#category-investment_fraud")
    page.fill("#description", "Une plateforme de trading m'a fait déposer 20 000 DH et bloque mes retraits.")
    page.fill("[name='suspects-0-value']", "https://trade-gain.example/login")
    page.select_option("[name='suspects-0-kind']", "url")
    page.click("#add-suspect")  # a round trip to the server adds the row
    assert page.locator(".suspect-row").count() == 2
    assert page.input_value("#description").startswith("Une plateforme")
    page.select_option("[name='suspects-1-kind']", "iban")
    page.fill("[name='suspects-1-value']", "FR00 1234")  # wrong: the server says so, in French
    page.fill("#incident_date", "2026-10-02")
    page.fill("#reporter_name", "Youssef")
    page.fill("#reporter_email", "youssef@example.ma")
    page.check("#consent")
    page.click("#submit-report")
    assert page.locator(".error-summary").count() == 1
    assert "IBAN" in page.locator(".suspect-row").nth(1).inner_text()
    assert page.input_value("[name='suspects-0-value']") == "https://trade-gain.example/login"
    page.fill("[name='suspects-1-value']", "")
    page.click("#submit-report")
    assert page.url.endswith("/fr/report/confirmation")
    assert page.locator("#reference").inner_text().startswith("BLG-")
    context.close()


def test_an_arabic_officer_reads_the_queue_right_to_left_and_logs_out(browser, live: Live) -> None:  # type: ignore[no-untyped-def]
    context = staff_context(browser, live, "officer-ar")
    page = context.new_page()
    page.goto(f"{live.url}/officer/")
    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "ar"
    # mirrored for real: the search field starts on the right side of the page
    box = page.locator("#q").bounding_box()
    width = page.viewport_size["width"]
    assert box is not None and box["x"] + box["width"] > width / 2
    context.close()
