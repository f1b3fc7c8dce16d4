"""The acknowledgement of filing: a PDF a bank can be handed as it is (no secret code, no account of
the facts, no contact details; ASVS 8.3.4, sensitive data sent only where needed), whose verification
code is an HMAC under a server key that /verify checks without showing the report (ASVS 6.2.1)."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import segno
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import event, select, update

from intake.acknowledgements.codes import acknowledgement_key, clean_code, listed_files, verification_code
from intake.acknowledgements.document import Addresses, render_acknowledgement
from intake.acknowledgements.facts import EvidenceFacts, facts_by_reference
from intake.acknowledgements.services import verify_acknowledgement
from intake.extensions import db
from intake.privacy.sealing import keyring
from intake.reports.models import Report
from intake.reports.status_text import status_label
from intake.taxonomy import CATEGORY_BY_CODE
from intake.types import utcnow
from tests.conftest import CSRF_PATTERN, RECEIPT_PATTERN, csrf_token
from tests.documents import CODE_PATTERN, pdf_info, pdf_text, pdf_words, poppler
from tests.factories import DESCRIPTION_FR, form_data, png_bytes
from tests.test_rate_limits import limited_app

REFERENCE = re.compile(r"BLG-[2-9A-Z]{4}-[2-9A-Z]{4}")
VOWEL_MARKS = re.compile("[\u064b-\u0652\u0670]")
TITLES = {
    "ar": "إشعار باستلام بلاغ عن جريمة إلكترونية",
    "fr": "Récépissé de signalement de cybercriminalité",
    "en": "Acknowledgement of a cybercrime report",
    "zgh": "ⵜⴰⵡⵚⵍⵜ ⵏ ⵓⵎⵎⵓⵍ ⵅⴼ ⵜⵔⵓⵥⵉ ⵜⴰⵍⵉⴽⵜⵕⵓⵏⵉⵜ",
}


def file_with_png(client: FlaskClient, lang: str, png: bytes) -> tuple[str, str, str]:
    """File through the form in `lang` with one PNG: (reference, receipt, confirmation page)."""
    data = {"csrf_token": csrf_token(client, f"/{lang}/report"), **form_data()}
    data["evidence"] = [(io.BytesIO(png), "capture.png", "image/png")]
    filed = client.post(f"/{lang}/report", data=data, content_type="multipart/form-data")
    assert filed.status_code == 303, filed.get_data(as_text=True)[:500]
    page = client.get(filed.location).get_data(as_text=True)
    reference, receipt = REFERENCE.search(page), RECEIPT_PATTERN.search(page)
    assert reference and receipt
    return reference.group(0), receipt.group(0), page


def download(client: FlaskClient, lang: str, reference: str, receipt: str) -> bytes:
    """As the confirmation page's form does: no CSRF token, which could expire on the one page that
    shows the secret code (the download changes nothing, and no other site can read its answer)."""
    response = client.post(
        f"/{lang}/track/acknowledgement", data={"reference": reference, "receipt": receipt}
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f"attachment; filename=acknowledgement-{reference}.pdf"
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_data()


def verify(client: FlaskClient, lang: str, reference: str, code: str) -> tuple[int, str]:
    response = client.post(
        f"/{lang}/verify",
        data={"csrf_token": csrf_token(client, f"/{lang}/verify"), "reference": reference, "code": code},
    )
    return response.status_code, response.get_data(as_text=True)


def forged(code: str) -> str:
    """The same code with its last letter changed."""
    return code[:-1] + ("2" if code[-1] != "2" else "3")


def test_an_arabic_acknowledgement_reads_back_and_verifies(
    client: FlaskClient, app: Flask, backend: str, tmp_path: Path
) -> None:
    png = png_bytes(7, 5)
    app.config["INSTITUTION_NAMES"] = {"ar": "المديرية العامة للأمن الوطني", "*": "DGSN"}
    reference, receipt, confirmation = file_with_png(client, "ar", png)
    assert 'action="/ar/track/acknowledgement"' in confirmation  # offered on the confirmation page

    pdf = download(client, "ar", reference, receipt)
    text = pdf_text(pdf, tmp_path)
    with force_locale("ar"):
        category = str(CATEGORY_BY_CODE["online_shopping_fraud"].label)
    assert VOWEL_MARKS.sub("", TITLES["ar"]) in text  # Arabic words, shaped and in logical order
    assert "المديرية العامة للأمن الوطني" in text  # INSTITUTION_NAME_AR
    assert category in text and "الدار البيضاء" in text
    assert reference in text and hashlib.sha256(png).hexdigest() in text
    assert "2.500,00" in text and "درهم مغربي" in text  # the amount declared, in Moroccan figures
    assert "تم الاستلام" in text  # the status of the day
    assert any(str(len(png)) in line and "بايت" in line for line in text.splitlines())  # its size
    # the filing time in Morocco's time, worked out here with the zone database
    filed_at = db.session.scalar(select(Report.created_at).where(Report.reference == reference))
    assert filed_at is not None
    assert f"{filed_at.astimezone(ZoneInfo('Africa/Casablanca')):%H:%M}" in text
    information = pdf_info(pdf, tmp_path)
    for secret in (
        receipt,
        receipt.replace("-", ""),
        DESCRIPTION_FR[:30],
        "Salma",
        "salma@example.ma",
        "0661234567",
    ):
        assert secret not in text and secret not in information, secret

    code = CODE_PATTERN.search(text)
    assert code, text
    status, page = verify(client, "ar", reference, code.group(0))
    assert status == 200 and 'id="verified"' in page and category in page
    assert status == 200 and "<dd>1</dd>" in page  # one file listed
    with force_locale("ar"):
        assert f'<dd id="status-today">{status_label("received")}</dd>' in page
    # a bank types what it reads: lower case, spaces instead of dashes
    assert verify(client, "ar", reference.lower(), code.group(0).lower().replace("-", " "))[0] == 200

    status, page = verify(client, "ar", reference, forged(code.group(0)))
    assert status == 404 and 'id="not-confirmed"' in page and 'id="verified"' not in page
    status, page = verify(client, "fr", "BLG-2222-2222", code.group(0))
    assert status == 404 and 'id="not-confirmed"' in page
    status, page = verify(client, "fr", reference, "ABCD")
    assert status == 422 and "16 lettres et chiffres" in page


def test_a_wrong_secret_code_gets_no_acknowledgement(client: FlaskClient, app: Flask) -> None:
    reference, receipt, _ = file_with_png(client, "fr", png_bytes())
    wrong = receipt[:-1] + ("2" if receipt[-1] != "2" else "3")
    response = client.post(
        "/fr/track/acknowledgement",
        data={"csrf_token": csrf_token(client, "/fr/track"), "reference": reference, "receipt": wrong},
    )
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Aucun signalement ne correspond" in response.get_data(as_text=True)
    missing = client.post(
        "/fr/track/acknowledgement",
        data={"csrf_token": csrf_token(client, "/fr/track"), "reference": reference},
    )
    assert missing.status_code == 422 and missing.mimetype == "text/html"
    # The download takes no CSRF token (see `download`); checking a code does (ASVS 4.2.2).
    unchecked = client.post("/fr/verify", data={"reference": reference, "code": "ABCD-EFGH-JKMN-PQRS"})
    assert unchecked.status_code == 422 and 'id="not-confirmed"' not in unchecked.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["fr", "en", "zgh"])
def test_the_acknowledgement_is_in_the_report_language(
    client: FlaskClient, app: Flask, tmp_path: Path, lang: str
) -> None:
    reference, receipt, _ = file_with_png(client, lang, png_bytes())
    text = pdf_text(download(client, lang, reference, receipt), tmp_path, raw=lang == "zgh")
    with force_locale(lang):
        # in Tamazight, without the Arabic gloss that follows some terms (pdftotext moves it about)
        category = str(CATEGORY_BY_CODE["online_shopping_fraud"].label).split(" (")[0]
    assert TITLES[lang] in text and category in text and reference in text


def test_the_qr_code_holds_the_tracking_address_only(client: FlaskClient, app: Flask, tmp_path: Path) -> None:
    """Read back from the printed page: every module of the QR code matches segno's encoding of the
    tracking page's address, so any reader finds that address (and nothing else) in it."""
    app.config["PUBLIC_URL"] = "https://blagh.example.ma"
    reference, receipt, _ = file_with_png(client, "fr", png_bytes())
    source = tmp_path / "acknowledgement.pdf"
    source.write_bytes(download(client, "fr", reference, receipt))
    subprocess.run(
        [
            poppler("pdftoppm"),
            "-r",
            "300",
            "-gray",
            "-png",
            "-singlefile",
            str(source),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    page = Image.open(tmp_path / "page.png").convert("L")
    width, height = page.size
    # the QR code sits alone in the outer column (beside the verification text), crossed only by the
    # tables' hairlines: it is the tallest run of rows holding dark pixels there
    region = page.crop((int(width * 155 / 210), 0, int(width * 196 / 210), height))
    inked = [
        any(region.getpixel((x, y)) < 128 for x in range(0, region.width, 2)) for y in range(region.height)
    ]
    runs, start = [], None
    for y, dark in enumerate([*inked, False]):
        if dark and start is None:
            start = y
        elif not dark and start is not None:
            runs.append((y - start, start, y))
            start = None
    _, top, bottom = max(runs)
    band = region.crop((0, top, region.width, bottom)).point(lambda value: 255 if value < 128 else 0)
    box = band.getbbox()
    assert box is not None
    left, _, right, _ = box
    region = region.crop((0, top, region.width, bottom))
    top, bottom = 0, bottom - top
    expected = segno.make("https://blagh.example.ma/fr/track", error="m", micro=False).matrix
    size = len(expected)
    module = (right - left) / size
    assert abs((bottom - top) / size - module) < 0.5
    for row in range(size):
        for col in range(size):
            x = left + (col + 0.5) * module
            y = top + (row + 0.5) * module
            assert (region.getpixel((int(x), int(y))) < 128) == bool(expected[row][col]), (row, col)


def test_the_code_survives_later_files_and_statuses_but_not_erasure(app: Flask) -> None:
    """A copy printed before the citizen sent more files still checks, whatever the status now; once
    the report's personal data are erased, nothing does (there is nothing left to compare)."""
    client = app.test_client()
    reference, _, _ = file_with_png(client, "fr", png_bytes())
    facts = facts_by_reference(reference)
    assert facts is not None and len(facts.evidence) == 1
    key = acknowledgement_key(keyring())
    printed = verification_code(facts, key)
    later = EvidenceFacts("application/pdf", 1234, "ab" * 32)
    grown = type(facts)(**{**facts.__dict__, "evidence": (*facts.evidence, later), "status": "resolved"})
    assert listed_files(grown, printed, key) == 1
    assert listed_files(grown, verification_code(grown, key), key) == 2
    assert listed_files(facts, forged(printed), key) is None
    changed = type(facts)(**{**facts.__dict__, "loss_amount": facts.loss_amount * 10})
    assert listed_files(changed, printed, key) is None  # an altered amount never checks
    assert clean_code(printed.lower().replace("-", " ")) == printed

    assert verify_acknowledgement(reference, printed) is not None
    # a report made up by `flask demo seed` says so, on the check page and on the paper
    db.session.execute(update(Report).where(Report.reference == reference).values(demo=True))
    db.session.commit()
    status, page = verify(client, "fr", reference, printed)
    assert status == 200 and 'id="demo-report"' in page
    db.session.execute(update(Report).where(Report.reference == reference).values(erased_at=utcnow()))
    db.session.commit()
    assert verify_acknowledgement(reference, printed) is None
    assert db.session.scalar(select(Report.erased_at).where(Report.reference == reference)) is not None


def answer_shape(page: str, *typed: str) -> str:
    """A page without what differs from one request to the next: its CSRF token, what was typed."""
    page = CSRF_PATTERN.sub("", page)
    for text in typed:
        page = page.replace(text, "…")
    return page


def statements_run(call: Callable[[], Any]) -> int:
    count = 0

    def counted(*_: Any) -> None:
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return count


def test_unknown_reference_wrong_code_and_erased_report_look_and_cost_alike(
    client: FlaskClient, app: Flask
) -> None:
    """Neither the answer nor the work behind it tells that a reference exists (ASVS 2.2.1)."""
    reference, _, _ = file_with_png(client, "fr", png_bytes())
    facts = facts_by_reference(reference)
    assert facts is not None
    code = verification_code(facts, acknowledgement_key(keyring()))
    unknown = "BLG-2222-2222" if reference != "BLG-2222-2222" else "BLG-3333-3333"

    wrong_code = verify(client, "fr", reference, forged(code))
    no_such_reference = verify(client, "fr", unknown, code)
    assert wrong_code[0] == no_such_reference[0] == 404
    assert answer_shape(wrong_code[1], reference, forged(code)) == answer_shape(
        no_such_reference[1], unknown, code
    )
    assert statements_run(lambda: verify_acknowledgement(reference, forged(code))) == statements_run(
        lambda: verify_acknowledgement(unknown, code)
    )

    db.session.execute(update(Report).where(Report.reference == reference).values(erased_at=utcnow()))
    db.session.commit()
    erased = verify(client, "fr", reference, code)
    assert erased[0] == 404
    assert answer_shape(erased[1], reference, code) == answer_shape(wrong_code[1], reference, forged(code))


def test_failed_checks_and_downloads_count_towards_the_tracking_limit(tmp_path: Path) -> None:
    """Guessing codes is limited with the tracking lookups; checking a genuine paper never is."""
    for app in limited_app(tmp_path / "var"):  # TRACKING_RATE_LIMIT = 3 per minute
        client = app.test_client()
        reference, receipt, _ = file_with_png(client, "fr", png_bytes())
        with app.app_context():
            facts = facts_by_reference(reference)
            assert facts is not None
            code = verification_code(facts, acknowledgement_key(keyring()))
        for _ in range(5):
            assert verify(client, "fr", reference, code)[0] == 200
        assert verify(client, "fr", reference, forged(code))[0] == 404
        assert verify(client, "fr", "BLG-2222-2222", code)[0] == 404
        token = csrf_token(client, "/fr/verify")  # taken now: over the limit, the pages wait too
        wrong = receipt[:-1] + ("2" if receipt[-1] != "2" else "3")
        refused = client.post(
            "/fr/track/acknowledgement",
            data={"csrf_token": token, "reference": reference, "receipt": wrong},
        )
        assert refused.status_code == 404
        over = client.post("/fr/verify", data={"csrf_token": token, "reference": reference, "code": code})
        assert over.status_code == 429  # the budget of failures is spent: even a genuine paper waits now


def test_many_files_run_onto_a_second_page_without_overlap(
    client: FlaskClient, app: Flask, tmp_path: Path
) -> None:
    """A citizen who answered with more files: every file and the code are printed once, no text
    is drawn over other text, over the footer or off the page, and each page has its footer."""
    reference, _, _ = file_with_png(client, "fr", png_bytes())
    facts = facts_by_reference(reference)
    assert facts is not None
    hashes = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(20)]
    many = replace(
        facts, evidence=tuple(EvidenceFacts("image/png", 1000 + n, h) for n, h in enumerate(hashes))
    )
    with app.test_request_context("/fr/"), force_locale("fr"):
        pdf = render_acknowledgement(
            many,
            code="ABCD-EFGH-JKMN-PQRS",
            institution="Direction générale de la Sûreté nationale",
            addresses=Addresses("https://blagh.example.ma/fr/track", "https://blagh.example.ma/fr/verify"),
            issued_at=datetime(2026, 6, 10, 23, 30, tzinfo=UTC),
        )
    pages = pdf_words(pdf, tmp_path)
    assert len(pages) == 2
    text = pdf_text(pdf, tmp_path)
    assert all(h in text for h in hashes) and text.count("ABCD-EFGH-JKMN-PQRS") == 1
    footer_top = 841.89 - 24 / 25.4 * 72  # 24 mm from the bottom of an A4 page, in points
    for page in pages:
        footer = [w.text for w in page.words if w.top > footer_top]
        body = [w for w in page.words if w.top <= footer_top]
        assert " ".join(footer).startswith("Délivré le 11 juin 2026, 00:30"), footer  # Morocco: UTC+1 in June
        assert all(w.bottom < footer_top for w in body)
        assert all(w.left >= 0 and w.right <= page.width for w in page.words)
        overlapping = [(a.text, b.text) for i, a in enumerate(body) for b in body[i + 1 :] if a.overlaps(b)]
        assert not overlapping
