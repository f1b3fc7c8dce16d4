"""Every message a person reads is in the catalogues, and translated in Arabic and French."""

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


def source_messages(tmp_path: Path) -> set[str]:
    """Extract from the code and templates now, so that a new string without a translation fails here."""
    pot = tmp_path / "messages.pot"
    command = ["-q", "extract", "-F", "babel.cfg", "-k", "_l", "-o", str(pot), "."]
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", *command],
        cwd=TRANSLATIONS.parent.parent,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_every_message_is_translated(lang: str, tmp_path: Path) -> None:
    messages = {m.id: m for m in catalogue(lang) if m.id}
    missing_from_catalogue = source_messages(tmp_path) - set(messages)
    assert not missing_from_catalogue, (
        f"run `make extract-messages` and translate: {sorted(missing_from_catalogue)}"
    )
    untranslated = [m.id for m in messages.values() if not _translated(m.string) or m.fuzzy]
    assert not untranslated, f"{lang}: untranslated or fuzzy: {untranslated}"


def _translated(string: str | tuple[str, ...]) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


@pytest.mark.parametrize("lang", ["ar", "fr"])
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
