"""Right to left for real, in the browser: in Arabic the form starts on the right, and what reads
left to right inside Arabic text (references, codes, phone numbers, IBANs, URLs) keeps its order;
in French everything runs the other way."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, Live, filed_and_triaged, staff_context
from tests.browser.pages import file_report
from tests.factories import DESCRIPTION_AR, DESCRIPTION_FR

# Where a token is drawn: the on-screen x of its first and of its last character, found in the page's
# text whatever the markup around it. A left-to-right token reads in order when its first character is
# drawn to the left of its last, whatever the page's direction.
_TOKEN_ENDS_X = """(root, token) => {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts = [];
  while (walker.nextNode()) { texts.push(walker.currentNode); }
  const whole = texts.map((t) => t.data).join("");
  const start = whole.indexOf(token);
  if (start < 0) { return null; }
  const locate = (offset) => { for (const t of texts) { if (offset < t.data.length) { return [t, offset]; }
    offset -= t.data.length; } };
  const at = (offset) => { const [node, index] = locate(offset); const r = document.createRange();
    r.setStart(node, index); r.setEnd(node, index + 1); const box = r.getBoundingClientRect();
    return box.left + box.width / 2; };
  return [at(start), at(start + token.length - 1)];
}"""


def reads_left_to_right(scope: Any, token: str) -> bool:
    """`token`, wherever it is in `scope` (a locator), is drawn in its own order."""
    ends = scope.evaluate(_TOKEN_ENDS_X, token)
    assert ends is not None, f"{token!r} is not on the page"
    return bool(ends[0] < ends[1])


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
    reference = page.locator("#reference").inner_text().strip()
    receipt = page.locator("#receipt").inner_text().strip()
    for token in (reference, receipt):
        assert reads_left_to_right(page.locator("main"), token), token
    page.close()


def test_the_measure_sees_a_phone_number_turned_around(browser: Any) -> None:
    """The control: a phone number left bare in Arabic text is drawn `212661234567+`; isolated, it is not."""
    page = browser.new_page()
    page.set_content(
        '<p dir="rtl" lang="ar">الهاتف: <span id="bare">+212661234567</span></p>'
        '<p dir="rtl" lang="ar">الهاتف: <bdi dir="ltr" id="isolated">+212661234567</bdi></p>'
    )
    assert not reads_left_to_right(page.locator("p").nth(0), "+212661234567")
    assert reads_left_to_right(page.locator("p").nth(1), "+212661234567")
    page.close()


def test_the_arabic_case_page_keeps_phones_ibans_and_hashes_in_order(browser: Any, live: Live) -> None:
    filed = filed_and_triaged(
        browser, live, "ar", category="phishing_impersonation", description=DESCRIPTION_AR,
        suspects=[("iban", "MA64011519000001205000534921"), ("url", "https://banque-secure.example/login")],
        reporter=("سلمى بنعلي", "0661234567"),
    )  # fmt: skip
    desk = staff_context(browser, live, "officer-ar")
    page = desk.new_page()
    page.goto(f"{live.url}/officer/reports/{filed.reference}")
    # the reporter's phone (a leading +), the RIB read from the IBAN, a defanged link, the amount
    main = page.locator("main")
    for token in ("+212661234567", "MA64011519000001205000534921", "hxxps://banque-secure[.]example"):
        assert reads_left_to_right(main, token), token
    sha = page.locator("table.evidence code").first
    assert reads_left_to_right(sha, sha.inner_text().strip())
    cell = sha.evaluate("(e) => { const td = e.closest('td'); return [td.scrollWidth, td.clientWidth]; }")
    assert cell[0] <= cell[1] + 1, "the SHA-256 overflows its cell"
    desk.close()
