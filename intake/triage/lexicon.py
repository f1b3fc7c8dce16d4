"""Threats and distress as victims tell them, and the normalisation that lets one pattern match how
people write.

Citizens write Modern Standard Arabic, Darija in Arabic script, Darija in Latin letters with digits
("n9tlek" for نقتلك: 9 = ق, 7 = ح, 3 = ع, 5 = خ, 2 = ء, 8 = غ), French and English, often mixed in one
sentence, with typos and no vowels. Text goes through `normalise` first, so the patterns below are
written once, on normalised text (أ is ا, ة is ه, `ou` is `u`, `ch` is `sh`, doubled letters once:
هدد is هد, "kill" is "kil", "mettre" is "metre"); tests/test_threat_lexicon.py checks each one.

A threat is a verb of killing or wounding aimed at someone: a person prefix and the future or
intent markers in front (ي/ت/ن/ا, س، سوف، غادي، غا، باش; "je vais", "going to"), an object pronoun or a
person after it (ـك، ـني، ـها، ـكم; "te", "me", "you", "my brother"), reported or direct ("قال ليا غادي
يقتلني", "il m'a écrit qu'il allait me tuer"), or the verbal noun after a threat (التهديد بالقتل,
"menaces de mort"). Self-harm is the same, aimed at oneself (نقتل راسي, "me suicider", "bghit nmut").
These make a report urgent.

A word of death or killing alone (القتل، الانتحار، "tuer", "suicide", "kill") is often innocent: a
figure of speech ("des prix qui tuent", "killer deal"), a film, a prevention campaign. It is a
reason to review, which raises the priority one step and never makes a report urgent by itself.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_ARABIC_DIACRITICS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # and tatweel
_ARABIC_LETTERS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ڭ": "ك", "گ": "ك"}
)
# Arabizi digits inside a Latin word stand for Arabic letters.
_ARABIZI = {"2": "a", "3": "a", "5": "kh", "6": "t", "7": "h", "8": "gh", "9": "q"}
_ARABIZI_WORD = re.compile(r"\b(?=\w*[a-z])(?=\w*[2356789])[a-z0-9]+\b")
# Two Latin spellings of one sound (French-style and English-style transliteration).
_LATIN_VARIANTS = (("ou", "u"), ("ch", "sh"))


def _arabizi(match: re.Match[str]) -> str:
    return "".join(_ARABIZI.get(ch, ch) for ch in match.group(0))


def _collapse(text: str) -> str:
    """Doubled or stretched letters count once: "nqtlllek", "rassi"."""
    return re.sub(r"(\w)\1+", r"\1", text)


def normalise(text: str) -> str:
    """Lower case, no accents or Arabic short vowels, one spelling per letter, single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_LETTERS)
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    text = _ARABIZI_WORD.sub(_arabizi, text)
    text = _collapse(text)
    for variant, plain in _LATIN_VARIANTS:
        text = text.replace(variant, plain)
    text = _collapse(text)  # a variant can make a new double: "uou" -> "uu" -> "u"
    return " ".join(re.findall(r"\w+", text))


# Pieces of the patterns, on normalised text. `_W` is one word; `_GAP` up to three words between.
_W = r"[^\W\d_]+"
_GAP = rf"(?:{_W} ){{0,3}}"
_START, _END = r"(?<!\w)", r"(?!\w)"

