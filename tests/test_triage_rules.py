"""Each triage rule, one by one, on real-looking reports in Arabic, Darija and French."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.reports.models import Priority
from intake.triage.lexicon import find_mentions, normalise
from intake.triage.rules import RULES, RULES_BY_NAME, ReportFacts, decide

TODAY = date(2026, 11, 29)


def facts(description: str, **overrides: object) -> ReportFacts:
    values: dict[str, object] = {
        "category": "online_shopping_fraud",
        "description": description,
        "incident_date": TODAY - timedelta(days=20),
        "filed_on": TODAY,
    }
    values.update(overrides)
    return ReportFacts(**values)  # type: ignore[arg-type]


def fires(rule: str, report: ReportFacts) -> bool:
    return RULES_BY_NAME[rule].when.matches(report)


SHOPPING_FR = "J'ai commandé une console sur Marketplace, le vendeur a encaissé l'argent et ne répond plus."
SHOPPING_AR = "اشتريت هاتفا من صفحة على إنستغرام ودفعت المبلغ، لكن الطلب لم يصل والبائع لا يجيب."


@pytest.mark.parametrize(
    "category",
    ["sextortion", "intimate_image_abuse", "child_sexual_exploitation", "threats_violence", "terrorism"],
)
def test_urgent_categories_are_urgent(category: str) -> None:
    decision = decide(facts(SHOPPING_FR, category=category))
    assert decision.priority is Priority.URGENT and "urgent_category" in decision.reasons


@pytest.mark.parametrize(
    "description",
    [
        # Modern Standard Arabic
        "أرسل لي رسالة يقول فيها: سأقتلك إذا لم تدفع المبلغ قبل يوم الجمعة.",
        # Darija in Arabic script
        "قال ليا فالواتساب غادي نقتلك إلا ما صيفطتيش ليا الفلوس، وعندو العنوان ديالي.",
        # Darija in Latin script with digits, mixed with French
        "Il m'a écrit sur Messenger: ghadi n9tlek ila ma khlestinich, w 3ando l'adresse dyali.",
        "had sse7a kaybqa ysift lia: GHADI N9TLLLEK",
        # French
        "Depuis une semaine je reçois des menaces de mort par SMS d'un numéro inconnu.",
        # Announced self-harm, Darija and French
        "ma bqit 9ader, bghit nmout, les photos tsaraw f ga3 l groupes",
        "Si ces photos sortent je vais me suicider, je n'en peux plus.",
        "إذا نشر الصور سأنتحر، لم أعد أحتمل.",
        # Darija's future prefix, stuck to the verb, in both scripts
        "كيصيفط ليا ميساجات: غانقتلك، وعارف فين كنسكن.",
        "ki9ol lia ghan9tlek ila ma rje3tich lflous",
        "8adi n9tlek, 3reft fin katskun",
        "ما بقيتش قادرة، بغيت ننتحر من بعد ما نشر التصاور",
        "Il m'a dit j'vais te tuer si tu portes plainte.",
        "Je suis suicidaire depuis qu'il a publié les photos.",
        # English
        "He keeps texting me that he is going to kill my brother.",
        "I feel suicidal since the pictures went online.",
    ],
)
def test_threat_and_self_harm_words_make_any_category_urgent(description: str) -> None:
    decision = decide(facts(description, category="harassment_stalking"))
    assert decision.priority is Priority.URGENT
    assert "threat_or_self_harm_words" in decision.reasons


@pytest.mark.parametrize(
    "description",
    [
        SHOPPING_FR,
        SHOPPING_AR,
        "chrit telephone mn wa7d l page, khlsst 2500 dh w ma wsalni walo",
        "Il a tué le temps en me faisant patienter, puis a bloqué mon numéro.",  # "tué", not a threat
        "The seller's skills in lying are impressive; he killed the conversation.",
    ],
)
def test_ordinary_reports_are_not_read_as_threats(description: str) -> None:
    report = facts(description)
    assert not fires("threat_or_self_harm_words", report)


def test_ransomware_is_urgent_only_while_the_attack_goes_on() -> None:
    ongoing_fr = "Le rançongiciel chiffre encore nos serveurs, l'attaque est toujours en cours."
    ongoing_ar = "برنامج الفدية مازال يشفر ملفات الشركة، والهجوم جار حتى الآن."
    over = "Nos fichiers ont été chiffrés le mois dernier; nous avons restauré les sauvegardes."
    for text in (ongoing_fr, ongoing_ar):
        assert decide(facts(text, category="ransomware_malware")).priority is Priority.URGENT
    assert decide(facts(over, category="ransomware_malware")).priority is Priority.NORMAL
    assert not fires("ongoing_attack", facts(ongoing_fr, category="online_shopping_fraud"))


def test_money_lost_in_the_last_three_days_is_high() -> None:
    yesterday = facts(
        SHOPPING_AR, incident_date=TODAY - timedelta(days=1), loss_amount=Decimal("2500"), loss_currency="MAD"
    )
    assert decide(yesterday).reasons == ("recent_money_loss",) and decide(yesterday).priority is Priority.HIGH
    last_month = facts(SHOPPING_AR, loss_amount=Decimal("2500"), loss_currency="MAD")
    assert not fires("recent_money_loss", last_month)
    nothing_lost = facts(SHOPPING_AR, incident_date=TODAY - timedelta(days=1))
    assert not fires("recent_money_loss", nothing_lost)


@pytest.mark.parametrize(
    ("amount", "currency", "large"),
    [
        ("50000", "MAD", True),
        ("49999.99", "MAD", False),
        ("5000", "EUR", True),
        ("900", "EUR", False),
        ("1000000", "XOF", False),
    ],
)
def test_large_losses_are_high(amount: str, currency: str, large: bool) -> None:
    report = facts(SHOPPING_FR, loss_amount=Decimal(amount), loss_currency=currency)
    assert fires("large_loss", report) is large


def test_an_identifier_seen_in_other_reports_is_high() -> None:
    assert decide(facts(SHOPPING_FR, seen_in_other_reports=1)).priority is Priority.HIGH
    assert not fires("identifier_seen_before", facts(SHOPPING_FR))


def test_a_campaign_is_high() -> None:
    decision = decide(facts(SHOPPING_AR, seen_in_other_reports=7, in_campaign=True))
    assert decision.priority is Priority.HIGH and {"campaign", "identifier_seen_before"} <= set(
        decision.reasons
    )


def test_an_old_incident_without_loss_is_low_unless_something_else_fires() -> None:
    old = facts(SHOPPING_FR, incident_date=TODAY - timedelta(days=500))
    assert decide(old).priority is Priority.LOW and decide(old).reasons == ("old_incident_without_loss",)
    old_threat = facts(
        "Il y a deux ans, il m'a envoyé des menaces de mort.", incident_date=TODAY - timedelta(days=700)
    )
    decision = decide(old_threat)
    assert decision.priority is Priority.URGENT
    assert decision.reasons == ("threat_or_self_harm_words", "old_incident_without_loss")


def test_nothing_special_is_normal_with_no_reason() -> None:
    assert decide(facts(SHOPPING_FR)) == decide(facts(SHOPPING_AR))
    assert decide(facts(SHOPPING_FR)).priority is Priority.NORMAL and decide(facts(SHOPPING_FR)).reasons == ()


def test_every_rule_has_a_unique_name_and_a_label() -> None:
    assert len(RULES_BY_NAME) == len(RULES)
    assert all(str(rule.label) for rule in RULES)


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("N9TLLLEK", "nqtlek"),
        ("sa7bi", "sahbi"),
        ("3ando", "ando"),  # 3 = ع, and doubled letters count once
        ("سَأَقْتُلُكَ", "ساقتلك"),
        ("إنتحار", "انتحار"),
        ("Menacé", "menace"),
    ],
)
def test_normalisation_gives_one_spelling(written: str, plain: str) -> None:
    assert normalise(written) == plain


@given(st.text(max_size=200))
def test_normalise_and_find_never_fail(text: str) -> None:
    assert isinstance(find_mentions(text, "threats_and_self_harm"), list)
    assert normalise(normalise(text)) == normalise(text)
