"""Admin statistics: the dashboard, the monthly export (streamed) and the exports made by beat."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    Response,
    abort,
    render_template,
    request,
    send_file,
    stream_with_context,
)
from flask_login import current_user

from intake.extensions import db
from intake.officer.audit import record
from intake.officer.labels import priority_name
from intake.reports.forms import SUSPECT_KIND_LABELS
from intake.staff.access import roles
from intake.staff.models import Role
from intake.stats.counts import BadMonth, Month, months_of_year
from intake.stats.dashboard import build_dashboard
from intake.stats.exports import FORMATS, csv_chunks, json_chunks, xlsx_file
from intake.stats.exports import label as export_label
from intake.stats.scheduled import export_files, export_path, previous_month
from intake.types import utcnow

bp = Blueprint("admin", __name__, url_prefix="/admin")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


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


@bp.get("/exports/monthly")
@roles(Role.ADMIN)
def monthly_export() -> Response:
    months = _months()
    file_format = request.args.get("format", "csv")
    language = request.args.get("language", current_user.language)
    suppress = request.args.get("suppress_below", "")
    if file_format not in FORMATS or language not in {"ar", "fr", "en"}:
        abort(400)
    suppress_below = int(suppress) if re.fullmatch(r"[0-9]{1,6}", suppress) and int(suppress) > 0 else None
    record(
        "export",
        current_user.staff_id,
        None,
        request.remote_addr,
        months=[str(m) for m in months],
        format=file_format,
        suppress_below=suppress_below,
    )
    db.session.commit()
    name = f"blagh-{months[0]}{'-' + str(months[-1]) if len(months) > 1 else ''}.{file_format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    if file_format == "xlsx":
        response = send_file(
            xlsx_file(months, language, suppress_below),
            mimetype=MEDIA_TYPES["xlsx"],
            as_attachment=True,
            download_name=name,
        )
        response.headers["Cache-Control"] = "no-store"
        return response
    chunks = (csv_chunks if file_format == "csv" else json_chunks)(months, language, suppress_below)
    return Response(stream_with_context(chunks), mimetype=MEDIA_TYPES[file_format], headers=headers)


@bp.get("/exports")
@roles(Role.ADMIN)
def exports() -> str:
    return render_template("admin/exports.html", files=export_files(), months=recent_months())


@bp.get("/exports/files/<name>")
@roles(Role.ADMIN)
def export_download(name: str) -> Response:
    path = export_path(name)
    if path is None:
        abort(404)
    record("export_download", current_user.staff_id, None, request.remote_addr, file=name)
    db.session.commit()
    response = send_file(path, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


def recent_months(count: int = 12) -> list[str]:
    month = previous_month(utcnow()).next()
    months = []
    for _ in range(count):
        months.append(str(month))
        month = Month(month.year - 1, 12) if month.month == 1 else Month(month.year, month.month - 1)
    return months


@bp.get("/")
@roles(Role.ADMIN)
def dashboard() -> str:
    data = build_dashboard(previous_month(utcnow()).next())
    return render_template(
        "admin/dashboard.html",
        data=data,
        label=export_label,
        priority_name=priority_name,
    )
