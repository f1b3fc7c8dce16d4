"""The admin dashboard: numbers from the database, charts drawn on the server, each with a table."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select, update

from intake.extensions import db
from intake.reports.models import Report, StatusChange
from intake.stats.counts import Month
from intake.stats.dashboard import Dashboard, build_dashboard
from intake.types import utcnow
from tests.conftest import FileAndTriage, LogIn, MakeStaff, SignIn, case_action


def test_the_dashboard_counts_and_medians(
    app: Flask, backend: str, filed_and_triaged: FileAndTriage, signed_in: SignIn
) -> None:
    citizen = app.test_client()
    first = filed_and_triaged(citizen)
    filed_and_triaged(citizen, category="sextortion", region="oriental")
    desk = signed_in()
    case_action(desk, first["reference"], "claim")
    case_action(desk, first["reference"], "status", status="in_progress")
    case_action(desk, first["reference"], "status", status="resolved")
    # the first report: filed 3 hours before the officer took it, resolved 5 hours after filing
    report_id = db.session.scalar(select(Report.id).where(Report.reference == first["reference"]))
    now = utcnow()
    from datetime import timedelta

    db.session.execute(
        update(Report).where(Report.id == report_id).values(created_at=now - timedelta(hours=5))
    )
    db.session.execute(
        update(StatusChange)
        .where(StatusChange.report_id == report_id, StatusChange.to_status == "assigned")
        .values(changed_at=now - timedelta(hours=2))
    )
    db.session.commit()
    local = Month.containing(now)  # Morocco's month: in the last UTC hour of a month it is already the next
    with app.test_request_context():
        data = build_dashboard(local)
    assert len(data.months) == 12 and data.months[-1][0] == str(local)
    assert sum(count for _, count in data.months) == 2  # this month, or the last if it just began
    assert dict(data.by_category) == {"online_shopping_fraud": 1, "sextortion": 1}
    assert dict(data.backlog_by_priority) == {"urgent": 1}
    assert data.median_hours_to_first_action == 3.0
    assert data.median_hours_to_resolution is not None and 4.9 <= data.median_hours_to_resolution <= 5.1


def test_the_page_draws_charts_with_tables_for_admins_only(
    app: Flask, filed_and_triaged: FileAndTriage, log_in: LogIn, make_staff: MakeStaff
) -> None:
    filed_and_triaged()
    make_staff("officer")
    desk = app.test_client()
    log_in(desk, "officer@police.example.ma")
    assert desk.get("/admin/").status_code == 403
    make_staff("admin", language="ar")
    admin = app.test_client()
    log_in(admin, "admin@police.example.ma")
    page = admin.get("/admin/").get_data(as_text=True)
    assert 'dir="rtl"' in page and page.count("<svg") == 4
    assert 'aria-describedby="categories-table"' in page and 'id="categories-table"' in page
    assert "transform=" not in page  # the mirror image is laid out on the server (intake/stats/charts.py)
    assert re.search(r"<td>1</td>", page)
    assert "cdn" not in page.lower()


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two(
    app: Flask, filed_and_triaged: FileAndTriage
) -> None:
    from datetime import timedelta

    from intake.stats.dashboard import _median_hours, _seconds_between

    now = utcnow()
    for hours in (1, 3):
        created = filed_and_triaged()
        report_id = db.session.scalar(select(Report.id).where(Report.reference == created["reference"]))
        db.session.execute(
            update(Report).where(Report.id == report_id).values(created_at=now - timedelta(hours=hours))
        )
    db.session.commit()
    with app.test_request_context():
        durations = select(_seconds_between(now, Report.created_at).label("seconds"))
        assert _median_hours(durations) == 2.0


def test_months_follow_moroccos_calendar_at_the_turn_of_a_month() -> None:
    """23:30 UTC on the last day of a month is already the next month in Morocco (UTC+1); the
    dashboard's twelve months end with Morocco's month, whatever the hour in UTC."""
    from datetime import UTC, datetime

    from intake.stats.dashboard import last_twelve_months

    turn = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
    assert Month.containing(turn) == Month(2026, 11)
    months = last_twelve_months(Month.containing(turn))
    assert [str(m) for m in (months[0], months[-1])] == ["2025-12", "2026-11"]
    assert Month(2026, 1).previous() == Month(2025, 12) and Month(2026, 12).next() == Month(2027, 1)


# The months as the Moroccan locales write them on an axis (CLDR's stand-alone abbreviations), by hand.
MONTH_NAMES = {
    "fr": ("jan.", "fév.", "mar.", "avr.", "mai", "jui.", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
    "ar": (
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "ماي",
        "يونيو",
        "يوليوز",
        "غشت",
        "شتنبر",
        "أكتوبر",
        "نونبر",
        "دجنبر",
    ),
}
NNBSP = "\u202f"  # the French group separator


def last_twelve_month_numbers() -> list[tuple[int, int]]:
    """(year, month) of the twelve months ending with this one in Morocco, oldest first."""
    now = datetime.now(ZoneInfo("Africa/Casablanca"))
    index = now.year * 12 + now.month - 1
    return [divmod(i, 12) for i in range(index - 11, index + 1)]


def expected_month_labels(lang: str) -> list[str]:
    return [MONTH_NAMES[lang][month] for _, month in last_twelve_month_numbers()]


def chart_section(page: str, chart_id: str) -> str:
    match = re.search(
        rf'<section class="chart" aria-labelledby="{chart_id}-title">(.*?)</section>', page, re.S
    )
    assert match, f"no {chart_id} chart"
    return match.group(1)


def drawn(section: str, kind: str) -> list[tuple[float, str]]:
    """The texts of one kind in a chart (`label`, `tick`, `value`…) with their x, left to right."""
    found = re.findall(
        rf'<text class="chart-{kind}" x="([\d.]+)" y="[\d.]+" text-anchor="\w+">([^<]*)</text>', section
    )
    return sorted((float(x), text) for x, text in found)


def table_rows(section: str, chart_id: str) -> list[list[str]]:
    match = re.search(rf'<table id="{chart_id}-table"[^>]*>.*?<tbody>(.*?)</tbody>', section, re.S)
    assert match, f"no table for {chart_id}"
    return [re.findall(r"<td>([^<]*)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", match.group(1))]


def assert_sound_references(page: str) -> None:
    """Every id once; every aria reference names an id of the page; no empty reference."""
    ids = re.findall(r'\bid="([^"]*)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for attribute in ("aria-describedby", "aria-labelledby"):
        for value in re.findall(rf'{attribute}="([^"]*)"', page):
            assert value.strip(), f"empty {attribute}"
            assert all(ref in ids for ref in value.split()), value
    for svg in re.findall(r"<svg\b[^>]*>", page):
        assert 'role="img"' in svg and "aria-describedby=" in svg
    assert "style=" not in page and "<style" not in page  # the policy allows neither (style-src 'self')
    charts = re.findall(r'<section class="chart".*?</section>', page, re.S)
    assert charts and not any("<script" in chart for chart in charts)  # drawn without script


def months_in_reading_order(section: str, lang: str) -> list[str]:
    """Month labels in time order as a reader of `lang` reads the axis: left to right in French,
    right to left in Arabic."""
    labels = [text for _, text in drawn(section, "label")]
    return labels if lang == "fr" else labels[::-1]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_with_no_report_the_chart_shows_twelve_empty_months(app: Flask, signed_in: SignIn, lang: str) -> None:
    page = signed_in("admin", language=lang).get("/admin/").get_data(as_text=True)
    months = chart_section(page, "months")
    assert months_in_reading_order(months, lang) == expected_month_labels(lang)
    assert sorted(text for _, text in drawn(months, "tick")) == ["0", "1"]
    assert [text for _, text in drawn(months, "value")] == ["0"] * 12
    rows = table_rows(months, "months")
    assert len(rows) == 12 and [count for _, count in rows] == ["0"] * 12
    assert page.count("<svg") == 1  # categories, regions and statuses: nothing to draw yet
    for chart_id in ("categories", "regions", "statuses"):
        assert "<svg" not in chart_section(page, chart_id)
    assert_sound_references(page)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_one_report_reads_on_a_scale_of_zero_to_one(
    app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn, lang: str
) -> None:
    filed_and_triaged()
    page = signed_in("admin", language=lang).get("/admin/").get_data(as_text=True)
    months = chart_section(page, "months")
    assert months_in_reading_order(months, lang) == expected_month_labels(lang)
    ticks = drawn(months, "tick")
    assert sorted(text for _, text in ticks) == ["0", "1"]
    values = [text for _, text in drawn(months, "value")]
    assert sorted(values) == ["0"] * 11 + ["1"]
    # the report's month is the latest: at the right end in French, at the left end in Arabic
    assert values[-1 if lang == "fr" else 0] == "1"
    month_labels = drawn(months, "label")
    assert all(x > month_labels[-1][0] for x, _ in ticks) == (
        lang == "ar"
    )  # the scale on the right in Arabic
    assert all(x < month_labels[0][0] for x, _ in ticks) == (lang == "fr")
    assert [count for _, count in table_rows(months, "months")][-1] == "1"
    categories = chart_section(page, "categories")
    category = {"fr": "Escroquerie aux achats en ligne", "ar": "النصب في الشراء عبر الإنترنت"}[lang]
    assert [text for _, text in drawn(categories, "label")] == [category]
    assert sorted(text for _, text in drawn(categories, "tick")) == ["0", "1"]
    assert table_rows(categories, "categories") == [[category, "1"]]
    assert page.count("<svg") == 4
    assert_sound_references(page)


def hundred_thousand(current: Month) -> Dashboard:
    """A national year: a hundred thousand reports in one month, a handful in another."""
    months = [f"{year:04d}-{month + 1:02d}" for year, month in last_twelve_month_numbers()]
    counts = [0] * 9 + [100_000, 12_345, 1]
    return Dashboard(
        months=list(zip(months, counts, strict=True)),
        by_category=[("sextortion", 7), ("online_shopping_fraud", 112_346)],
        by_region=[("casablanca_settat", 112_353)],
        by_status=[("triaged", 112_000), ("received", 353)],
        backlog_by_priority=[],
        median_hours_to_first_action=None,
        median_hours_to_resolution=None,
        campaigns=[],
    )


@pytest.mark.parametrize(("lang", "group"), [("fr", NNBSP), ("ar", ".")])
def test_a_hundred_thousand_reports_read_in_thousands(
    app: Flask, signed_in: SignIn, monkeypatch: pytest.MonkeyPatch, lang: str, group: str
) -> None:
    monkeypatch.setattr("intake.stats.views.build_dashboard", hundred_thousand)
    page = signed_in("admin", language=lang).get("/admin/").get_data(as_text=True)
    months = chart_section(page, "months")
    assert months_in_reading_order(months, lang) == expected_month_labels(lang)
    ticks = sorted((text for _, text in drawn(months, "tick")), key=lambda t: int(t.replace(group, "")))
    assert ticks == ["0", *(f"{n}{group}000" for n in (20, 40, 60, 80, 100))]
    values = [text for _, text in drawn(months, "value")]
    assert f"12{group}345" in values and f"100{group}000" not in values  # too wide for its column
    assert [count for _, count in table_rows(months, "months")][-3:] == [
        f"100{group}000",
        f"12{group}345",
        "1",
    ]
    categories = chart_section(page, "categories")
    assert [count for _, count in table_rows(categories, "categories")] == [
        f"112{group}346",
        "7",
    ]  # largest first
    assert sorted(text for _, text in drawn(categories, "tick")) == sorted(
        ["0", *(f"{n}{group}000" for n in (50, 100, 150))]
    )
    statuses = table_rows(chart_section(page, "statuses"), "statuses")
    received, triaged = {"fr": ("Reçu", "Trié"), "ar": ("مُستلَم", "مفروز")}[lang]
    assert [name for name, _ in statuses] == [received, triaged]  # in the order a report goes through
    assert_sound_references(page)
