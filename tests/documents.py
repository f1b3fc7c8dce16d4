"""Reading the documents the service issues back as their readers do (pdftotext, pdftoppm)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services import IN_CI

# The verification code printed on an acknowledgement (intake.acknowledgements.codes).
CODE_PATTERN = re.compile(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}\b")


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} (poppler-utils) is not installed: `make browser` installs it"
        if IN_CI:
            pytest.fail(f"{message}; under CI=true a missing tool is a failure", pytrace=False)
        pytest.skip(f"SKIPPED, {message}")
    return path


def pdf_text(pdf: bytes, tmp_path: Path, raw: bool = False) -> str:
    """What pdftotext reads, in logical order, without the bidi marks it adds around each run. With
    `raw`, in the order the page draws it: poppler orders a line by the page's prevailing direction,
    and turns Tifinagh around on a page that also holds Arabic (the glosses of some terms)."""
    source = tmp_path / "acknowledgement.pdf"
    source.write_bytes(pdf)
    text = subprocess.run(
        [poppler("pdftotext"), *(["-raw"] if raw else []), str(source), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return re.sub("[\u200e\u200f\u202a-\u202e]", "", text)


def pdf_info(pdf: bytes, tmp_path: Path) -> str:
    """The document's information (title, author…), which pdftotext does not print."""
    source = tmp_path / "acknowledgement.pdf"
    source.write_bytes(pdf)
    return subprocess.run(
        [poppler("pdfinfo"), str(source)], check=True, capture_output=True, text=True
    ).stdout


@dataclass(frozen=True)
class Word:
    text: str
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Word, tolerance: float = 0.5) -> bool:
        return (
            min(self.right, other.right) - max(self.left, other.left) > tolerance
            and min(self.bottom, other.bottom) - max(self.top, other.top) > tolerance
        )


@dataclass(frozen=True)
class PageWords:
    width: float
    height: float
    words: list[Word]


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def pdf_words(pdf: bytes, tmp_path: Path) -> list[PageWords]:
    """Each page's words with their boxes, in points from the top left (pdftotext -bbox). Reliable
    for left-to-right text only: poppler's boxes of Arabic words overlap one another."""
    source = tmp_path / "acknowledgement.pdf"
    source.write_bytes(pdf)
    xhtml = subprocess.run(
        [poppler("pdftotext"), "-bbox", str(source), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [
        PageWords(
            float(width),
            float(height),
            [
                Word(html.unescape(text), float(left), float(top), float(right), float(bottom))
                for left, top, right, bottom, text in _WORD.findall(body)
            ],
        )
        for width, height, body in _PAGE.findall(xhtml)
    ]
