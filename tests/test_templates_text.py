"""No template prints words outside the catalogues: every sentence a person reads goes through
gettext, so that each language gets it (issue 12). Language names (autonyms, from one Python table),
file formats and a few technical codes are the only words written as they are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Words that are the same in every language: formats, codes, the brand, and the hash's name.
AS_IS = frozenset({"CSV", "XLSX", "JSON", "SHA-256", "Blagh", "BLG-XXXX-XXXX", "PDF"})
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+")  # an address is written as it is
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_READ_ATTRIBUTES = re.compile(
    r"""\b(?:alt|title|placeholder|aria-label|label)\s*=\s*(["'])(.*?)\1""", re.DOTALL
)
_TAG = re.compile(r"<[^>]*>", re.DOTALL)
_WORD = re.compile(r"[^\W\d_][\w-]*")


def _words_outside_gettext(source: str) -> list[str]:
    without_jinja = _JINJA.sub(" ", source)
    read = [value for _, value in _READ_ATTRIBUTES.findall(without_jinja)]
    text = _TAG.sub(" ", re.sub(r"<(script|style)\b.*?</\1>", " ", without_jinja, flags=re.DOTALL))
    text = _ADDRESS.sub(" ", text)
    return [word for chunk in [*read, text] for word in _WORD.findall(chunk) if word not in AS_IS]


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_a_template_prints_no_word_outside_the_catalogues(template: Path) -> None:
    assert _words_outside_gettext(template.read_text(encoding="utf-8")) == []


def test_the_check_sees_a_word_typed_in_a_template() -> None:
    assert _words_outside_gettext('<p>{{ _("Bonjour") }} Merci</p><input placeholder="Nom">') == [
        "Nom",
        "Merci",
    ]
