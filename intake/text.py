"""Text as citizens send it, made safe to store: one filter that every text field goes through."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from wtforms import StringField
from wtforms.meta import DefaultMeta

from intake.i18n import form_messages

# C0 controls but tab and newlines, DEL, C1 controls, and lone surrogates (which JSON can carry but
# UTF-8 cannot encode): PostgreSQL refuses NUL and invalid UTF-8, and none of them is ever meant.
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Invisible characters that are not format characters (Unicode category Cf) but show nothing: the
# combining grapheme joiner, the Hangul fillers and the braille blank.
_INVISIBLE_LETTERS = frozenset("\u034f\u115f\u1160\u3164\uffa0\u2800")
_JOINERS = frozenset("\u200c\u200d")  # ZWNJ and ZWJ: needed inside Persian words, Indic scripts, emoji
# Default-ignorable marks that are not format characters: variation selectors (an emoji's colour
# form), Khmer inherent vowels, Mongolian selectors. Kept in prose; dropped from what is matched.
_IGNORABLE_MARKS = re.compile(r"[\ufe00-\ufe0f\U000e0100-\U000e01ef\u17b4\u17b5\u180b-\u180d\u180f]")


def _shown_in_a_joining_script(ch: str) -> bool:
    return not ch.isascii() and unicodedata.category(ch)[0] in "LMS"


def ascii_digits(text: str) -> str:
    """Arabic-Indic (٠١٢), Eastern Arabic-Indic (۰۱۲) and other Unicode decimal digits to 0-9, wherever
    a person types digits; other characters unchanged."""
    return "".join(str(unicodedata.digit(ch)) if ch.isdigit() and not ch.isascii() else ch for ch in text)


def remove_format_characters(text: str, keep_joiners: bool = True) -> str:
    """Drop bidi controls (U+202A-E, U+2066-9, U+200E/F, U+061C), zero-width and other invisible
    format characters: they reverse what an officer sees (`gpj.exe` shown as `exe.jpg`) or split an
    identifier so that it no longer links. ZWNJ and ZWJ stay only between two characters of a script
    that needs them (Arabic-script Persian, Indic, emoji sequences), never beside ASCII. With
    `keep_joiners=False` (identifiers, file names: what is matched or named), every invisible
    character goes, variation selectors included."""
    if text.isascii():
        return text
    if not keep_joiners:
        text = _IGNORABLE_MARKS.sub("", text)
    kept: list[str] = []
    for index, ch in enumerate(text):
        if ch in _JOINERS:
            before, after = text[index - 1 : index], text[index + 1 : index + 2]
            if keep_joiners and before and after and all(map(_shown_in_a_joining_script, before + after)):
                kept.append(ch)
        elif ch in "\u2028\u2029":
            kept.append("\n")
        elif unicodedata.category(ch) != "Cf" and ch not in _INVISIBLE_LETTERS:
            kept.append(ch)
    return "".join(kept)


def clean_text(value: Any) -> Any:
    """Strip surrounding space, unify line ends and drop control, bidi and invisible characters;
    non-text passes."""
    if not isinstance(value, str):
        return value
    text = remove_format_characters(value.replace("\r\n", "\n").replace("\r", "\n"))
    return _UNWANTED.sub("", text).strip()


class CleanTextMeta(DefaultMeta):
    """Form meta: every text field of a form goes through `clean_text` first (one rule, no field
    forgotten). A form opts in with `class Meta(CleanTextMeta): pass`."""

    def get_translations(self, form: Any) -> Any:
        """WTForms' own messages, parsed once per language (intake.i18n.form_messages)."""
        return form_messages()

    def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
        if issubclass(unbound_field.field_class, StringField):
            options = {**options, "filters": (clean_text, *unbound_field.kwargs.get("filters", ()))}
        return super().bind_field(form, unbound_field, options)
