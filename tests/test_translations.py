"""Every message a person reads is in the catalogues, and translated: in Arabic, French and English
everything; in Tamazight everything citizens read (intake/translations/citizen.cfg)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "intake" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def catalogue(lang: str):  # type: ignore[no-untyped-def]
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def source_messages(tmp_path: Path, mapping: str = "babel.cfg") -> set[str]:
    """Extract from the code and templates now, so that a new string without a translation fails here."""
    pot = tmp_path / "messages.pot"
    command = ["-q", "extract", "-F", mapping, "-k", "_l", "-o", str(pot), "."]
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", *command],
        cwd=TRANSLATIONS.parent.parent,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_every_message_is_translated(lang: str, tmp_path: Path) -> None:
    messages = {m.id: m for m in catalogue(lang) if m.id}
    missing_from_catalogue = source_messages(tmp_path) - set(messages)
    assert not missing_from_catalogue, (
        f"run `make extract-messages` and translate: {sorted(missing_from_catalogue)}"
    )
    untranslated = [m.id for m in messages.values() if not _translated(m.string) or m.fuzzy]
    assert not untranslated, f"{lang}: untranslated or fuzzy: {untranslated}"


def test_every_message_citizens_read_is_in_tamazight(tmp_path: Path) -> None:
    messages = {m.id: m for m in catalogue("zgh") if m.id}
    wanted = source_messages(tmp_path, "intake/translations/citizen.cfg")
    untranslated = sorted(
        str(key)
        for key in wanted
        if key not in messages or not _translated(messages[key].string) or messages[key].fuzzy
    )
    assert not untranslated, f"zgh: untranslated: {untranslated}"


def test_tamazight_is_written_in_tifinagh() -> None:
    """Bracketed Arabic or French terms aside (a word with no settled form), the text is Tifinagh."""
    for message in catalogue("zgh"):
        if not (message.id and _translated(message.string)):
            continue
        for form in message.string if isinstance(message.string, tuple) else (message.string,):
            if form == message.id:  # a name written as it is (Blagh)
                continue
            text = re.sub(r"\([^)]*\)|%\(\w+\)s|<[^>]+>|https?://\S+", "", form)
            source = set(re.findall(r"\w+", str(message.id)))
            for word in source:  # words written as in the source: true, JSON, MAD…
                text = re.sub(rf"\b{re.escape(word)}\b", "", text)
            letters = re.findall(r"[^\W\d_]", text)
            tifinagh = [ch for ch in letters if "\u2d30" <= ch <= "\u2d7f"]
            assert len(tifinagh) >= len(letters) / 2, form


def _translated(string: str | tuple[str, ...]) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


@pytest.mark.parametrize("lang", ["ar", "fr", "en", "zgh"])
def test_placeholders_survive_translation(lang: str) -> None:
    for message in catalogue(lang):
        if not (message.id and _translated(message.string)):
            continue
        if isinstance(message.string, tuple):
            # Plural forms: each uses only the message's placeholders, and the general one uses them
            # all (Arabic says "one day" and "two days" in words, without the number).
            wanted = set(PLACEHOLDER.findall(str(message.id[1])))
            assert all(set(PLACEHOLDER.findall(form)) <= wanted for form in message.string), message.id
            assert set(PLACEHOLDER.findall(message.string[-1])) == wanted, message.id
        else:
            assert sorted(PLACEHOLDER.findall(str(message.id))) == sorted(
                PLACEHOLDER.findall(str(message.string))
            ), message.id


def test_arabic_is_arabic() -> None:
    """A guard against a catalogue filled with French or English by mistake."""
    for message in catalogue("ar"):
        if message.id and message.string and re.search(r"[A-Za-z]{4}", PLACEHOLDER.sub("", str(message.id))):
            text = PLACEHOLDER.sub("", str(message.string))
            letters = re.findall(r"[A-Za-z\u0600-\u06FF]", text)
            arabic = [ch for ch in letters if "\u0600" <= ch <= "\u06ff"]
            assert len(arabic) >= len(letters) / 2, message.string


def test_english_catalogue_exists() -> None:
    assert catalogue("en")
