"""Reading the documents the service issues back as their readers do (pdftotext, pdftoppm)."""

from __future__ import annotations

import re
import shutil
import subprocess
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
