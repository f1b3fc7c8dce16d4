"""Monthly counts exported as CSV, XLSX and JSON: exact per cell, suppressed on request, safe to
open in a spreadsheet, refused to officers, one aggregate query per month."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select, text, update

from intake.extensions import db
from intake.reports.models import Report
from intake.stats.counts import Month, monthly_counts_query
from intake.stats.exports import neutralise
from tests.conftest import LogIn, MakeStaff
from tests.factories import report_payload

MARCH = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
APRIL = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)


def file_reports(app: Flask) -> Counter[tuple[str, str, str, str]]:
    """Reports spread over two months; the expected count of each (month, category, region, status)."""
    client = app.test_client()
    plan = [
        (MARCH, "online_shopping_fraud", "casablanca_settat"),
        (MARCH, "online_shopping_fraud", "casablanca_settat"),
        (MARCH, "sextortion", "oriental"),
        (MARCH, "phishing_impersonation", None),
        (APRIL, "online_shopping_fraud", "casablanca_settat"),
    ]
    expected: Counter[tuple[str, str, str, str]] = Counter()
    for when, category, region in plan:
        created = client.post("/api/v1/reports", json=report_payload(category=category, region=region))
        assert created.status_code == 201, created.json
        db.session.execute(
            update(Report).where(Report.reference == created.json["reference"]).values(created_at=when)
        )
        expected[(f"{when:%Y-%m}", category, region or "not_given", "received")] += 1
    db.session.commit()
    return expected


def as_counter(rows: list[dict[str, Any]]) -> Counter[tuple[str, str, str, str]]:
    return Counter({(r["month"], r["category"], r["region"], r["status"]): int(r["count"]) for r in rows})


def run_cli(app: Flask, *args: str) -> Any:
    result = app.test_cli_runner().invoke(args=["export", "monthly", *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_exported_counts_equal_what_was_filed(app: Flask, backend: str, fmt: str, tmp_path: Any) -> None:
    expected = file_reports(app)
    march = Counter({k: v for k, v in expected.items() if k[0] == "2026-03"})
    output = tmp_path / f"march.{fmt}"
    run_cli(app, "--month", "2026-03", "--format", fmt, "--output", str(output), "--language", "ar")
    if fmt == "csv":
        text_data = output.read_text(encoding="utf-8")
        assert text_data.startswith("\ufeff")  # Excel reads the Arabic labels as UTF-8
        rows = list(csv.DictReader(io.StringIO(text_data.lstrip("\ufeff"))))
        assert "الدار البيضاء - سطات" in text_data
    elif fmt == "json":
        rows = json.loads(output.read_text(encoding="utf-8"))["rows"]
    else:
        workbook = load_workbook(output)
        sheet = workbook["rows"]
        header = [cell.value for cell in sheet[1]]
        rows = [
            dict(zip(header, [cell.value for cell in line], strict=True))
            for line in sheet.iter_rows(min_row=2)
        ]
        assert sheet.sheet_view.rightToLeft is True
        by_category = {row[0].value: row[2].value for row in workbook["by category"].iter_rows(min_row=2)}
        assert by_category == {"online_shopping_fraud": 2, "phishing_impersonation": 1, "sextortion": 1}
    assert as_counter(rows) == march
    assert {"category_label", "region_label", "status_label"} <= set(rows[0])


def read_rows(path: Any, fmt: str) -> list[dict[str, Any]]:
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8").lstrip("\ufeff"))))
    if fmt == "json":
        return list(json.loads(path.read_text(encoding="utf-8"))["rows"])
    sheet = load_workbook(path)["rows"]
    header = [cell.value for cell in sheet[1]]
    return [
        dict(zip(header, [cell.value for cell in line], strict=True)) for line in sheet.iter_rows(min_row=2)
    ]


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_a_year_has_every_month(app: Flask, fmt: str, tmp_path: Any) -> None:
    expected = file_reports(app)
    output = tmp_path / f"2026.{fmt}"
    run_cli(app, "--year", "2026", "--format", fmt, "--output", str(output))
    assert as_counter(read_rows(output, fmt)) == expected


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_csv_and_json_are_written_as_they_are_read(app: Flask, fmt: str) -> None:
    """Streaming: the first chunk is out before the database has been asked for a row, and the rows
    then come from the real aggregate query (counted as it runs, not mocked)."""
    from sqlalchemy import event

    from intake.stats.exports import EXPORT_FORMATS

    expected = file_reports(app)
    queries: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM reports" in statement:
            queries.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with app.test_request_context():
            chunks = EXPORT_FORMATS[fmt].write([Month(2026, 3)], "fr", None)
            first = next(chunks)
            assert queries == []  # nothing read yet: the answer starts before the rows exist
            body = (first + b"".join(chunks)).decode("utf-8-sig")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(queries) == 1  # one aggregate query for the month
    rows = list(csv.DictReader(io.StringIO(body))) if fmt == "csv" else json.loads(body)["rows"]
    march = Counter({k: v for k, v in expected.items() if k[0] == "2026-03"})
    assert as_counter(rows) == march


def test_small_counts_are_suppressed_for_publication(app: Flask) -> None:
    file_reports(app)
    rows = json.loads(run_cli(app, "--month", "2026-03", "--format", "json", "--suppress-below", "2").output)[
        "rows"
    ]
    assert sorted(str(r["count"]) for r in rows) == ["2", "<2", "<2"]


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_cells_are_neutralised(value: str) -> None:
    assert neutralise(value) == "'" + value
    assert neutralise("Casablanca") == "Casablanca" and neutralise(3) == 3


def test_the_page_streams_an_export_to_admins_only(app: Flask, log_in: LogIn, make_staff: MakeStaff) -> None:
    file_reports(app)
    make_staff("officer")
    officer = app.test_client()
    log_in(officer, "officer@police.example.ma")
    assert officer.get("/admin/exports/monthly?month=2026-03&format=csv").status_code == 403
    make_staff("admin")
    admin = app.test_client()
    log_in(admin, "admin@police.example.ma")
    response = admin.get("/admin/exports/monthly?month=2026-03&format=csv&language=fr")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"] == 'attachment; filename="blagh-2026-03.csv"'
    assert "Casablanca-Settat" in response.get_data(as_text=True)
    xlsx = admin.get("/admin/exports/monthly?month=2026-03&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    xlsx.close()
    assert admin.get("/admin/exports/monthly?month=2026-13").status_code == 400
    from sqlalchemy import select

    from intake.officer.models import AuditEvent

    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "export")).all() == [
        "export",
        "export",
    ]


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_a_month_is_one_aggregate_query_on_the_index(app: Flask, backend: str) -> None:
    db.session.execute(text("SET enable_seqscan = off"))
    query = monthly_counts_query(Month(2026, 3))
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
    assert "ix_reports_monthly" in plan and "Aggregate" in plan, plan
    db.session.rollback()


def test_last_months_export_is_made_by_the_scheduled_task_and_listed_for_admins(
    app: Flask, log_in: LogIn, make_staff: MakeStaff
) -> None:
    import workers.stats

    # Morocco's calendar: 23:30 UTC on 31 March is already April there (UTC+1)
    assert str(Month.containing(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)).previous()) == "2026-03"
    assert str(Month.containing(datetime(2026, 1, 1, 1, 0, tzinfo=UTC)).previous()) == "2025-12"
    expected = file_reports(app)
    from unittest import mock

    with mock.patch("workers.stats.utcnow", return_value=datetime(2026, 4, 1, 2, 0, tzinfo=UTC)):
        result = workers.stats.export_last_month.apply()
    assert result.successful(), result.traceback
    schedule = app.extensions["celery"].conf.beat_schedule["export-last-month"]
    assert schedule["task"] == "stats.export_last_month"
    make_staff("admin")
    admin = app.test_client()
    log_in(admin, "admin@police.example.ma")
    listing = admin.get("/admin/exports").get_data(as_text=True)
    assert all(f"blagh-2026-03.{fmt}" in listing for fmt in ("csv", "json", "xlsx"))
    download = admin.get("/admin/exports/files/blagh-2026-03.json")
    march = Counter({k: v for k, v in expected.items() if k[0] == "2026-03"})
    assert download.status_code == 200 and as_counter(json.loads(download.data)["rows"]) == march
    download.close()
    assert admin.get("/admin/exports/files/..%2Fsecret_key").status_code == 404


def test_suppressed_workbooks_publish_no_totals_to_subtract_from(app: Flask, tmp_path: Any) -> None:
    file_reports(app)
    plain, suppressed = tmp_path / "plain.xlsx", tmp_path / "suppressed.xlsx"
    run_cli(app, "--month", "2026-03", "--format", "xlsx", "--output", str(plain), "--language", "fr")
    run_cli(
        app, "--month", "2026-03", "--format", "xlsx", "--output", str(suppressed), "--suppress-below", "2"
    )
    assert load_workbook(suppressed).sheetnames == ["rows"]
    labels = {row[0].value: row[1].value for row in load_workbook(plain)["by category"].iter_rows(min_row=2)}
    assert labels["online_shopping_fraud"] == "Escroquerie aux achats en ligne"


@pytest.mark.parametrize("threshold", ["²", "0", "-1", "five", "1e3", "9999999"])
def test_a_threshold_that_does_not_parse_refuses_the_export(
    app: Flask, threshold: str, log_in: LogIn, make_staff: MakeStaff
) -> None:
    """Never unsuppressed counts in place of what the admin asked for (a publication could leak)."""
    file_reports(app)
    make_staff("admin")
    admin = app.test_client()
    log_in(admin, "admin@police.example.ma")
    refused = admin.get(f"/admin/exports/monthly?month=2026-03&format=csv&suppress_below={threshold}")
    assert refused.status_code == 400 and "Casablanca" not in refused.get_data(as_text=True)
    from intake.officer.models import AuditEvent

    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "export")) is None
    assert admin.get("/admin/exports/monthly?month=2026-03&suppress_below=5").status_code == 200


def test_odd_export_parameters_are_refused_before_anything_is_written(
    app: Flask, log_in: LogIn, make_staff: MakeStaff
) -> None:
    make_staff("admin")
    admin = app.test_client()
    log_in(admin, "admin@police.example.ma")
    assert admin.get("/admin/exports/monthly?year=0000").status_code == 400
