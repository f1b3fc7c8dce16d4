"""Threats and distress as victims tell them: a table of sentences written the way reports are
written (typos, no vowels, mixed scripts, reported speech), labelled by hand. The lexicon must find
the threats and the announced self-harm (recall) without reading figures of speech, films or
prevention campaigns as threats (precision); both are measured on the table and printed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from intake.reports.models import Priority
from intake.triage.lexicon import find_mentions
from intake.triage.rules import decide
from tests.test_triage_rules import TODAY, facts

# (sentence, True when it tells a threat to someone's life or body, or announced self-harm)
SENTENCES: tuple[tuple[str, bool], ...] = (
    # --- Modern Standard Arabic: threats, direct and reported
    ("أرسل لي رسالة يقول فيها: سأقتلك إذا لم تدفع", True),
    ("هددني بالقتل إن لم أرسل له المال", True),
    ("تلقيت تهديدات بالقتل عبر فيسبوك من حساب مجهول", True),
    ("قال إنه سيقتلني إذا أبلغت الشرطة", True),
    ("كتب لي أنه سوف يذبحني ويذبح أطفالي", True),
    ("يهددني بالتصفية الجسدية منذ أسبوع", True),
    ("توصلت بتهديد بالقتل من رقم أجنبي", True),
    ("قال لأختي سنقتلكم جميعا", True),
    ("أخبرني أنه سيحرقني إن لم أسكت", True),
    ("المبتز هدد زوجتي بالذبح", True),
    ("يقول إنه سيطعنني عند خروجي من العمل", True),
    ("وصلتني رسائل تهديد بالموت كل ليلة", True),
    # --- Darija, Arabic script: threats
    ("قال ليا فالواتساب غادي نقتلك إلا ما صيفطتيش الفلوس", True),
    ("كيصيفط ليا ميساجات: غانقتلك، وعارف فين كنسكن", True),
    ("قال ليا غادي يقتلني ويقتل مي", True),
    ("كيهددني بالقتل الا مامشيتش معاه", True),
    ("كتب ليا باش يذبحني قدام الدار", True),
    ("قاليا نشرملك وجهك الا بلغتي عليا", True),
    ("غادي نقتل ليك خوك، هكا كتب ليا", True),
    ("قاليا نضربك بالموس فالزنقة", True),
    ("كيقول ليا غنحرقكم انتوما كاملين", True),
    ("هددني بالموت فالتيليفون", True),
    ("راه كيهدد بنتي بالقتل فالانستا", True),
    ("قال ليها غادي نذبحك", True),
    ("كيقولي غانطعنك الا شفتك", True),
    ("بغا يقتلني حيت رفضت نعطيه الصور", True),
    # --- Darija, Latin script with digits, often mixed with French
    ("Il m'a écrit sur Messenger: ghadi n9tlek ila ma khlestinich", True),
    ("had sse7a kaybqa ysift lia: GHADI N9TLLLEK", True),
    ("ki9ol lia ghan9tlek ila ma rje3tich lflous", True),
    ("8adi n9tlek, 3reft fin katskun", True),
    ("gal lia ghadi y9telni ila mchit l police", True),
    ("kaysift lia msgs ndb7ek ana w sa7bi", True),
    ("9al lia bach ydb7ni f zen9a", True),
    ("ghadi nsherml lik wjhek, hakka kteb lia", True),
    ("ktb lia n9tlkom kamlin", True),
    ("rah kayhddni b l9atl f whatsapp", True),
    ("gal lia ndrbk bl mous ila chftk", True),
    ("ghan7r9ek nta w darek", True),
    ("kay9ol liya ghay9tlni ila bl8t", True),
    ("bgha y9tlni 7it ma bghitch nseft lih tsawr", True),
    # --- French: direct, reported, with typos
    ("Depuis une semaine je reçois des menaces de mort par SMS", True),
    ("Il m'a dit j'vais te tuer si tu portes plainte", True),
    ("il m a ecrit quil allait me tuer", True),
    ("Il menace de tuer ma fille si je ne paie pas", True),
    ("il a dit qu'il va la buter", True),
    ("J'ai reçu un message : on va t'égorger", True),
    ("il menace de me tuer depuis que j'ai refusé", True),
    ("Il a écrit qu'il allait tuer mon mari", True),
    ("ils ont menacé de mort mon frère sur Instagram", True),
    ("il dit qu'il va me poignarder devant chez moi", True),
    ("menace de mort reçue hier soir par messenger", True),
    ("Il veut me crever, il l'a écrit noir sur blanc", True),
    # --- English
    ("He keeps texting me that he is going to kill my brother", True),
    ("the guy said he would kill me if i told anyone", True),
    ("I got death threats on telegram", True),
    ("he threatened to kill my wife", True),
    ("they said they will stab you when you go out", True),
    ("he messaged: i will kill u", True),
    # --- Self-harm, Modern Standard Arabic
    ("إذا نشر الصور سأنتحر، لم أعد أحتمل", True),
    ("أريد أن أموت بعد ما حدث", True),
    ("أفكر أن أنهي حياتي", True),
    ("سأقتل نفسي إن رأى أهلي الصور", True),
    ("لم أعد أحتمل، أريد أن أؤذي نفسي", True),
    # --- Self-harm, Darija, Arabic script
    ("ما بقيتش قادرة، بغيت ننتحر من بعد ما نشر التصاور", True),
    ("غادي نقتل راسي الا تنشرو الصور", True),
    ("بغيت نموت، الصور وصلو للعائلة", True),
    ("خاصني نموت، ماعندي مانقول لواليديا", True),
    ("غادي ندير شي حاجة فراسي", True),
    ("صافي غادي ننتحر", True),
    # --- Self-harm, Darija, Latin script
    ("ma bqit 9ader, bghit nmout, les photos tsaraw f ga3 l groupes", True),
    ("ghadi ntn7er ila chafo waldiya tsawr", True),
    ("safi ghadi nt7er", True),
    ("bghit n9tl rassi", True),
    ("ghadi ndir chi 7aja f rasi", True),
    ("baghi nmout wllah", True),
    # --- Self-harm, French and English
    ("Si ces photos sortent je vais me suicider, je n'en peux plus", True),
    ("Je suis suicidaire depuis qu'il a publié les photos", True),
    ("j'ai envie de mourir", True),
    ("je pense à mettre fin à mes jours", True),
    ("je veux en finir", True),
    ("je n'ai plus envie de vivre depuis cette histoire", True),
    ("I feel suicidal since the pictures went online", True),
    ("i want to die, everyone saw the video", True),
    ("I am thinking about ending it, I might kill myself", True),
    ("if he posts it i will end my life", True),
    # ================= Not threats: ordinary reports, figures of speech, films, prevention
    ("J'ai commandé un téléphone sur Facebook, payé 2500 DH, jamais livré", False),
    ("طلبت هاتفا من صفحة على فيسبوك ودفعت 2500 درهم ولم يصل", False),
    ("chrit telephone mn wa7d l page, khlsst 2500 dh w ma wsalni walo", False),
    ("Il a tué le temps en me faisant patienter, puis a bloqué mon numéro", False),
    ("The seller's skills in lying are impressive; he killed the conversation", False),
    ("Des prix qui tuent ! disait la publicité, j'ai payé et rien reçu", False),
    ("L'annonce promettait des prix à tuer sur les iPhone", False),
    ("It was a killer deal on Instagram, I paid and never got the shoes", False),
    ("the ad said killer prices, obviously a scam", False),
    ("J'étais morte de rire au début, puis il a vidé mon compte", False),
    ("Ce site d'arnaque est mort, il ne répond plus", False),
    ("وقع لي هاد الشي وانا ميت بالضحك فالأول، من بعد سرق ليا الحساب", False),
    ("الثمن كان قاتل، رخيص بزاف، وهكا طحت فالنصب", False),
    ("قتلني بالضحك فالأول وبعدها طلب مني الفلوس", False),
    ("شفت فيلم فيه القتل والدم، ومن بعد دخلت لرابط غريب وتسرقت", False),
    ("الفيلم كان فيه مشهد قتل، وعند التحميل دخل فيروس", False),
    ("une campagne de prévention du suicide circulait, j'ai cliqué sur le lien piégé", False),
    ("Journée mondiale de prévention du suicide : le faux site demandait un don", False),
    ("حملة توعية ضد الانتحار، والرابط كان مزور وسرق معطياتي", False),
    ("awareness post about suicide prevention was a phishing link", False),
    ("I was dying to get that phone, paid 300 dollars and got nothing", False),
    ("je meurs d'envie de récupérer mon argent", False),
    ("the game is called Kill Bill quiz, it stole my password", False),
    ("il jouait à un jeu de tir où on tue des zombies et m'a envoyé un lien", False),
    ("ma batterie est morte et je n'ai pas pu répondre à temps", False),
    ("Mon compte est mort, Instagram l'a suspendu après le piratage", False),
    ("t9tlni b d7k f lwl, men b3d tlb mni lflous", False),
    ("had l prix kay9tel, rkhis bzaf, w tnsebt", False),
    ("3ndi wa7d l film fih l9tl, download dyalo jab virus", False),
    ("Il m'a dit que le vendeur est mort et que je dois payer les frais de succession", False),
    ("رسالة تقول إن قريبي توفي وعلي دفع رسوم الإرث", False),
    ("il m'a demandé de tuer l'application et de la relancer", False),
    ("Kill the app and restart, said the fake support agent", False),
    ("he said the deadline is dead serious, pay today", False),
    ("my phone died and I could not block him in time", False),
    ("he told me to shoot him an email with my password", False),
    ("c'est un arnaqueur qui se dit tueur à gages sur TikTok, mais il m'a juste volé 200 DH", False),
    ("il y a un jeu vidéo de meurtre dans la pub, puis il a pris mon code", False),
    ("غادي نقتل الوقت حتى يجي الرد ديال البنك", False),
    ("ghadi n9tl lwa9t 7ta yjawbni lbank", False),
    ("قتلت الوقت وأنا أنتظر الطلبية، ولم تصل أبدا", False),
    ("انتحال الهوية: فتح حساب باسمي", False),
    ("انتحل صفة موظف بنك وطلب رمز البطاقة", False),
    ("نتحل الصفة ديال شركة اتصالات وطلب مني الكود", False),
    ("ntaher 3la had l mouchkil, bghit ghi nrje3 flousi", False),
    ("هددني بنشر الصور ديالي اذا ما صيفطتش الفلوس", False),
    ("menace de publier mes photos si je ne paie pas 5000 DH", False),
    ("He threatened to leak my photos unless I pay", False),
    ("kayhddni bach ynchr tsawr dyali", False),
    ("il menace de pirater mon compte bancaire", False),
    ("L'escroc m'a menacé de porter plainte contre moi", False),
    ("هددني برفع دعوى قضائية إن لم أدفع", False),
    ("le faux policier menaçait de m'arrêter", False),
    ("he said he would kill my account if I did not pay", False),
    ("il disait qu'il allait tuer mon compte Facebook", False),
    ("sextortion: il veut 3000 euros sinon il envoie la vidéo à ma famille", False),
    ("بغيت نرجع الفلوس ديالي، كنموت عليهم", False),
    ("bghit nrje3 flousi, safi", False),
    ("je veux mourir de rire quand je vois ses fautes d'orthographe", False),
    ("ce vendeur est un tueur de prix, disait la page", False),
    ("on m'a vendu un jeu 'Assassin's Creed' qui n'existait pas", False),
    ("l'attaque au rançongiciel a tué notre serveur de fichiers", False),
    ("the ransomware killed our backups", False),
    ("الفيروس قتل البطارية ديال التيليفون", False),
    ("il a supprimé mon compte et tout mon travail est mort", False),
    ("je n'ai rien reçu, le numéro ne répond plus", False),
    ("لم أتوصل بالطلبية والرقم لا يجيب", False),
    ("ma wslni walo w nmra ma kat3ytch", False),
    ("i paid for a car online, it never came", False),
    ("il a piraté mon compte Instagram et demande une rançon", False),
    ("قرصن حسابي على إنستغرام وطلب فدية", False),
    ("t7akmo f compte dyali w tlbo mni lflous", False),
    ("le site de l'assurance était faux, j'ai donné ma carte", False),
    ("j'ai reçu un SMS de faux colis avec un lien", False),
    ("وصلتني رسالة نصية فيها رابط لتتبع طرد مزور", False),
    ("9alo lia rba7ti f concours, khass nkhless frais", False),
)


def test_the_table_is_large_and_balanced() -> None:
    positives = sum(1 for _, threat in SENTENCES if threat)
    assert len(SENTENCES) >= 150 and 60 <= positives <= len(SENTENCES) - 60
    assert len({sentence for sentence, _ in SENTENCES}) == len(SENTENCES)


def test_precision_and_recall_on_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    found = {sentence: bool(find_mentions(sentence, "threats_and_self_harm")) for sentence, _ in SENTENCES}
    true_positives = sum(1 for sentence, threat in SENTENCES if threat and found[sentence])
    false_positives = [sentence for sentence, threat in SENTENCES if not threat and found[sentence]]
    missed = [sentence for sentence, threat in SENTENCES if threat and not found[sentence]]
    precision = true_positives / (true_positives + len(false_positives))
    recall = true_positives / (true_positives + len(missed))
    with capsys.disabled():
        print(
            f"\nthreat lexicon on {len(SENTENCES)} sentences: precision {precision:.3f}, recall {recall:.3f}"
        )
    assert precision >= 0.95, false_positives
    assert recall >= 0.95, missed


@pytest.mark.parametrize(
    "sentence",
    [
        "Des prix qui tuent ! disait la publicité, j'ai payé et rien reçu",
        "It was a killer deal on Instagram, I paid and never got the shoes",
        "une campagne de prévention du suicide circulait, j'ai cliqué sur le lien piégé",
        "حملة توعية ضد الانتحار، والرابط كان مزور وسرق معطياتي",
        "شفت فيلم فيه القتل والدم، ومن بعد دخلت لرابط غريب وتسرقت",
    ],
)
def test_a_word_often_innocent_alone_raises_one_step_and_never_makes_urgent(sentence: str) -> None:
    decision = decide(facts(sentence))
    assert decision.priority is Priority.HIGH, decision
    assert decision.reasons == ("threat_words_to_review",)
    low = decide(facts(sentence, incident_date=TODAY - timedelta(days=800)))
    assert low.priority is Priority.NORMAL  # an old case without loss goes from low to normal


def test_a_review_word_never_makes_urgent_even_with_another_high_reason() -> None:
    decision = decide(
        facts(
            "Des prix qui tuent ! j'ai payé",
            loss_amount=Decimal(100),
            loss_currency="MAD",
            incident_date=TODAY,
        )
    )
    assert decision.priority is Priority.HIGH and "recent_money_loss" in decision.reasons


# Written after the patterns, by a reviewer who had not seen them: kept apart from the table the
# patterns were written against, so that recall and precision are also measured on unseen text.
HELD_OUT: tuple[tuple[str, bool], ...] = (
    ("I'll kill you if you go to the police", True),
    ("he wrote: i will kill your family", True),
    ("he said he would stab you", True),
    ("you're a dead man", True),
    ("je te tuerai si tu parles", True),
    ("il m'a écrit je te tue", True),
    ("il a dit qu'il me tuerait", True),
    ("t'es mort, je sais où tu habites", True),
    ("tu vas mourir", True),
    ("je vais te faire la peau", True),
    ("ghadi n9tlok kamlin", True),
    ("bghit nmot", True),
    ("ghadi n9tel mok", True),
    ("nsherml wjhk", True),
    ("سأقتل عائلتك", True),
    ("غادي نقتل ولدك", True),
    ("يهددني بالاغتصاب", True),
    ("فكرت في الانتحار", True),
    ("قال ليا غادي نختطفك", True),
    ("تصفية الحساب البنكي تمت بدون علمي", False),
    ("غادي نصفيها مع البنك", False),
    ("البنك يتحرى في العملية", False),
    ("بغيت نتحرر من هاد المشكل", False),
    ("il veut me saigner financièrement", False),
    ("je veux en finir avec cette arnaque", False),
    ("je vais mourir de honte si ma famille l'apprend", False),
    ("my phone battery is going to die", False),
    ("I'm going to die of shame", False),
    ("il menace de tuer mon compte", False),
    ("it will kill my credit score", False),
    ("kay9tlni b lghla dyal lprix", False),
    ("le lien est mort", False),
    ("j'ai commandé 5 kilos de dattes, jamais reçus", False),
    ("menace de fermeture du compte si je ne clique pas", False),
)


def test_the_lexicon_on_sentences_it_was_not_written_against(capsys: pytest.CaptureFixture[str]) -> None:
    wrong = [
        (sentence, threat)
        for sentence, threat in HELD_OUT
        if bool(find_mentions(sentence, "threats_and_self_harm")) != threat
    ]
    with capsys.disabled():
        print(f"\nthreat lexicon on {len(HELD_OUT)} held-out sentences: {len(HELD_OUT) - len(wrong)} right")
    assert len(wrong) <= len(HELD_OUT) // 20, wrong  # 95 %


def test_a_threat_is_urgent_and_is_not_also_listed_for_review() -> None:
    decision = decide(facts("قال ليا غادي يقتلني ويقتل مي"))
    assert decision.priority is Priority.URGENT and "threat_words_to_review" not in decision.reasons
