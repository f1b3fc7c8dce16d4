"""The acknowledgement as a PDF (fpdf2): one A4 page, in the report's language. Arabic is shaped by
HarfBuzz (uharfbuzz) and laid out right to left, and its text extracts in logical order; the fonts
are the Noto fonts shipped in `fonts/` (SIL Open Font License), so nothing is fetched at run time.

The caller renders under the report's locale (flask_babel.force_locale): every label here goes
through the catalogue, every date and number through intake.i18n."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import segno
from flask_babel import gettext as _
from flask_babel import ngettext
from fpdf import FPDF
from fpdf.enums import Align

from intake.acknowledgements.facts import FilingFacts
from intake.i18n import (
    currency_name,
    format_amount,
    format_file_size,
    format_local_date,
    format_local_datetime,
    format_number,
    text_direction,
)
from intake.reports.evidence import file_kind
from intake.reports.status_text import status_label
from intake.taxonomy import CATEGORY_BY_CODE, REGION_BY_CODE

FONTS = Path(__file__).parent / "fonts"
# fpdf2 subsets the fonts it embeds with fontTools, which logs every glyph at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)
# The body font of each language, then the fonts that fill in what it lacks (Latin letters in an
# Arabic page, Arabic script in an institution's name on a French page, digits in Tifinagh).
_FONT_FILES = {
    "naskh": ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"),
    "sans": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    "tifinagh": ("NotoSansTifinagh-Regular.ttf", None),
}
_BODY_FONT = {"ar": "naskh", "zgh": "tifinagh"}

INK = (20, 33, 61)
MUTED = (84, 92, 110)
RULE = (190, 196, 206)
WARNING = (176, 0, 32)


@dataclass(frozen=True)
class Addresses:
    """Where the paper sends its reader: the page that follows the report (in the QR code), and the
    page that checks the verification code."""

    tracking: str
    verify: str


def _direction(text: str) -> str | None:
    """The direction of a paragraph: that of its first strong letter (UAX #9, rules P2-P3)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in {"R", "AL"}:
            return "rtl"
    return None


_VOWEL_MARKS = dict.fromkeys(range(0x064B, 0x0653)) | {0x0670: None}


def _without_vowel_marks(text: str) -> str:
    """Arabic without its optional vowel marks (shadda, fatha…), as Arabic is printed every day:
    fpdf2 2.8.9 shapes a mark apart from its letter, which breaks the word's joining."""
    return text.translate(_VOWEL_MARKS)


# Babel writes `2 500,00`, `73 o` with a narrow no-break space, which none of the fonts holds: it
# becomes a no-break space (which they all hold), and only the other spaces break a line.
_NO_BREAK_SPACES = str.maketrans({"\u202f": "\u00a0", "\u2007": "\u00a0"})
_BREAKING_SPACES = re.compile(r"[ \t\r\n]+")

_WORD_WIDTHS: dict[tuple[str, str, float, str], float] = {}
_WORD_WIDTHS_KEPT = 50_000
FOOTER_HEIGHT = 24.0  # mm at the bottom of every page: a rule, then the moment of issue


class _Page(FPDF):
    """An A4 page that lays out its own paragraphs and tables: fpdf2's `multi_cell` shapes the line
    again for every letter it adds (about 7 ms a line of Arabic), so text is broken into lines here,
    measuring each word once, and each line is drawn as one shaped cell."""

    def __init__(self, lang: str) -> None:
        super().__init__(format="A4", unit="mm")
        self.lang = lang
        self.rtl = text_direction(lang) == "rtl"
        self.body = _BODY_FONT.get(lang, "sans")
        # Tifinagh only where it is read: each font parsed costs a few milliseconds.
        families = [family for family in _FONT_FILES if family != "tifinagh" or lang == "zgh"]
        for family in families:
            regular, bold = _FONT_FILES[family]
            self.add_font(family, "", str(FONTS / regular))
            self.add_font(family, "B", str(FONTS / (bold or regular)))
        self.set_fallback_fonts([family for family in families if family != self.body])
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(auto=False)
        self.set_text_color(*INK)
        self.set_draw_color(*RULE)
        self.footer_text = ""

    @property
    def bottom(self) -> float:
        """How far down the content may go: above the footer."""
        return self.h - FOOTER_HEIGHT - 2

    def ensure_room(self, height: float) -> None:
        """A new page when `height` mm no longer fit above the footer (the table of a report that
        received many files runs on), so that nothing is drawn over the footer or off the page."""
        if self.get_y() + height > self.bottom:
            self.add_page()

    def footer(self) -> None:
        """Called by fpdf2 as each page is closed."""
        self.set_xy(self.l_margin, self.h - FOOTER_HEIGHT)
        self.rule(gap=3)
        self.set_text_color(*MUTED)
        self.paragraph(self.footer_text, size=8.5, gap=0)

    @property
    def start(self) -> Align:
        return Align.R if self.rtl else Align.L

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font(self.body, "B" if bold else "", size)

    def word_width(self, word: str) -> float:
        """A word's shaped width, remembered across documents (the same labels come back in every
        one, and fpdf2 runs its bidi algorithm for each measure)."""
        key = (self.body, self.font_style, self.font_size_pt, word)
        width = _WORD_WIDTHS.get(key)
        if width is None:
            if len(_WORD_WIDTHS) >= _WORD_WIDTHS_KEPT:
                _WORD_WIDTHS.clear()
            width = _WORD_WIDTHS[key] = self.get_string_width(word)
        return width

    def wrap(self, text: str, width: float) -> list[str]:
        """Greedy line breaking at spaces, each word measured once (shaped, in the current font); a
        word wider than the line stays whole on a line of its own."""
        space = self.word_width(" ")
        lines: list[str] = []
        current: list[str] = []
        used = 0.0
        for word in _BREAKING_SPACES.split(text.translate(_NO_BREAK_SPACES).strip()):
            if not word:
                continue
            measured = self.word_width(word)
            if current and used + space + measured > width:
                lines.append(" ".join(current))
                current, used = [], 0.0
            used += (space if current else 0.0) + measured
            current.append(word)
        return [*lines, " ".join(current)] if current else lines

    def block_height(self, text: str, width: float, size: float, bold: bool = False) -> float:
        """The height `text_block` will use for `text` (leading 0.5)."""
        self.font(size, bold)
        return len(self.wrap(_without_vowel_marks(text), width)) * size * 0.5

    def text_block(
        self,
        text: str,
        x: float,
        y: float,
        width: float,
        size: float,
        bold: bool = False,
        leading: float = 0.5,
    ) -> float:
        """Draw `text` wrapped to `width` from (x, y), aligned to the page's reading side; the lines
        keep the direction of the paragraph's first strong letter. Returns the height used."""
        self.font(size, bold)
        text = _without_vowel_marks(text)
        direction = _direction(text) or ("rtl" if self.rtl else "ltr")
        # HarfBuzz finds each run's script itself: a Latin reference inside Arabic is shaped as Latin.
        self.set_text_shaping(use_shaping_engine=True, direction=direction)
        line_height = size * leading
        lines = self.wrap(text, width)
        for index, line in enumerate(lines):
            self.set_xy(x, y + index * line_height)
            self.cell(width, line_height, line, align=self.start)
            # fpdf2 2.8.9: a line that starts in a fallback font sets the body font inside its own
            # q…Q, yet records it as set on the page; the next line would then be drawn without a
            # font (or in the fallback's glyph ids). Forget it, so that each line sets its font.
            self.current_font_is_set_on_page = False
        return len(lines) * line_height

    def paragraph(self, text: str, size: float = 10.5, bold: bool = False, gap: float = 1.5) -> None:
        used = self.text_block(text, self.l_margin, self.get_y(), self.epw, size, bold)
        self.set_xy(self.l_margin, self.get_y() + used + gap)

    def rule(self, gap: float = 0) -> None:
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_xy(self.l_margin, self.get_y() + gap)

    def grid(self, rows: list[list[str]], widths: tuple[float, ...], heading: bool, size: float = 10) -> None:
        """Rows of cells in reading order, ruled between rows; mirrored on a right-to-left page (the
        first column on the right). `widths` are in mm and add up to the text width. A table that
        reaches the footer goes on over the next page, under its heading row again."""
        for number, cells in enumerate(rows):
            bold = heading and number == 0
            if self.get_y() + self._row_height(cells, widths, size, bold) > self.bottom:
                self.add_page()
                if heading and number > 0:
                    self._row(rows[0], widths, size, bold=True)
            self._row(cells, widths, size, bold)

    _PAD = 1.6

    def _row_height(self, cells: list[str], widths: tuple[float, ...], size: float, bold: bool) -> float:
        self.font(size, bold)
        wrapped = [self.wrap(text, width - 2 * self._PAD) for text, width in zip(cells, widths, strict=True)]
        return max(len(lines) for lines in wrapped) * size * 0.55 + 2 * self._PAD

    def _row(self, cells: list[str], widths: tuple[float, ...], size: float, bold: bool) -> None:
        pad = self._PAD
        height = self._row_height(cells, widths, size, bold)
        top = self.get_y()
        x = self.w - self.r_margin if self.rtl else self.l_margin
        for text, width in zip(cells, widths, strict=True):
            x = x - width if self.rtl else x
            if bold:
                self.set_text_color(*MUTED)
            self.text_block(text, x + pad, top + pad, width - 2 * pad, size, bold, leading=0.55)
            self.set_text_color(*INK)
            x = x if self.rtl else x + width
        self.set_xy(self.l_margin, top + height)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())


