"""The privacy notice law 09-08 asks for, in every citizen language: the controller and how to reach
them, the CNDP reference, purposes, recipients, retention per status (from the settings), the rights
and how to use them, and the CNDP as the authority to complain to."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import TEST_CONTROLLER

# Written by hand, per language: the words each element must use.
EXPECTED = {
    "ar": {
        "law": "القانون رقم 09-08",
        "controller": "المسؤول عن المعالجة",
        "rights": ["حق الولوج", "حق تصحيحها", "حق التعرض"],
        "recipients": "النيابة العامة",
        "days": [
            "بلاغ أُغلق بعد معالجته: 400 يوم.",  # a round hundred counts its noun in the singular
            "بلاغ لم يُقبل: 91 يومًا.",
            "الجهة المختصة: 1.830 يومًا.",
        ],
        "authority": "اللجنة الوطنية لمراقبة حماية المعطيات ذات الطابع الشخصي",
        "purposes": ["لدراسة بلاغك", "لربط البلاغات"],
        "required": [
            "البيانات الإلزامية: الفئة والتاريخ والوصف وتأكيدك.",
            "لا يمكننا التواصل معك",
            "البيانات الاختيارية: الجهة",
        ],
        "how": ["صفحة التتبع", "رمز التتبع السري"],
    },
    "fr": {
        "law": "loi n° 09-08",
        "controller": "Responsable du traitement",
        "rights": ["droit d’accès", "droit de rectification", "droit d’opposition"],
        "recipients": "le parquet ou la police judiciaire",
        "days": [
            "après son traitement : 400 jours",
            "non retenu : 91 jours",
            "autorité compétente : 1 830 jours",
        ],
        "authority": "Commission nationale de contrôle de la protection des données à caractère personnel",
        "purposes": ["examiner votre signalement", "relier les signalements"],
        "required": [
            "Obligatoires : la catégorie, la date, la description et votre confirmation.",
            "nous ne pouvons pas vous contacter",
            "Facultatifs : la région",
        ],
        "how": ["la page de suivi", "N’envoyez jamais votre code de suivi confidentiel"],
    },
    "en": {
        "law": "law 09-08",
        "controller": "Controller",
        "rights": ["right of access", "rectified", "object to their processing"],
        "recipients": "the public prosecutor or the judicial police",
        "days": ["dealt with: 400 days", "followed up: 91 days", "competent authority: 1,830 days"],
        "authority": "national commission for the protection of personal data",
        "purposes": ["To examine your report", "To link reports"],
        "required": [
            "Required: the category, the date, a description and your confirmation.",
            "we cannot contact you",
            "Optional: the region",
        ],
        "how": ["the tracking page", "Never send your secret code"],
    },
}


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_the_notice_names_everything_law_09_08_asks(app: Flask, lang: str) -> None:
    app.config.update(
        TEST_CONTROLLER, RETAIN_RESOLVED_DAYS=400, RETAIN_REJECTED_DAYS=91, RETAIN_REFERRED_DAYS=1830
    )
    page = app.test_client().get(f"/{lang}/privacy")
    text = page.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert page.status_code == 200
    for value in TEST_CONTROLLER.values():
        assert value in text, value
    expected = EXPECTED[lang]
    for needle in [expected["law"], expected["controller"], expected["recipients"], expected["authority"]]:
        assert needle in text, needle
    for needle in expected["rights"] + expected["days"] + expected["purposes"]:
        assert needle in text, needle
    # law 09-08, art. 5: what is required, what is not, and what follows from leaving it out
    for needle in expected["required"] + expected["how"]:
        assert needle in text, needle
    assert 'href="https://www.cndp.ma"' in text
    if lang == "ar":
        assert '<html lang="ar" dir="rtl">' in text


def test_the_demonstration_says_what_is_not_set(app: Flask) -> None:
    app.config.update(dict.fromkeys(TEST_CONTROLLER))
    text = app.test_client().get("/fr/privacy").get_data(as_text=True)
    assert text.count("non renseigné dans cette démonstration") == 4


@pytest.mark.parametrize(
    ("days", "arabic", "french"),
    [
        (1, "بلاغ أُغلق بعد معالجته: يوم واحد.", "traitement : 1 jour."),
        (2, "بلاغ أُغلق بعد معالجته: يومان.", "traitement : 2 jours."),
        (7, "بلاغ أُغلق بعد معالجته: 7 أيام.", "traitement : 7 jours."),
        (30, "بلاغ أُغلق بعد معالجته: 30 يومًا.", "traitement : 30 jours."),
        (365, "بلاغ أُغلق بعد معالجته: 365 يومًا.", "traitement : 365 jours."),
        (200, "بلاغ أُغلق بعد معالجته: 200 يوم.", "traitement : 200 jours."),
    ],
)
def test_the_number_of_days_agrees_with_its_noun(app: Flask, days: int, arabic: str, french: str) -> None:
    """Arabic has six plural forms (one day, two days, 3-10 days, 11-99 days, hundreds…)."""
    app.config.update(RETAIN_RESOLVED_DAYS=days)
    client = app.test_client()
    assert arabic in client.get("/ar/privacy").get_data(as_text=True)
    assert french in client.get("/fr/privacy").get_data(as_text=True).replace("\u202f", " ").replace(
        "\xa0", " "
    )