# Arabic script: conjunction, future or intent marker, aspect prefix, person prefix.
_AR_MARKER = r"(?:سوف |غادي |غاد |باش |راه |را |بغا |بغي )?"
_AR_PREFIX = r"[وف]?(?:س|غا|غ|ب|ل)?[يتنا]"
# Object pronouns (him, her, you, me, us, them), and the Darija dative "ليك/ليا" after a space.
_AR_OBJECT = r"(?:و)?(?:ك|كم|كي|ه|ها|هم|ني|نا|ي)"  # ي: ـنني once collapsed (سيطعنني)
_AR_HARM_ROOTS = r"(?:قتل|ذبح|شرمل|طعن|حرق|نحر|خطف|ختطف)"
_AR_SELF = r"(?:راسي|نفسي|روحي|راسو|راسه|نفسه|راسها|نفسها)"
# Latin Darija: the same, after normalise (9 -> q, 7 -> h, 3 -> a, 8 -> gh).
_LA_MARKER = r"(?:w)?(?:gha|gh|ghadi |ghad |bash |ba |ra |rah )?"
_LA_OBJECT = r"(?:[aeio]?k|[aei]?kum|[aei]?kom|[aei]?kam|ni|na|u|o|h|ha|hum|hom)"
# Relatives named with a possessive: "n9tel mok", "khok", "wldk", "bntk", "mratk", "darek".
_LA_KIN = (
    r"(?:mok|mk|khok|khuk|khtk|khtek|wldk|weldek|bntk|bentek|mratk|mratek|rajlk|familtk|darek|wjhk|wjhek)"
)
_LA_KILL = r"[aei]?q[aei]?t[aei]?l"
_LA_HARM = rf"(?:{_LA_KILL}|[aei]?db[aei]?h|[aei]?sh[aei]?rm[aei]?l|[aei]?hr[aei]?q|[aei]?t[aei]?an)"
_LA_SELF = r"(?:rasi|rasu|nafsi|nefsi|rohi|ruhi)"
# French and English objects of a threat.
_FR_OBJECT = r"(?:te|t|me|m|vus|nus|la|le|l|les|lui)"
# The verb of killing in any tense a threat uses: "tuer", "je te tue", "je te tuerai", "il me tuerait".
_FR_KILL = r"(?:tuer|tue|tues|tuera|tuerai|tueras|tuerait|tuerons|tuerez|tueront|egorger|egorgerai|buter|buterai|masacrer|poignarder|planter|crever|creverai|bruler vif)"
_FR_PERSON = r"(?:fils|file|femme|mari|frere|soeur|sœur|mere|pere|famile|enfants?|copain|copine|parents|bebe)"
_EN_PERSON = (
    r"(?:brother|sister|wife|husband|son|daughter|mother|mum|mom|father|dad|family|kids|children|child|"
    r"friend|boyfriend|girlfriend|parents|baby)"
)
# After normalise: "you" is "yu", "your" "yur", "would" "wuld".
_EN_OBJECT = rf"(?:yu|u|ya|me|her|him|them|us|(?:my|yur|his|her|their) {_EN_PERSON})"
# What follows a verb of killing when it is a figure of speech: "tqtlni b dhk", "mourir de rire".
_LAUGHTER = r"(?! (?:b|bl|bel) ?dh\w*| بال?ضحك| de rire| de honte| d ennui| de faim| with laugh\w*| laughing| of shame| of bored\w*)"

THREAT_PATTERNS: tuple[str, ...] = (
    # Arabic script: "نقتلك", "غادي يقتلني", "سأذبحك", "كيقولي غانشرملك", "نحرقكم"
    rf"{_AR_MARKER}{_AR_PREFIX}{_AR_HARM_ROOTS}{_AR_OBJECT}",
    # "غادي نقتل ليك خوك", "نقتل ليك الدار": the verb, then the Darija dative
    rf"{_AR_MARKER}{_AR_PREFIX}(?:قتل|ذبح|شرمل|حرق) (?:ليك|ليكم|ليه|ليها|ليا|لك|لكم)",
    # "سأقتل عائلتك", "غادي نقتل ولدك": the verb, then someone of yours
    rf"{_AR_MARKER}{_AR_PREFIX}(?:قتل|ذبح|شرمل|حرق|خطف|ختطف) (?:ال)?\w+(?:ك|كم|كي)",
    # "هددني بالقتل", "التهديد بالقتل", "تهديدات بالذبح", "كيهددني بالموت"
    rf"[وف]?(?:ب|ل)?(?:ال)?(?:ت|كي|كا|ي|ن)?هد\w* {_GAP}(?:ب|بال)(?:قتل|ذبح|تصفيه|موت|حرق|اغتصاب|خطف|اختطاف)",
    # "نضربك بالموس", "ضربني بجنوي": wounding with a blade
    rf"\w*ضرب\w* {_GAP}ب(?:ال)?(?:موس|جنوي|سكين|شاقور)",
    # Latin Darija: "n9tlek", "ghadi y9telni", "ndb7ek", "nsherml-ek", "gha n7r9ek"
    rf"{_LA_MARKER}[nyt]{_LA_HARM}{_LA_OBJECT}",
    rf"{_LA_MARKER}[nyt]{_LA_HARM} (?:lik|likum|lih|liha|lia|lk|{_LA_KIN})",
    rf"{_LA_MARKER}[nyt]{_LA_HARM}{_LA_OBJECT}? {_LA_KIN}",
    rf"\w*d[aei]?r[aei]?b\w* {_GAP}(?:b|bl|bel|bi) ?(?:mus|jnwi|jenwi|sekin|shaqur)",
    rf"\w*hd\w* {_GAP}(?:b|bl|bel) ?l?(?:qatl|qtl|qetl|mut|dbh|tasfia)",
    # French: "je vais te tuer", "il m'a dit qu'il allait me tuer", "t'égorger", "menaces de mort"
    rf"{_FR_OBJECT} {_FR_KILL}",
    rf"menac\w* (?:\w+ ){{0,2}}de (?:mort|{_FR_OBJECT} tuer|tuer (?:ma|mon|mes|ta|ton|tes|sa|son|ses) {_FR_PERSON})",
    rf"{_FR_KILL} (?:ma|mon|mes|ta|ton|tes|sa|son|ses|notre|vutre) {_FR_PERSON}",
    r"(?:t es|tu es|vus etes|t as) (?:un homme )?mort",
    r"tu vas (?:murir|crever|y paser)",
    r"(?:te|vus) faire la peau",
    # English: "going to kill my brother", "said he would kill me", "death threats", "stab you"
    rf"(?:kil|murder|stab|slit) {_EN_OBJECT}",
    rf"(?:going to|gona|wil|i l|wuld|wanted to|wants to|threat\w*(?: to)?) (?:kil|murder|stab|shot) {_EN_OBJECT}",
    r"(?:yu re|yure|yu are) (?:a )?dead (?:man|woman|meat)",
    r"death threats?",
)

