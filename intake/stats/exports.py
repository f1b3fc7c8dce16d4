"""Monthly counts as CSV, XLSX or JSON: the long format `month, category, region, status, count`
with labels in the chosen language, small counts suppressed on request, and every cell safe to open
in a spreadsheet (no formula injection, ASVS 5.3.10).

`EXPORT_FORMATS` is the one table of formats that the page, the CLI and beat read: adding a format
is one entry there."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from flask_babel import force_locale
from openpyxl import Workbook

from intake.officer.labels import status_name
from intake.stats.counts import NOT_GIVEN, CountRow, Month, breakdown, monthly_counts
from intake.taxonomy import CATEGORY_BY_CODE, REGION_BY_CODE

COLUMNS = ("month", "category", "region", "status", "count", "category_label", "region_label", "status_label")
BREAKDOWNS = ("category", "region", "status", "channel", "language")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def shown_count(count: int, suppress_below: int | None) -> int | str:
    """Counts under the threshold become `<N` for publication (small numbers can identify people)."""
    return f"<{suppress_below}" if suppress_below and count < suppress_below else count


def label(dimension: str, code: str) -> str:
    """The label of a code in the current language (categories, regions, statuses)."""
    if dimension == "category":
        category = CATEGORY_BY_CODE.get(code)
        return str(category.label) if category else code
    if dimension == "region":
        region = REGION_BY_CODE.get(code)
        return str(region.label) if region else ("—" if code == NOT_GIVEN else code)
    if dimension == "status":
        return status_name(code)
    return code


def labelled(rows: Iterable[CountRow], suppress_below: int | None) -> Iterator[dict[str, Any]]:
    """The rows with their labels; each label is looked up once per export (a month at national
    scale has a thousand rows but a few dozen codes)."""
    labels: dict[tuple[str, str], str] = {}

    def cached(dimension: str, code: str) -> str:
        key = (dimension, code)
        if key not in labels:
            labels[key] = label(dimension, code)
        return labels[key]

    for row in rows:
        yield {
            "month": row.month,
            "category": row.category,
            "region": row.region,
            "status": row.status,
            "count": shown_count(row.count, suppress_below),
            "category_label": cached("category", row.category),
            "region_label": cached("region", row.region),
            "status_label": cached("status", row.status),
        }


def csv_chunks(months: list[Month], language: str, suppress_below: int | None) -> Iterator[str]:
    """UTF-8 with a byte-order mark, which Excel needs to read Arabic labels correctly."""
    with force_locale(language):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        yield "\ufeff"
        writer.writerow(COLUMNS)
        for record in labelled(monthly_counts(months), suppress_below):
            writer.writerow([neutralise(record[column]) for column in COLUMNS])
            if buffer.tell() > 8192:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()


def json_chunks(months: list[Month], language: str, suppress_below: int | None) -> Iterator[str]:
    """`{"rows": [...]}`, written row by row."""
    with force_locale(language):
        yield '{"rows": ['
        for index, record in enumerate(labelled(monthly_counts(months), suppress_below)):
            yield ("," if index else "") + json.dumps(record, ensure_ascii=False)
        yield "]}"


def xlsx_file(months: list[Month], language: str, suppress_below: int | None) -> IO[bytes]:
    """A workbook (written in openpyxl's streaming mode) with the rows, then one sheet per breakdown;
    right to left when the labels are Arabic."""
    workbook = Workbook(write_only=True)
    with force_locale(language):
        sheets: list[tuple[str, tuple[str, ...], Iterator[list[Any]]]] = [
            (
                "rows",
                COLUMNS,
                ([r[c] for c in COLUMNS] for r in labelled(monthly_counts(months), suppress_below)),
            )
        ]
        # Totals would let a reader subtract their way back to a suppressed cell: with suppression
        # on, only the rows (each cell suppressed on its own) are published.
        for dimension in () if suppress_below else BREAKDOWNS:
            totals = [[code, label(dimension, code), count] for code, count in breakdown(months, dimension)]
            sheets.append((f"by {dimension}", (dimension, "label", "count"), iter(totals)))
        for title, header, rows in sheets:
            sheet = workbook.create_sheet(title)
            sheet.sheet_view.rightToLeft = language == "ar"
            sheet.append(list(header))
            for row in rows:
                sheet.append([neutralise(value) for value in row])
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned open
    workbook.save(out)
    out.seek(0)
    return out


_CHUNK = 64 * 1024


def _csv_bytes(months: list[Month], language: str, suppress_below: int | None) -> Iterator[bytes]:
    for chunk in csv_chunks(months, language, suppress_below):
        yield chunk.encode("utf-8")


def _json_bytes(months: list[Month], language: str, suppress_below: int | None) -> Iterator[bytes]:
    for chunk in json_chunks(months, language, suppress_below):
        yield chunk.encode("utf-8")


def _xlsx_bytes(months: list[Month], language: str, suppress_below: int | None) -> Iterator[bytes]:
    with xlsx_file(months, language, suppress_below) as data:
        while chunk := data.read(_CHUNK):
            yield chunk


@dataclass(frozen=True)
class ExportFormat:
    name: str
    extension: str
    media_type: str
    # (months, language, suppress_below) -> the file's bytes, a chunk at a time
    write: Callable[[list[Month], str, int | None], Iterator[bytes]]

    def file_name(self, months: list[Month]) -> str:
        span = str(months[0]) if len(months) == 1 else f"{months[0]}-{months[-1]}"
        return f"blagh-{span}.{self.extension}"


EXPORT_FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("csv", "csv", "text/csv; charset=utf-8", _csv_bytes),
        ExportFormat(
            "xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _xlsx_bytes
        ),
        ExportFormat("json", "json", "application/json", _json_bytes),
    )
}
