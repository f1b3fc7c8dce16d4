"""The admin dashboard: numbers from the database, charts drawn on the server, each with a table."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select, update

from intake.extensions import db
from intake.reports.models import Report, StatusChange
from intake.stats.counts import Month
from intake.stats.dashboard import build_dashboard
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
    assert 'transform="translate(400 0) scale(-1 1)"' in page  # bars start on the right in Arabic
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
