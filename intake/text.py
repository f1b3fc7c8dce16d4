"""Text as citizens send it, made safe to store: one filter that every text field goes through."""

from __future__ import annotations

import re
from typing import Any

# C0 controls but tab and newlines, DEL, C1 controls, and lone surrogates (which JSON can carry but
# UTF-8 cannot encode): PostgreSQL refuses NUL and invalid UTF-8, and none of them is ever meant.
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value: Any) -> Any:
    """Strip surrounding space, unify line ends and drop invisible control characters; non-text passes."""
    if not isinstance(value, str):
        return value
    return _UNWANTED.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
