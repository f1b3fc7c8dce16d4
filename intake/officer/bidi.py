"""Left-to-right tokens inside right-to-left text. In an Arabic sentence `+212661234567` reads
`212661234567+`, `06 12 34 56 78` reads `78 56 34 12 06`, and an IBAN or a link breaks into pieces
in the wrong order: each such token is isolated in `<bdi dir="ltr">`, the rest of the text is escaped
and left as written."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_LTR_TOKEN = re.compile(
    "|".join(
        (
            # links (defanged or not), then e-mail addresses (a lookbehind: each word is tried once)
            r"(?:hxxps?://|https?://|www\[?\.\]?)[^\s<>\"،؛؟]*[^\s<>\"،؛؟.,;:!?)]",
            r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+(?:@|\[@\])[A-Za-z0-9-]+(?:(?:\.|\[\.\])[A-Za-z0-9-]+)+",
            r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){10,30}\b",  # IBAN
            r"\bBLG-[0-9A-Z]{4}-[0-9A-Z]{4}\b",  # a report's reference
            r"\b[0-9a-fA-F]{32,}\b",  # hashes
            # whole numbers with a sign or separators (phones, amounts, dates), and long ones (a RIB, a
            # phone); a short run of digits alone (`2500`, `2026`) keeps its order anyway
            r"(?<!\w)\+?[0-9]+(?:[ .,:/-]+[0-9]+)+(?!\w)|(?<!\w)\+[0-9]+(?!\w)|\b[0-9]{8,}\b",
        )
    )
)


def isolate_ltr(text: str) -> Markup:
    """The text, escaped, with each left-to-right token in `<bdi dir="ltr">`."""
    parts: list[str] = []
    end = 0
    for match in _LTR_TOKEN.finditer(text):
        parts += [escape(text[end : match.start()]), Markup('<bdi dir="ltr">%s</bdi>') % match.group(0)]
        end = match.end()
    parts.append(escape(text[end:]))
    return Markup("").join(parts)


def ltr(value: object) -> Markup:
    """One value known to be left-to-right (a count, a reference), isolated whole."""
    return Markup('<bdi dir="ltr">%s</bdi>') % value
