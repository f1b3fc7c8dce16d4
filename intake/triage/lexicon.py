"""Words that make a report urgent, and the normalisation that lets one list match how people write.

Citizens write Modern Standard Arabic, Darija in Arabic script, Darija in Latin letters with digits
("n9tlek" for نقتلك: 9 = ق, 7 = ح, 3 = ع, 5 = خ, 2 = ء, 8 = غ), French and English, often mixed in one
sentence. Text and entries go through the same `normalise`, so an entry is written once, plainly.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_ARABIC_DIACRITICS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # and tatweel
_ARABIC_LETTERS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
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


# Threats to someone's life or body, and announced self-harm, as people write them.
THREATS_AND_SELF_HARM: tuple[str, ...] = (
    # Modern Standard Arabic
    "سأقتلك", "سوف أقتلك", "سأقتلكم", "أقتلك", "سأذبحك", "سأؤذيك", "تهديد بالقتل", "هددني بالقتل",
    "سأنتحر", "أريد أن أنتحر", "أفكر في الانتحار", "سأقتل نفسي", "أنهي حياتي", "الانتحار", "انتحار",
    "للانتحار", "محاولة انتحار", "أريد أن أموت",
    # Darija, Arabic script (the future prefix غا/غ, as in غانقتلك, is allowed by the pattern)
    "غادي نقتلك", "نقتلك", "نذبحك", "نقتلكم", "غادي نقتل راسي", "نقتل راسي", "نقتل نفسي", "بغيت نموت",
    "غادي ننتحر", "بغيت ننتحر", "ننتحر",
    # Darija, Latin script (after normalise: 9 -> q, 7 -> h, ...; the prefix gha/gh is allowed too)
    "n9tlek", "n9tlk", "n9telek", "n9etlek", "n9atlek", "ghadi n9tlek", "ndb7ek", "ndba7ek", "n9tl rasi",
    "n9tel rassi", "n9tel nefsi", "bghit nmout", "bghit nmot", "ghadi ntn7er", "ghadi nt7er", "nt7er",
    # French
    "je vais te tuer", "te tuer", "je vais vous tuer", "il va me tuer", "me tuer", "menace de mort",
    "menaces de mort", "menacé de mort", "t'égorger", "me suicider", "me suicide", "suicide",
    "suicidaire", "suicidaires", "je veux mourir", "en finir avec la vie", "mettre fin à mes jours",
    # English
    "kill you", "kill me", "going to kill", "death threat", "threatened to kill", "kill myself",
    "end my life", "suicide", "suicidal", "want to die",
)  # fmt: skip

# An attack still under way (ransomware encrypting, an intruder still inside).
ONGOING_ATTACK: tuple[str, ...] = (
    "en cours", "toujours en cours", "encore en train", "ongoing", "still encrypting", "right now",
    "mazal", "ba9i", "ما زال", "مازال", "لا يزال", "جاري", "الآن",
)  # fmt: skip

LEXICONS: dict[str, tuple[str, ...]] = {
    "threats_and_self_harm": THREATS_AND_SELF_HARM,
    "ongoing_attack": ONGOING_ATTACK,
}


@cache
def _pattern(lexicon: str) -> re.Pattern[str]:
    """One regex per lexicon: whole words, with the conjunctions و/ف and Darija's future prefix
    (غا, غ, gha: "غانقتلك", "ghan9tlek") allowed in front."""
    entries = sorted({normalise(entry) for entry in LEXICONS[lexicon]}, key=len, reverse=True)
    body = "|".join(re.escape(entry) for entry in entries if entry)
    return re.compile(rf"(?<!\w)(?:[وف]?(?:غا|غ)?|gha|gh)?(?:{body})(?!\w)")


def find_mentions(text: str, lexicon: str) -> list[str]:
    """The entries of `lexicon` that `text` contains (normalised), in order of appearance."""
    return _pattern(lexicon).findall(normalise(text))
