"""Text as citizens send it, made safe to store: one filter that every text field goes through."""

from __future__ import annotations

import re
from typing import Any

from wtforms import StringField
from wtforms.meta import DefaultMeta

# C0 controls but tab and newlines, DEL, C1 controls, and lone surrogates (which JSON can carry but
# UTF-8 cannot encode): PostgreSQL refuses NUL and invalid UTF-8, and none of them is ever meant.
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value: Any) -> Any:
    """Strip surrounding space, unify line ends and drop invisible control characters; non-text passes."""
    if not isinstance(value, str):
        return value
    return _UNWANTED.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


class CleanTextMeta(DefaultMeta):
    """Form meta: every text field of a form goes through `clean_text` first (one rule, no field
    forgotten). A form opts in with `class Meta(CleanTextMeta): pass`."""

    def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
        if issubclass(unbound_field.field_class, StringField):
            options = {**options, "filters": (clean_text, *unbound_field.kwargs.get("filters", ()))}
        return super().bind_field(form, unbound_field, options)