SELF_HARM_PATTERNS: tuple[str, ...] = (
    # Arabic script: "سأنتحر", "غادي ننتحر", "بغيت نتحر", "انتحرت"? (past: a third person) stays out
    rf"{_AR_MARKER}[وف]?(?:س|غا|غ)?[انتي]?نتحر(?:و|ي)?",
    r"(?:فكرت|نفكر|افكر|كنفكر|كنخمم|نخمم|خممت) (?:في|ف) ?(?:ال)?انتحار",
    rf"{_AR_MARKER}{_AR_PREFIX}قتل {_AR_SELF}",
    r"(?:انهي|ننهي|نسالي|ننهيو|اضع حدا ل|نحط حد ل|نوضع حد ل) ?حياتي",
    r"(?:اريد ان|اود ان|بغيت|باغي|باغيه|نتمني|اتمني ان|خاصني) (?:ا|ن)موت",
    r"(?:ندير|ادير|غادي ندير) (?:شي )?حاجه (?:ف ?)?راسي",
    r"(?:اوذي|نوذي|اذي|ناذي|نضر) (?:نفسي|راسي)",
    # Latin Darija: "ghadi ntn7er", "nt7er", "bghit nmout", "n9tl rasi"
    r"(?:w)?(?:gha|gh|ghadi |ghad |bash |bghit |baghi )?(?:[nyta](?:nt|tn|t)h[aei]?r|n[ae]ntah[ae]r)",
    rf"{_LA_MARKER}[nyt]{_LA_KILL} {_LA_SELF}",
    r"(?:bghit|baghi|baghia|bghina|nbghi) (?:\w+ )?nm[aeou]?[ut]t?",
    r"(?:ndir|ghadi ndir) (?:shi )?haja (?:f ?)?rasi",
    # French: "je vais me suicider", "envie de mourir", "mettre fin à mes jours", "je suis suicidaire"
    r"me suicid\w*",
    r"(?:je |j )?(?:veux|vais|pense a|vudrais|prefere|ai envie de|envie de) (?:me )?(?:murir|en finir(?! avec (?!la vie|ma vie)))",
    r"plus envie de vivre",
    r"metre fin a (?:mes jurs|ma vie)",
    r"en finir avec (?:la|ma) vie",
    r"(?:suis|me sens|devenue?|rendue?) (?:\w+ )?suicidaire",
    r"me faire du mal",
    # English: "kill myself", "end my life", "want to die", "I feel suicidal"
    r"kil (?:myself|my self)",
    r"(?:end|take) my (?:own )?life",
    r"(?:want|wana) (?:to )?die",
    r"(?:fel|feling|am|m|im|became|become) (?:\w+ )?suicidal",
    r"hurt myself",
)

# Words of death or killing that are often innocent alone: a reason to review, never urgent alone.
REVIEW_WORDS: tuple[str, ...] = (
    r"(?:و|ف)?(?:ال|بال|لل|ب|ل)?(?:قتل|انتحار|ذبح)",
    r"\w*(?:qtl|qatl|qetl|ntihar|intihar)\w*",
    r"tuer|tue|tuent|tueur|tueurs|suicide\w*|egorg\w*|meurtre\w*",
    r"kil|kils|kiled|kiler|kilers|kiling|suicid\w*|murder\w*|death",
)

# An attack still under way (ransomware encrypting, an intruder still inside).
ONGOING_ATTACK: tuple[str, ...] = (
    "en cours", "toujours en cours", "encore en train", "ongoing", "still encrypting", "right now",
    "mazal", "ba9i", "ما زال", "مازال", "لا يزال", "جاري", "الآن",
)  # fmt: skip

# Each lexicon is regular expressions over normalised text (ONGOING_ATTACK: plain phrases).
LEXICONS: dict[str, tuple[str, ...]] = {
    "threats_and_self_harm": THREAT_PATTERNS + SELF_HARM_PATTERNS,
    "threat_words_to_review": REVIEW_WORDS,
    "ongoing_attack": tuple(re.escape(normalise(phrase)) for phrase in ONGOING_ATTACK),
}


@cache
def _pattern(lexicon: str) -> re.Pattern[str]:
    """One regex per lexicon, matching whole words only."""
    body = "|".join(f"(?:{pattern})" for pattern in LEXICONS[lexicon])
    figure = _LAUGHTER if lexicon == "threats_and_self_harm" else ""
    return re.compile(rf"{_START}(?:{body}){_END}{figure}")


def find_mentions(text: str, lexicon: str) -> list[str]:
    """The passages of `text` (normalised) that `lexicon` matches, in order of appearance."""
    return [match.group(0) for match in _pattern(lexicon).finditer(normalise(text))]
