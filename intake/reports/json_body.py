"""The API's JSON body in the HTML form's field names, so that one form class validates both."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from intake.reports.forms import MAX_SUSPECTS

BOOLEAN_FIELDS = frozenset({"anonymous", "consent", "notify", "notify_sms"})
NUMBER_FIELDS = frozenset({"loss_amount"})
# The JSON body's keys: the form's fields, nothing else (no `suspects-0-value` smuggled in flat).
JSON_FIELDS = frozenset(
    {"category", "incident_date", "description", "region", "loss_amount", "loss_currency", "suspects"}
    | {"reporter_name", "reporter_email", "reporter_phone"}
    | BOOLEAN_FIELDS
)


def json_to_formdata(payload: Mapping[str, Any]) -> tuple[MultiDict[str, Any], dict[str, list[Any]]]:
    """An API body as form data, and its type errors.

    JSON types are strict: the booleans are true or false, text fields are strings, `loss_amount`
    a number or a string, `suspects` a list of {"kind", "value"} objects.
    """
    data: MultiDict[str, Any] = MultiDict()
    errors: dict[str, list[Any]] = {}
    for key, value in payload.items():
        if value is None or key not in JSON_FIELDS:
            continue
        if key == "suspects":
            _suspects_to_formdata(value, data, errors)
        elif key in BOOLEAN_FIELDS:
            if not isinstance(value, bool):
                errors[key] = [_l("Give true or false.")]
            elif value:
                data.add(key, "y")
        elif isinstance(value, str):
            data.add(key, value)
        elif key in NUMBER_FIELDS and isinstance(value, int | float) and not isinstance(value, bool):
            data.add(key, _number_text(value))
        else:
            errors[key] = [_l("Give this as text.")]
    return data, errors


def _number_text(value: int | float) -> str:
    """A JSON number as the amount field reads it. The field reads a dot before exactly three digits
    as grouping (10.000 is ten thousand, as typed in Morocco); a JSON number means a decimal point,
    so 1.125 is written 1.1250, which the field refuses for its third decimal, as it should."""
    text = format(Decimal(str(value)), "f")
    _, dot, decimals = text.partition(".")
    return f"{text}0" if dot and len(decimals) == 3 else text


def _suspects_to_formdata(value: Any, data: MultiDict[str, Any], errors: dict[str, list[Any]]) -> None:
    rows = value if isinstance(value, list) else None
    if rows is None or not all(
        isinstance(row, Mapping) and all(isinstance(row.get(k), str | None) for k in ("kind", "value"))
        for row in rows
    ):
        errors["suspects"] = [_l('Give the identifiers as a list of {"kind": …, "value": …} objects.')]
        return
    if len(rows) > MAX_SUSPECTS:  # refused before a subform is built for each row
        errors["suspects"] = [_l("Give %(max)s identifiers at most.", max=MAX_SUSPECTS)]
        return
    for index, row in enumerate(rows):
        data.add(f"suspects-{index}-kind", row.get("kind") or "")
        data.add(f"suspects-{index}-value", row.get("value") or "")
