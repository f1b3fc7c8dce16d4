"""Active content in a PDF: what a reader may run or open on its own when an officer opens the file.

The names are looked for in the file as written and inside its streams (object streams hide
dictionaries there), decoded by the filters PDFs use for that (Flate, ASCIIHex, ASCII85, alone or
chained), with `#xx` escapes decoded (`/J#61vaScript` is `/JavaScript`). What cannot be read is
flagged too: an encrypted file (`Encrypt`) or a stream whose filter is not read here
(`UnreadableStream`). Nothing is executed or rendered; the case page says to open the file in a
sandbox. The scan is linear in the file's size and bounded in what it inflates.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

ACTIVE_NAMES = ("JavaScript", "JS", "Launch", "OpenAction", "EmbeddedFile")
# Not active content as such, but content this scan cannot read, so it cannot say there is none.
UNREADABLE = ("Encrypt", "UnreadableStream")
# PDF whitespace is NUL, tab, LF, FF, CR and space; delimiters end a name too.
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]{1,64})")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_FILTERS = re.compile(rb"/Filter\s*(\[[^\]]{0,300}\]|/[A-Za-z0-9]{1,40})")
_READABLE_FILTERS = {b"FlateDecode", b"Fl", b"ASCIIHexDecode", b"AHx", b"ASCII85Decode", b"A85"}
# Image codecs: pixels, never a dictionary or a script, so there is nothing to look for inside.
_IMAGE_FILTERS = {b"DCTDecode", b"DCT", b"JPXDecode", b"CCITTFaxDecode", b"CCF", b"JBIG2Decode"}
# Inflated bytes read in all: a PDF of 10 MiB rarely inflates past a few times that, and a
# compression bomb stops here instead of filling the worker's memory.
INFLATE_BUDGET = 64 * 1024 * 1024


def _names(data: bytes) -> set[str]:
    found = set()
    for match in _NAME.finditer(data):
        name = _ESCAPE.sub(lambda escape: bytes([int(escape.group(1), 16)]), match.group(1))
        found.add(name.decode("latin-1"))
    return found


def _streams(data: bytes) -> list[tuple[bytes, bytes]]:
    """(the stream's dictionary head, its body) for each stream, found by walking forward only:
    each search starts where the last one ended, so a file full of unterminated streams costs one
    pass, not one pass per stream."""
    found = []
    position = 0
    while (start := data.find(b"stream", position)) != -1:
        if start >= 3 and data[start - 3 : start] == b"end":  # `endstream`, not a start
            position = start + 6
            continue
        body = start + 6
        if data[body : body + 2] == b"\r\n":
            body += 2
        elif data[body : body + 1] in (b"\n", b"\r"):
            body += 1
        else:
            position = body  # `stream` inside some other word
            continue
        end = data.find(b"endstream", body)
        if end == -1:
            end = len(data)
        found.append((data[max(0, start - 400) : start], data[body:end]))
        position = end + 9
    return found


def _decode(head: bytes, body: bytes, budget: int) -> bytes | None:
    """The stream's bytes through its filters, or None when a filter is not one read here."""
    declared = _FILTERS.findall(head)  # the last /Filter before `stream` is this stream's
    filters = re.findall(rb"/([A-Za-z0-9]+)", declared[-1]) if declared else []
    if _IMAGE_FILTERS.intersection(filters):
        return b""
    for name in filters:
        if name not in _READABLE_FILTERS:
            return None
        try:
            if name in {b"FlateDecode", b"Fl"}:
                body = zlib.decompressobj().decompress(body, budget)
            elif name in {b"ASCIIHexDecode", b"AHx"}:
                hexdigits = re.sub(rb"[^0-9A-Fa-f]", b"", body.split(b">", 1)[0])
                body = binascii.unhexlify(hexdigits + b"0" * (len(hexdigits) % 2))
            else:
                body = base64.a85decode(re.sub(rb"\s", b"", body.split(b"~>", 1)[0]), adobe=False)
        except (zlib.error, ValueError, binascii.Error):
            return None
    return body


def active_content(data: bytes) -> tuple[str, ...]:
    """The active-content names the PDF holds (and UNREADABLE ones), in a fixed order; empty when
    there are none."""
    names = _names(data)
    budget = INFLATE_BUDGET
    for head, body in _streams(data):
        if budget <= 0:
            names.add("UnreadableStream")
            break
        decoded = _decode(head, body, budget)
        if decoded is None:
            names.add("UnreadableStream")
            continue
        budget -= len(decoded)
        names |= _names(decoded)
    return tuple(name for name in (*ACTIVE_NAMES, *UNREADABLE) if name in names)