def _qr(pdf: _Page, url: str, x: float, y: float, side: float) -> None:
    """The QR code drawn as vector squares: sharp at any print size, nothing rasterised."""
    code = segno.make(url, error="m", micro=False)
    matrix = code.matrix
    module = side / (len(matrix) + 8)  # the quiet zone of four modules on each side
    pdf.set_fill_color(*INK)
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                pdf.rect(
                    x + (col_index + 4) * module, y + (row_index + 4) * module, module, module, style="F"
                )


def _facts_rows(facts: FilingFacts, issued_at: datetime) -> list[list[str]]:
    category = CATEGORY_BY_CODE.get(facts.category)
    region = REGION_BY_CODE.get(facts.region or "")
    amount = (
        f"{format_amount(facts.loss_amount)} {currency_name(facts.loss_currency or 'MAD')}"
        if facts.loss_amount is not None
        else _("No amount declared")
    )
    return [
        [_("Reference"), facts.reference],
        [_("Filed on"), _("%(moment)s (Morocco time)", moment=format_local_datetime(facts.filed_at))],
        [_("Category"), str(category.label) if category else facts.category],
        [_("Region"), str(region.label) if region else _("Not given")],
        [_("Amount declared"), amount],
        [_("Status on %(day)s", day=format_local_date(issued_at)), status_label(facts.status)],
    ]


