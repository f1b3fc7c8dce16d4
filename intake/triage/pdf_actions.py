"""Active content in a PDF: what a reader may run or open on its own when an officer opens the file.

The names are looked for in the file as written and inside its compressed streams (object streams
hide dictionaries there), with `#xx` escapes decoded (`/J#61vaScript` is `/JavaScript`). Nothing is
executed or rendered; the file is flagged so that the case page says to open it in a sandbox.
"""

from __future__ import annotations

import re
import zlib

ACTIVE_NAMES = ("JavaScript", "JS", "Launch", "OpenAction", "EmbeddedFile")
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]{1,64})")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
# Inflated bytes read in all: a PDF of 10 MiB rarely inflates past a few times that, and a
# compression bomb stops here instead of filling the worker's memory.
INFLATE_BUDGET = 64 * 1024 * 1024


def _names(data: bytes) -> set[str]:
    found = set()
    for match in _NAME.finditer(data):
        name = _ESCAPE.sub(lambda escape: bytes([int(escape.group(1), 16)]), match.group(1))
        found.add(name.decode("latin-1"))
    return found


def _inflated_streams(data: bytes) -> list[bytes]:
    budget = INFLATE_BUDGET
    inflated = []
    for match in _STREAM.finditer(data):
        if budget <= 0:
            break
        try:
            chunk = zlib.decompressobj().decompress(match.group(1), budget)
        except zlib.error:
            continue  # not Flate (or damaged): the raw bytes were scanned already
        budget -= len(chunk)
        inflated.append(chunk)
    return inflated


def active_content(data: bytes) -> tuple[str, ...]:
    """The active-content names the PDF holds, in ACTIVE_NAMES order; empty when there are none."""
    names = _names(data)
    for chunk in _inflated_streams(data):
        names |= _names(chunk)
    return tuple(name for name in ACTIVE_NAMES if name in names)
