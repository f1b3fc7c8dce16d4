"""Right to left for real, in the browser: in Arabic the form starts on the right, and what reads
left to right inside Arabic text (references, codes, phone numbers, IBANs, URLs) keeps its order;
in French everything runs the other way."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, Live
from tests.browser.pages import file_report
from tests.factories import DESCRIPTION_AR, DESCRIPTION_FR

# The on-screen x of the first and the last character of an element's text: in a left-to-right
# token the first character is drawn to the left of the last, whatever the page's direction.
_FIRST_AND_LAST_X = """(element) => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const texts = [];
  while (walker.nextNode()) { if (walker.currentNode.data.trim()) texts.push(walker.currentNode); }
  const first = texts[0], last = texts[texts.length - 1];
  const at = (node, index) => { const r = document.createRange(); r.setStart(node, index);
    r.setEnd(node, index + 1); const box = r.getBoundingClientRect(); return box.left + box.width / 2; };
  const start = first.data.search(/\\S/), end = last.data.trimEnd().length - 1;
  return [at(first, start), at(last, end)];
}"""


def reads_left_to_right(locator: Any) -> bool:
    first, last = locator.evaluate(_FIRST_AND_LAST_X)
    return bool(first < last)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_form_starts_on_the_readers_side(browser: Any, live: Live, lang: str) -> None:
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{live.url}/{lang}/report")
    radio = page.locator("input[name=category]").first.bounding_box()
    label = page.locator("label[for^=category-]").first.bounding_box()
    field = page.locator("#description").bounding_box()
    form = page.locator("#report-form").bounding_box()
    if lang == "ar":
        assert radio["x"] > label["x"]  # the radio button to the right of its label
        assert abs((field["x"] + field["width"]) - (form["x"] + form["width"])) < 24  # right-aligned
    else:
        assert radio["x"] < label["x"]
        assert abs(field["x"] - form["x"]) < 24
    page.close()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_codes_and_numbers_keep_their_order_inside_the_text(browser: Any, live: Live, lang: str) -> None:
    page = browser.new_page(viewport=DESKTOP)
    file_report(
        page, live.url, lang, category="online_shopping_fraud",
        description=DESCRIPTION_AR if lang == "ar" else DESCRIPTION_FR,
        suspects=[("url", "https://shop-fake.example/offre?id=42")], with_png=False,
    )  # fmt: skip
    for selector in ("#reference bdi", "#receipt bdi"):
        assert reads_left_to_right(page.locator(selector)), selector
    page.close()


def test_the_measure_sees_a_phone_number_turned_around(browser: Any) -> None:
    """The control: a phone number left bare in Arabic text is drawn `212661234567+`; isolated, it is not."""
    page = browser.new_page()
    page.set_content(
        '<p dir="rtl" lang="ar">الهاتف: <span id="bare">+212661234567</span></p>'
        '<p dir="rtl" lang="ar">الهاتف: <bdi dir="ltr" id="isolated">+212661234567</bdi></p>'
    )
    assert not reads_left_to_right(page.locator("#bare"))
    assert reads_left_to_right(page.locator("#isolated"))
    page.close()


def test_the_arabic_case_page_keeps_phones_ibans_and_hashes_in_order(browser: Any, live: Live) -> None:
    from tests.browser.conftest import staff_context
    from tests.conftest import status_of
    from tests.processes import wait_for

    citizen = browser.new_context(viewport=DESKTOP)
    filed = file_report(
        citizen.new_page(), live.url, "ar", category="phishing_impersonation", description=DESCRIPTION_AR,
        suspects=[("iban", "MA64011519000001205000534921"), ("url", "https://banque-secure.example/login")],
        reporter=("سلمى بنعلي", "0661234567"),
    )  # fmt: skip
    citizen.close()
    with live.app.app_context():
        wait_for(lambda: status_of(filed.reference) == "triaged", 60, what=f"triage\n{live.logs()}")
    desk = staff_context(browser, live, "officer-ar")
    page = desk.new_page()
    page.goto(f"{live.url}/officer/reports/{filed.reference}")
    for token in ("+212661234567", "MA64", "hxxps://banque-secure[.]example", filed.reference):
        found = page.locator("bdi[dir=ltr]", has_text=token).first
        assert reads_left_to_right(found), token
    sha = page.locator("bdi[dir=ltr] code").first
    assert reads_left_to_right(sha)
    cell = sha.evaluate("(e) => { const td = e.closest('td'); return [td.scrollWidth, td.clientWidth]; }")
    assert cell[0] <= cell[1] + 1, "the SHA-256 overflows its cell"
    desk.close()
