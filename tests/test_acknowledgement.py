"""The acknowledgement of filing: a PDF a bank can be handed as it is (no secret code, no account of
the facts, no contact details; ASVS 8.3.4, sensitive data sent only where needed), whose verification
code is an HMAC under a server key that /verify checks without showing the report (ASVS 6.2.1)."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from pathlib import Path

import pytest
import segno
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import select, update

from intake.acknowledgements.codes import acknowledgement_key, clean_code, listed_files, verification_code
from intake.acknowledgements.facts import EvidenceFacts, facts_by_reference
from intake.acknowledgements.services import verify_acknowledgement
from intake.extensions import db
from intake.privacy.sealing import keyring
from intake.reports.models import Report
from intake.taxonomy import CATEGORY_BY_CODE
from intake.types import utcnow
from tests.conftest import RECEIPT_PATTERN, csrf_token
from tests.documents import CODE_PATTERN, pdf_text, poppler
from tests.factories import DESCRIPTION_FR, form_data, png_bytes

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
    response = client.post(
        f"/{lang}/track/acknowledgement",
        data={"csrf_token": csrf_token(client, f"/{lang}/track"), "reference": reference, "receipt": receipt},
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
    reference, receipt, confirmation = file_with_png(client, "ar", png)
    assert 'action="/ar/track/acknowledgement"' in confirmation  # offered on the confirmation page

    text = pdf_text(download(client, "ar", reference, receipt), tmp_path)
    with force_locale("ar"):
        category = str(CATEGORY_BY_CODE["online_shopping_fraud"].label)
    assert VOWEL_MARKS.sub("", TITLES["ar"]) in text  # Arabic words, shaped and in logical order
    assert category in text and "الدار البيضاء" in text
    assert reference in text and hashlib.sha256(png).hexdigest() in text
    for secret in (
        receipt,
        receipt.replace("-", ""),
        DESCRIPTION_FR[:30],
        "Salma",
        "salma@example.ma",
        "0661234567",
    ):
        assert secret not in text, secret

    code = CODE_PATTERN.search(text)
    assert code, text
    status, page = verify(client, "ar", reference, code.group(0))
    assert status == 200 and 'id="verified"' in page and category in page
    assert status == 200 and "<dd>1</dd>" in page  # one file listed
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
    db.session.execute(update(Report).where(Report.reference == reference).values(erased_at=utcnow()))
    db.session.commit()
    assert verify_acknowledgement(reference, printed) is None
    assert db.session.scalar(select(Report.erased_at).where(Report.reference == reference)) is not None