def _evidence_rows(facts: FilingFacts) -> list[list[str]]:
    rows = [[_("No."), _("Kind of file"), _("Size"), _("SHA-256 fingerprint")]]
    for position, item in enumerate(facts.evidence, start=1):
        rows.append(
            [format_number(position), file_kind(item.media_type), format_file_size(item.size), item.sha256]
        )
    return rows


def render_acknowledgement(
    facts: FilingFacts, *, code: str, institution: str, addresses: Addresses, issued_at: datetime
) -> bytes:
    """The PDF's bytes. States only what `facts` holds: no secret code, description or contact."""
    pdf = _Page(facts.language)
    pdf.set_title(_("Acknowledgement of a report %(reference)s", reference=facts.reference))
    pdf.set_author(institution)
    pdf.set_lang(facts.language)
    pdf.set_creation_date(issued_at)
    pdf.footer_text = _("Issued on %(moment)s (Morocco time).", moment=format_local_datetime(issued_at))
    pdf.add_page()

    pdf.set_text_color(*MUTED)
    pdf.paragraph(institution, size=11, bold=True, gap=0.5)
    pdf.set_text_color(*INK)
    pdf.paragraph(_("Acknowledgement of a cybercrime report"), size=17, bold=True, gap=2)
    if facts.demo:
        pdf.set_text_color(*WARNING)
        pdf.paragraph(_("Demo report: made up to show the service. This paper proves nothing."), bold=True)
        pdf.set_text_color(*INK)
    pdf.paragraph(
        _(
            "%(institution)s confirms that it received the report below. This paper can be handed to a bank, "
            "an insurer or an employer: it holds neither the account of the facts, nor the contact details of "
            "the person who reported, nor their secret code.",
            institution=institution,
        ),
        gap=3,
    )
    pdf.rule()
    pdf.grid(_facts_rows(facts, issued_at), widths=(55, 119), heading=False)
    pdf.ln(5)

    pdf.ensure_room(32)  # the heading, its sentence and the table's first rows stay together
    pdf.paragraph(_("Evidence handed over"), size=12.5, bold=True)
    if facts.evidence:
        pdf.paragraph(
            ngettext(
                "%(num)d file was handed over. Its SHA-256 fingerprint identifies its content: any change to "
                "the file changes the fingerprint.",
                "%(num)d files were handed over. Each SHA-256 fingerprint identifies a file's content: any "
                "change to the file changes its fingerprint.",
                len(facts.evidence),
            ),
            size=9.5,
        )
        pdf.grid(_evidence_rows(facts), widths=(10, 30, 22, 112), heading=True, size=8)
    else:
        pdf.paragraph(_("No file was handed over with this report."), size=10)
    pdf.ln(5)

    _verification(pdf, facts, code, addresses)
    return bytes(pdf.output())  # the footer of each page is drawn by _Page.footer


def _verification(pdf: _Page, facts: FilingFacts, code: str, addresses: Addresses) -> None:
    side = 34.0
    text_width = pdf.epw - side - 6
    blocks = (
        (_("Verification code"), 12.5, True, 1.2),
        (code, 15, True, 2.5),
        (
            _(
                "To check this paper, open %(address)s and enter the reference %(reference)s and this code. "
                "The page says whether we issued it, with the filing date and the category.",
                address=addresses.verify,
                reference=facts.reference,
            ),
            9.5,
            False,
            1.5,
        ),
        (
            _("The QR code opens the page where the report is followed; only its author can read it there."),
            9.5,
            False,
            0,
        ),
    )
    # The code, its explanation and the QR code stay together, on a new page if need be.
    needed = sum(pdf.block_height(text, text_width, size, bold) + gap for text, size, bold, gap in blocks)
    pdf.ensure_room(max(needed, side) + 2)
    top = pdf.get_y()
    # The QR code on the outer side of the page; the text beside it, on the reading side.
    qr_x = pdf.l_margin if pdf.rtl else pdf.w - pdf.r_margin - side
    text_x = pdf.w - pdf.r_margin - text_width if pdf.rtl else pdf.l_margin
    _qr(pdf, addresses.tracking, qr_x, top, side)
    y = top
    for text, size, bold, gap in blocks:
        y += pdf.text_block(text, text_x, y, text_width, size, bold) + gap
    pdf.set_xy(pdf.l_margin, max(y, top + side) + 2)
