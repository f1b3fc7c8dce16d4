"""Languages of the interface: which ones exist, which way they read, and how a request picks one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale, support
from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_decimal, get_currency_name
from babel.units import format_unit
from flask import Flask, current_app, g, request
from flask_babel import get_locale, gettext
from wtforms.i18n import messages_path

from intake.clock import MOROCCO

# Tamazight (zgh, Tifinagh): an official language of Morocco (Constitution, art. 5), for citizens'
# pages; staff pages stay Arabic or French.
LANGUAGES: tuple[str, ...] = ("ar", "fr", "en", "zgh")
DEFAULT_LANGUAGE = "ar"
RTL_LANGUAGES = frozenset({"ar"})
# The languages a citizen is sent to from `/`; English is a third catalogue for visitors and the API.
CITIZEN_LANGUAGES: tuple[str, ...] = ("ar", "fr", "zgh")
# Staff pages (login, console, error pages outside a citizen's address): Arabic or French.
STAFF_LANGUAGES: tuple[str, ...] = ("ar", "fr")
LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "en": "English", "zgh": "ⵜⴰⵎⴰⵣⵉⵖⵜ"}
# Numbers and dates are written the Moroccan way: Latin digits and Moroccan month names in Arabic,
# and in Morocco's time (intake.clock), whatever the server's zone.
FORMAT_LOCALES = {"ar": "ar_MA", "fr": "fr_MA", "en": "en_GB", "zgh": "zgh"}


def text_direction(lang: str) -> str:
    return "rtl" if lang in RTL_LANGUAGES else "ltr"


def best_language_from_header(choices: tuple[str, ...] = LANGUAGES) -> str:
    """The browser's preference among `choices`, Arabic by default."""
    return request.accept_languages.best_match(choices, default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE


def select_locale() -> str:
    """Flask-Babel's locale selector: the URL prefix, else a value set by the API, else the header."""
    lang = g.get("lang")
    if lang in LANGUAGES:
        return lang
    return best_language_from_header()


def number_locale() -> str:
    """The formatting locale of the language being rendered (`force_locale` included)."""
    current = get_locale()
    lang = current.language if current is not None else select_locale()
    return FORMAT_LOCALES.get(lang, FORMAT_LOCALES[DEFAULT_LANGUAGE])


def format_amount(value: Decimal) -> str:
    """`2 500,50` / `2.500,50`: a sum of money with its cents, in the reader's figures."""
    return format_decimal(value, format="#,##0.00", locale=number_locale())


def format_number(value: int | Decimal) -> str:
    """`10 000` in French, `10.000` in Moroccan Arabic, `10,000` in English."""
    return format_decimal(value, locale=number_locale())


def format_local_datetime(value: datetime, seconds: bool = False) -> str:
    """`14 mars 2026, 09:05` / `14 مارس 2026، 09:05` in Morocco's time, for the current language
    (with the seconds for the audit trail)."""
    locale = Locale.parse(number_locale())
    pattern = str(locale.datetime_formats["medium"])
    local = value.astimezone(MOROCCO)
    day = format_date(local.date(), "long", locale=locale)
    time = format_time(local.time(), "HH:mm:ss" if seconds else "HH:mm", locale=locale)
    return pattern.replace("{1}", day).replace("{0}", time).replace("'", "")


def machine_datetime(value: datetime) -> str:
    """The same instant for a `<time datetime>` attribute, in the form HTML validators accept: UTC, to
    the second (`2026-11-30T10:15:42+00:00`, never microseconds)."""
    return value.astimezone(UTC).isoformat(timespec="seconds")


def colon() -> str:
    """What goes between a label and its value: French puts a no-break space before the colon."""
    return "\u00a0: " if str(get_locale() or "").startswith("fr") else ": "


def format_local_date(value: date) -> str:
    """`14 mars 2026` / `14 مارس 2026`: a calendar date in the reader's language."""
    return format_date(value, "long", locale=number_locale())


def format_short_month(value: date) -> str:
    """`mar.` / `مارس` (Arabic has no short month names): the month of `value` on a chart's axis,
    standing alone (CLDR's stand-alone form, which some languages decline differently)."""
    return format_date(value, "LLL", locale=number_locale())


def format_month_year(value: date) -> str:
    """`mars 2026` / `مارس 2026`: a month and its year, in the order of the reader's language."""
    return format_skeleton("yMMMM", value, locale=number_locale())


def format_year(value: date) -> str:
    return format_date(value, "y", locale=number_locale())


def format_file_size(size: int) -> str:
    """`12 ko`, `3,4 Mo`, `12 كيلوبايت`: a size in the reader's language and unit."""
    for unit, factor in (("digital-megabyte", 1_000_000), ("digital-kilobyte", 1_000)):
        value = round(size / factor, 1)
        if value >= 1 and (factor == 1_000_000 or value < 1_000):  # never "1 000 ko": that is 1 Mo
            return format_unit(value, unit, length="short", locale=number_locale())
    return format_unit(size, "digital-byte", length="short", locale=number_locale())


def institution_name() -> str:
    """The institution's name in the language being rendered (INSTITUTION_NAME… settings), else a
    neutral name from the catalogue."""
    names: dict[str, str] = current_app.config.get("INSTITUTION_NAMES", {})
    locale = get_locale()
    lang = locale.language if locale is not None else ""
    return names.get(lang) or names.get("*") or gettext("National service for reporting cybercrime")


def currency_name(code: str) -> str:
    """`dirham marocain (MAD)`, `درهم مغربي (MAD)`: a currency by its name in the reader's language."""
    name = get_currency_name(code, locale=number_locale())
    return f"{name} ({code})" if name != code else code


@lru_cache(maxsize=16)
def _form_messages(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def form_messages() -> support.NullTranslations | None:
    """WTForms' own messages ("Not a valid choice") in the page's language, read from their catalogue
    once per process and language (Flask-WTF reads it again on every request)."""
    if not current_app.config.get("WTF_I18N_ENABLED", True):
        return None
    return _form_messages(str(get_locale()))


def register_i18n(app: Flask) -> None:
    app.add_template_filter(format_local_datetime, "local_datetime")
    app.add_template_filter(machine_datetime, "machine_datetime")
    app.add_template_filter(format_number, "number")
    app.add_template_filter(format_amount, "amount")
    app.add_template_global(currency_name, "currency_name")
    app.add_template_global(colon, "colon")
    app.add_template_global(institution_name, "institution_name")
    app.add_template_filter(format_local_date, "local_date")
    app.add_template_filter(format_file_size, "file_size")

    @app.context_processor
    def language_context() -> dict[str, object]:
        lang = select_locale()
        return {
            "lang": lang,
            "text_dir": text_direction(lang),
            "languages": LANGUAGES,
            "language_names": LANGUAGE_NAMES,
            # For the browser's Intl API, which writes `ar-MA` numbers with Latin digits as Moroccans do.
            "number_locale": FORMAT_LOCALES[lang].replace("_", "-"),
        }
