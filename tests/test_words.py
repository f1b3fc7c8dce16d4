"""The right words for Morocco (issue 12): one role word for investigators, a tracking code that is
not a PIN, neutral refusals, the Penal Code's terms, official region names, French typography, the
institution named everywhere, the emergency numbers, and officers reading everything in their
language and in Morocco's time."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select, update

from intake.extensions import db
from intake.officer.labels import rejection_text
from intake.reports.models import EvidenceFile
from intake.taxonomy import CATEGORIES, REGIONS
from tests.conftest import FileAndTriage, SignIn, build_app, run_due_jobs
from tests.factories import form_data, png_bytes

CATALOGUES = Path(__file__).resolve().parent.parent / "intake" / "translations"


def _strings(lang: str) -> list[str]:
    with open(CATALOGUES / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle, locale=lang)
    found = []
    for message in catalogue:
        if message.id:
            found.extend(message.string if isinstance(message.string, tuple) else [message.string])
    return found


@pytest.mark.parametrize(
    ("lang", "wrong"),
    [
        ("ar", r"ضابط|ضباط"),  # a rank; the role is المحقق
        ("ar", r"الرمز السري|رمزك السري"),  # a bank card's PIN
        ("ar", r"دون متابعة"),  # the prosecutor's decision, not ours
        ("ar", r"(?<!\w)(?:ال)?معرّ?فات?(?!\w)"),  # jargon for what people hold
        ("ar", r"احتيال"),  # the Penal Code says النصب
        ("fr", r"\bagents?\b"),  # a rank; the role is l'enquêteur
        ("fr", r"code secret"),
        ("fr", r"classé sans suite"),
        ("fr", r"\bidentifiants?\b"),
    ],
)
def test_no_catalogue_uses_a_word_the_review_ruled_out(lang: str, wrong: str) -> None:
    found = [text for text in _strings(lang) if re.search(wrong, text, re.IGNORECASE)]
    assert not found, found


def test_french_puts_a_no_break_space_before_two_part_punctuation() -> None:
    bad = []
    for text in _strings("fr"):
        plain = re.sub(r"%\(\w+\)s|https?://\S+|\d{1,2}:\d{2}", "", text)
        # a letter, a closing quote or bracket, then an ordinary space or nothing before : ; ? !
        if re.search(r"(?<=[\w»)]) ?[:;?!]|«(?![\u202f\u00a0])|(?<![\u202f\u00a0])»", plain):
            bad.append(text)
    assert not bad, bad[:10]


def test_categories_and_regions_use_the_official_arabic_words(app: Flask) -> None:
    with app.test_request_context(), force_locale("ar"):
        regions = {region.code: str(region.label) for region in REGIONS}
        categories = {category.code: str(category.label) for category in CATEGORIES}
    assert regions["casablanca_settat"] == "الدار البيضاء - سطات"
    assert regions["tanger_tetouan_al_hoceima"] == "طنجة - تطوان - الحسيمة"
    assert (
        "النصب" in categories["online_shopping_fraud"] and "انتحال الهوية" in categories["account_takeover"]
    )


def test_the_queue_filters_agree_in_french(signed_in: SignIn) -> None:
    page = signed_in("supervisor").get("/officer/").get_data(as_text=True)
    assert re.search(r'id="priority">\s*<option value="">Toutes</option>', page)


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_the_institution_is_named_on_every_page_and_the_default_is_neutral(
    client: FlaskClient, lang: str
) -> None:
    names = {
        "ar": "الخدمة الوطنية للتبليغ عن الجرائم الإلكترونية",
        "fr": "Service national de signalement de la cybercriminalité",
        "en": "National service for reporting cybercrime",
        "zgh": "ⵜⴰⵏⴰⴼⵓⵜ ⵜⴰⵏⴰⵎⵓⵔⵜ (الخدمة الوطنية) ⵏ ⵓⵎⵎⵓⵍ ⵅⴼ ⵜⵔⵓⵥⵉ ⵜⴰⵍⵉⴽⵜⵕⵓⵏⵉⵜ (الجرائم الإلكترونية)",
    }
    for path in ("/", "/report", "/track", "/privacy", "/nowhere"):
        assert names[lang] in client.get(f"/{lang}{path}").get_data(as_text=True), path


def test_a_configured_institution_is_named_in_each_language(tmp_path: Path) -> None:
    app = build_app(tmp_path / "var", INSTITUTION_NAMES={"ar": "المديرية العامة للأمن الوطني", "*": "DGSN"})
    client = app.test_client()
    assert "المديرية العامة للأمن الوطني" in client.get("/ar/").get_data(as_text=True)
    assert "DGSN" in client.get("/fr/").get_data(as_text=True)
    assert "DGSN" in client.get("/login").get_data(as_text=True) or "المديرية" in client.get(
        "/login"
    ).get_data(as_text=True)


def test_the_emergency_block_gives_112_and_the_hint_names_every_language(client: FlaskClient) -> None:
    page = client.get("/fr/report?category=sextortion").get_data(as_text=True)
    assert ('href="tel:112"' in page and "tamazight" in page.lower()) or "amazighe" in page
    assert "anglais" in page and "dirham marocain (MAD)" in page
    assert "112" in client.get("/ar/").get_data(as_text=True)


def test_the_tracking_code_is_never_asked_for_by_the_police(client: FlaskClient) -> None:
    assert "Aucun policier ne vous demandera jamais ce code" in client.get("/fr/track").get_data(as_text=True)
    assert "لن يطلب منك أي شرطي هذا الرمز" in client.get("/ar/track").get_data(as_text=True)


def test_officers_read_evidence_dates_and_sizes_in_their_language(
    app: Flask, signed_in: SignIn, filed_and_triaged: FileAndTriage
) -> None:
    data = {**form_data(incident_date="2026-03-14"), "evidence": (io.BytesIO(png_bytes()), "capture.png")}
    filed = app.test_client().post("/api/v1/reports", data=data, content_type="multipart/form-data")
    assert filed.status_code == 201, filed.json
    run_due_jobs("triage", "evidence")
    db.session.execute(
        update(EvidenceFile).values(
            check_status="rejected", rejection_reason="the file changed since it was received"
        )
    )
    db.session.commit()
    desk = signed_in("supervisor")
    page = desk.get(f"/officer/reports/{filed.json['reference']}").get_data(as_text=True)
    assert "14 mars 2026" in page and "2026-03-14<" not in page
    assert "Image PNG" in page and "image/png" not in page
    assert "Le fichier a été modifié après sa réception." in page
    assert re.search(r"\(\d+[\u00a0\u202f ]?o\)", page)  # bytes in French: "67 o"
    assert " UTC" not in page
    with app.test_request_context(), force_locale("ar"):
        assert rejection_text("the content is not an accepted type") == "المحتوى ليس من نوع مقبول."
    assert (
        db.session.scalar(select(EvidenceFile.rejection_reason)) == "the file changed since it was received"
    )


def test_every_message_to_a_citizen_names_the_institution(app: Flask) -> None:
    from intake.notifications.messages import compose

    with app.test_request_context():
        notice = compose("BLG-7KQ4-M9XD", "fr", "https://blagh.example.ma")
    name = "Service national de signalement de la cybercriminalité"
    assert notice.short.startswith(name) and name in notice.text and name in notice.html
