"""The dashboard's charts and their tables in the reader's language: month names, numbers in the
reader's figures, labels of categories, regions and statuses, and the direction of the page.
intake.stats.charts lays them out; templates/admin/dashboard.html writes them out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext

from intake.i18n import colon, format_month_year, format_number, format_short_month, format_year
from intake.reports.models import ReportStatus
from intake.stats.charts import Drawing, Entry, bar_chart, column_chart
from intake.stats.counts import Month
from intake.stats.dashboard import Dashboard
from intake.stats.exports import label

STATUS_ORDER = {status.value: rank for rank, status in enumerate(ReportStatus)}


@dataclass(frozen=True)
class Chart:
    """A drawing (None when there is nothing to draw) and the same numbers as a table's rows."""

    drawing: Drawing | None
    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class DashboardCharts:
    months: Chart
    categories: Chart
    regions: Chart
    statuses: Chart


def _first_day(month: Month) -> date:
    return date(month.year, month.month, 1)


def monthly_chart(months: list[tuple[str, int]], caption: str, rtl: bool) -> Chart:
    """Every month drawn, zeros included; the year under the first month and under each January."""
    days = [(_first_day(Month.parse(name)), count) for name, count in months]
    rows = [(format_month_year(day), format_number(count)) for day, count in days]
    entries = [
        Entry(
            label=format_short_month(day),
            value=count,
            sublabel=format_year(day) if index == 0 or day.month == 1 else "",
            tooltip=f"{month_year}{colon()}{number}",
        )
        for index, ((day, count), (month_year, number)) in enumerate(zip(days, rows, strict=True))
    ]
    return Chart(column_chart(entries, format_number, caption, rtl), rows)


def breakdown_chart(dimension: str, counts: list[tuple[str, int]], rtl: bool) -> Chart:
    """Largest first (statuses in the order a report goes through them); no drawing without reports."""
    labelled = [(label(dimension, code), code, count) for code, count in counts]
    if dimension == "status":
        labelled.sort(key=lambda row: (STATUS_ORDER.get(row[1], len(STATUS_ORDER)), row[0]))
    else:
        labelled.sort(key=lambda row: (-row[2], row[0]))
    entries = [
        Entry(name, count, tooltip=f"{name}{colon()}{format_number(count)}") for name, _, count in labelled
    ]
    drawing = bar_chart(entries, format_number, rtl) if entries else None
    return Chart(drawing, [(name, format_number(count)) for name, _, count in labelled])


def dashboard_charts(data: Dashboard, rtl: bool) -> DashboardCharts:
    return DashboardCharts(
        months=monthly_chart(data.months, gettext("Reports"), rtl),
        categories=breakdown_chart("category", data.by_category, rtl),
        regions=breakdown_chart("region", data.by_region, rtl),
        statuses=breakdown_chart("status", data.by_status, rtl),
    )
