"""Languages of the interface: which ones exist, which way they read, and how a request picks one."""

from __future__ import annotations

from flask import Flask, g, request

LANGUAGES: tuple[str, ...] = ("ar", "fr", "en")
DEFAULT_LANGUAGE = "ar"
RTL_LANGUAGES = frozenset({"ar"})
LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}


def text_direction(lang: str) -> str:
    return "rtl" if lang in RTL_LANGUAGES else "ltr"


def best_language_from_header() -> str:
    """The browser's preference among the citizen languages (Arabic or French), Arabic by default."""
    return (
        request.accept_languages.best_match(("ar", "fr", "en"), default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE
    )


def select_locale() -> str:
    """Flask-Babel's locale selector: the URL prefix, else a value set by the API, else the header."""
    lang = g.get("lang")
    if lang in LANGUAGES:
        return lang
    return best_language_from_header()


def register_i18n(app: Flask) -> None:
    @app.context_processor
    def language_context() -> dict[str, object]:
        lang = select_locale()
        return {
            "lang": lang,
            "text_dir": text_direction(lang),
            "languages": LANGUAGES,
            "language_names": LANGUAGE_NAMES,
        }
