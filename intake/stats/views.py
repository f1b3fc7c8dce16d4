"""Admin statistics: the dashboard, the monthly export (streamed) and the exports made by beat."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, render_template, request, send_file, stream_with_context
from flask_login import current_user

from intake.demo.presence import demo_report_count
from intake.i18n import select_locale, text_direction
from intake.officer.audit import record
from intake.officer.labels import priority_name
from intake.reports.forms import SUSPECT_KIND_LABELS
from intake.staff.access import fresh_second_factor, roles
from intake.staff.models import Role
from intake.stats.counts import BadMonth, Month, months_of_year
from intake.stats.dashboard import build_dashboard
from intake.stats.dashboard_charts import dashboard_charts
from intake.stats.exports import EXPORT_FORMATS
from intake.stats.scheduled import export_files, open_export
from intake.types import utcnow

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _months() -> list[Month]:
    args = request.args
    try:
        year = args.get("year", "")
        if re.fullmatch(r"[0-9]{4}", year):
            if not 1990 <= int(year) <= 2999:
                abort(400)
            return months_of_year(int(year))
        return [Month.parse(args.get("month", ""))]
    except BadMonth:
        abort(400)


@bp.context_processor
def admin_labels() -> dict[str, object]:
    return {"kind_labels": SUSPECT_KIND_LABELS}


def _suppress_below() -> int | None:
    """None when not asked for; a threshold that does not read as a positive number refuses the
    export, never falls back to unsuppressed counts."""
    text = request.args.get("suppress_below", "")
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,6}", text) or int(text) < 1:
        abort(400)
    return int(text)


@bp.get("/exports/monthly")
@roles(Role.ADMIN)
@fresh_second_factor()
def monthly_export() -> Response:
    months = _months()
    export_format = EXPORT_FORMATS.get(request.args.get("format", "csv"))
    language = request.args.get("language", current_user.language)
    if export_format is None or language not in {"ar", "fr", "en"}:
        abort(400)
    suppress_below = _suppress_below()
    record(
        "export",
        current_user.staff_id,
        None,
        request.remote_addr,
        months=[str(m) for m in months],
        format=export_format.name,
        suppress_below=suppress_below,
    )
    name = export_format.file_name(months)
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    chunks = export_format.write(months, language, suppress_below)
    return Response(stream_with_context(chunks), mimetype=export_format.media_type, headers=headers)


@bp.get("/exports")
@roles(Role.ADMIN)
def exports() -> str:
    return render_template(
        "admin/exports.html", files=export_files(), months=recent_months(), demo_reports=demo_report_count()
    )


@bp.get("/exports/files/<name>")
@roles(Role.ADMIN)
@fresh_second_factor()
def export_download(name: str) -> Response:
    stream = open_export(name)
    if stream is None:
        abort(404)
    record("export_download", current_user.staff_id, None, request.remote_addr, file=name)
    response = send_file(stream, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


def recent_months(count: int = 12) -> list[str]:
    """This month and the ones before it, newest first."""
    month = Month.containing(utcnow())
    months = []
    for _ in range(count):
        months.append(str(month))
        month = month.previous()
    return months


@bp.get("/")
@roles(Role.ADMIN)
def dashboard() -> str:
    data = build_dashboard(Month.containing(utcnow()))
    return render_template(
        "admin/dashboard.html",
        data=data,
        charts=dashboard_charts(data, rtl=text_direction(select_locale()) == "rtl"),
        priority_name=priority_name,
        demo_reports=demo_report_count(),
    )
