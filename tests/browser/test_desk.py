"""The officer's desk in the browser: the actions in view beside the case at 1366 × 768, and the
keyboard shortcuts doing what the help panel says, never while the officer types."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import DESKTOP, Live, filed_and_triaged, staff_context
from tests.conftest import status_of
from tests.factories import DESCRIPTION_FR


def _in_view(locator: Any) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= DESKTOP["height"]


def test_the_shortcuts_and_the_actions_in_view(browser: Any, live: Live) -> None:
    filed = filed_and_triaged(
        browser, live, "fr", category="sextortion", description=DESCRIPTION_FR,
        suspects=[("username", "@sami_love22")], with_png=False,
    )  # fmt: skip

    desk = staff_context(browser, live, "officer-fr")
    page = desk.new_page()
    page.goto(f"{live.url}/officer/?sort=newest")
    page.keyboard.press("j")  # the first row takes the focus, on its link
    assert page.evaluate("document.activeElement.closest('#queue-table tbody tr') !== null")
    page.keyboard.press("o")
    page.wait_for_url("**/officer/reports/**")

    page.goto(f"{live.url}/officer/reports/{filed.reference}")
    assert _in_view(page.locator("#claim")) and _in_view(page.locator("#status-form button[type=submit]"))
    page.locator("#reason").click()
    page.keyboard.type("t s n")  # typing in a field: letters, not shortcuts
    assert page.input_value("#reason") == "t s n"
    assert page.url.endswith(filed.reference) and status_of_now(live, filed.reference) == "triaged"
    page.locator("h1").click()  # the focus back on the page
    page.keyboard.press("Shift+KeyT")  # Shift+T is not t
    page.keyboard.press("s")
    assert page.evaluate("document.activeElement.id") == "status"
    page.locator("h1").click()
    with page.expect_navigation():
        page.keyboard.press("t")  # take the report
    assert status_of_now(live, filed.reference) == "assigned"
    following = page.locator("#next-case")
    if following.count():
        target = following.get_attribute("href")
        page.locator("h1").click()
        with page.expect_navigation():
            page.keyboard.press("n")
        assert page.url.endswith(str(target))
    page.keyboard.press("?")
    assert page.locator("#shortcuts").get_attribute("open") is not None
    desk.close()


def status_of_now(live: Live, reference: str) -> str | None:
    with live.app.app_context():
        return status_of(reference)
