"""Citizen pages: the report form, the confirmation, tracking. Thin: parse, call a service, render."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from intake.extensions import csrf
from intake.i18n import LANGUAGES, best_language_from_header
from intake.reports.evidence import LocalEvidenceStore
from intake.reports.forms import (
    COMMON_CURRENCIES,
    SUSPECT_KIND_LABELS,
    ReportForm,
    TrackForm,
    today_in_morocco,
)
from intake.reports.models import Channel
from intake.reports.services import file_report, lookup_by_receipt
from intake.reports.status_text import status_label
from intake.taxonomy import CATEGORIES, CATEGORY_BY_CODE, EMERGENCY_NUMBERS

bp = Blueprint("reports", __name__, url_prefix="/<lang>")
# The form classes check the CSRF token themselves (ASVS 4.2.2), so that an expired token becomes a
# message beside the citizen's kept answers instead of a bare 400 that loses what they typed.
csrf.exempt(bp)
root = Blueprint("root", __name__)

CONFIRMATION_KEY = "filed_report"


@root.get("/")
def index() -> Response:
    return redirect(url_for("reports.home", lang=best_language_from_header()), code=302)


@bp.url_value_preprocessor
def pull_lang(endpoint: str | None, values: dict[str, Any] | None) -> None:
    lang = (values or {}).pop("lang", None)
    if lang not in LANGUAGES:
        abort(404)
    g.lang = lang


@bp.url_defaults
def add_lang(endpoint: str, values: dict[str, Any]) -> None:
    values.setdefault("lang", g.get("lang"))


def evidence_store() -> LocalEvidenceStore:
    return LocalEvidenceStore(current_app.config["EVIDENCE_DIR"])


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def home() -> str:
    return render_template("reports/home.html", emergency_numbers=EMERGENCY_NUMBERS)


@bp.get("/privacy")
def privacy() -> str:
    return render_template("reports/privacy.html")


@bp.route("/report", methods=["GET", "POST"])
def report_form() -> ResponseReturnValue:
    form = ReportForm()
    if request.method == "POST" and "add_suspect" in request.form:
        # Without JavaScript, "add another identifier" posts the form back with one more row.
        form.suspects.append_entry()
        return _render_form(form, had_files=bool(form.uploaded_files())), 200
    if form.validate_on_submit():
        filed = file_report(form, language=g.lang, channel=Channel.WEB.value, store=evidence_store())
        session[CONFIRMATION_KEY] = {
            "reference": filed.reference,
            "receipt": filed.receipt,
            "category": filed.category,
        }
        return redirect(url_for(".confirmation"), code=303)
    status = 422 if request.method == "POST" else 200
    return _render_form(form, had_files=request.method == "POST" and bool(form.uploaded_files())), status


def _render_form(form: ReportForm, had_files: bool) -> Response:
    body = render_template(
        "reports/form.html",
        form=form,
        categories=CATEGORIES,
        category_by_code=CATEGORY_BY_CODE,
        suspect_kinds=SUSPECT_KIND_LABELS,
        currencies=COMMON_CURRENCIES,
        emergency_numbers=EMERGENCY_NUMBERS,
        files_dropped=had_files,
        today=today_in_morocco().isoformat(),
    )
    return _no_store(current_app.make_response(body))


@bp.get("/report/confirmation")
def confirmation() -> Response:
    """Shows the receipt once: it is taken out of the session as it is displayed."""
    filed = session.pop(CONFIRMATION_KEY, None)
    if filed is None:
        return redirect(url_for(".track_form"), code=303)
    category = CATEGORY_BY_CODE.get(filed["category"])
    body = render_template(
        "reports/confirmation.html", filed=filed, category=category, emergency_numbers=EMERGENCY_NUMBERS
    )
    return _no_store(current_app.make_response(body))


@bp.route("/track", methods=["GET", "POST"])
def track_form() -> tuple[Response, int]:
    form = TrackForm()
    tracked = None
    not_found = False
    if form.validate_on_submit():
        tracked = lookup_by_receipt(form.reference.data, form.receipt.data)
        not_found = tracked is None
    body = render_template(
        "reports/track.html",
        form=form,
        tracked=tracked,
        not_found=not_found,
        status_label=status_label,
        category_by_code=CATEGORY_BY_CODE,
    )
    status = 404 if not_found else 422 if form.errors else 200
    return _no_store(current_app.make_response(body)), status
