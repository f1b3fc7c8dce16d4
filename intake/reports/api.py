"""JSON API for partners and apps; the same form classes validate it as validate the HTML form."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.datastructures import CombinedMultiDict, MultiDict

from intake.extensions import csrf
from intake.i18n import LANGUAGES, best_language_from_header
from intake.reports.evidence import STORE_RETRY_AFTER, StoreUnavailable, evidence_store
from intake.reports.forms import ReportForm
from intake.reports.json_body import json_to_formdata
from intake.reports.models import Channel
from intake.reports.openapi import openapi_document
from intake.reports.rate_limits import filing_rate_limit, tracking_rate_limit
from intake.reports.receipts import clean_reference
from intake.reports.services import TrackedReport, file_report, lookup_by_receipt
from intake.reports.uploads import evidence_size_error
from intake.staff.access import public
from intake.taxonomy import CATEGORIES, REGIONS

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies are used here, so there is nothing for a forged request to ride on


def _labels(text: Any) -> dict[str, str]:
    labels = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            labels[lang] = str(text)
    return labels


@bp.get("/categories")
@public
def categories() -> Response:
    return jsonify(
        [
            {
                "code": c.code,
                "label": _labels(c.label),
                "urgent": c.urgent,
                "evidence_allowed": c.evidence_allowed,
            }
            for c in CATEGORIES
        ]
    )


@bp.get("/regions")
@public
def regions() -> Response:
    return jsonify([{"code": r.code, "label": _labels(r.label)} for r in REGIONS])


@bp.get("/openapi.json")
@public
def openapi() -> Response:
    return jsonify(openapi_document())


def _form_errors(form: ReportForm) -> dict[str, list[str]]:
    """WTForms errors flattened to `field` and `suspects.0.value` keys, rendered in the asker's language."""
    errors: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        if name == "suspects" and isinstance(messages, list):
            for index, row in enumerate(messages):
                if isinstance(row, dict):
                    for sub, sub_messages in row.items():
                        errors[f"suspects.{index}.{sub}"] = [str(m) for m in sub_messages]
                elif row:
                    errors.setdefault("suspects", []).append(str(row))
        elif name == "csrf_token":
            continue
        else:
            errors[name] = [str(m) for m in messages]
    return errors


def _request_language(payload: MultiDict[str, Any] | dict[str, Any]) -> str:
    lang = payload.get("language")
    return lang if isinstance(lang, str) and lang in LANGUAGES else best_language_from_header()


def _header_text(name: str) -> str:
    """A header as the client typed it: WSGI hands over its bytes as Latin-1, so UTF-8 text (a code
    typed with Arabic-Indic digits) is decoded again."""
    raw = request.headers.get(name, "")
    try:
        return raw.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return raw


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: Python reads them, JSON has none


def _json_body() -> Any:
    """The JSON body, or None for anything the parser cannot take: invalid UTF-8 or syntax, NaN,
    nesting deep enough to exhaust the parser (RecursionError, which get_json lets through)."""
    try:
        return json.loads(request.get_data(cache=True), parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return None


def _origin_allowed(origin: str) -> bool:
    """The service's own pages, and the partners' origins in API_ALLOWED_ORIGINS."""
    own = request.host_url.rstrip("/").lower()
    return origin.rstrip("/").lower() in {own} | current_app.config["API_ALLOWED_ORIGINS"]


@bp.before_request
def refuse_cross_origin_browser_posts() -> tuple[Response, int] | None:
    """A page elsewhere must not make its visitors' browsers file reports (CSRF, and the filing
    limit spread over every visitor): browsers say where a request comes from in `Origin` (and
    `Sec-Fetch-Site`); clients that are not browsers send neither and are not concerned (ASVS 13.2.3)."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return None
    origin = request.headers.get("Origin")
    cross_site = request.headers.get("Sec-Fetch-Site") == "cross-site"
    if (origin is None and not cross_site) or (origin is not None and _origin_allowed(origin)):
        return None
    g.lang = best_language_from_header()
    return jsonify(errors={"body": [_("Reports are sent from this service's own pages only.")]}), 403


@bp.after_request
def allow_partner_origins(response: Response) -> Response:
    origin = request.headers.get("Origin")
    if origin and origin.rstrip("/").lower() in current_app.config["API_ALLOWED_ORIGINS"]:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept-Language, X-Receipt"
        response.vary.add("Origin")
    return response


@bp.post("/reports")
@filing_rate_limit()
@public
def create_report() -> tuple[Response, int]:
    formdata: MultiDict[str, Any]
    type_errors: dict[str, list[Any]] = {}
    if request.mimetype == "application/json":
        request.max_content_length = current_app.config["API_JSON_MAX_BYTES"]
        payload = _json_body()
        if not isinstance(payload, dict):
            g.lang = best_language_from_header()
            return jsonify(errors={"body": [_("The body must be a JSON object.")]}), 400
        formdata, type_errors = json_to_formdata(payload)
        g.lang = _request_language(payload)
    elif request.mimetype == "multipart/form-data":
        formdata = CombinedMultiDict([request.files, request.form])
        g.lang = _request_language(request.form)
    else:
        g.lang = best_language_from_header()
        return jsonify(
            errors={"body": [_("Send the report as application/json or multipart/form-data.")]}
        ), 415

    form = ReportForm(formdata=formdata, meta={"csrf": False})
    too_large = evidence_size_error(form.uploaded_files())
    if too_large is not None:
        return jsonify(errors={"evidence": [str(too_large)]}), 413
    valid = form.validate()
    if type_errors or not valid:
        errors = _form_errors(form)
        errors.update({name: [str(m) for m in messages] for name, messages in type_errors.items()})
        return jsonify(errors=errors), 422
    try:
        filed = file_report(
            form.submission(), language=g.lang, channel=Channel.API.value, store=evidence_store()
        )
    except StoreUnavailable:
        refused = jsonify(
            errors={
                "evidence": [
                    _(
                        "The files cannot be stored just now, so nothing was filed. Send the report again in a few minutes."
                    )
                ]
            }
        )
        refused.headers["Retry-After"] = STORE_RETRY_AFTER
        return refused, 503
    response = jsonify(reference=filed.reference, receipt=filed.receipt, status=filed.status)
    response.headers["Cache-Control"] = "no-store"
    return response, 201


def _tracked_body(tracked: TrackedReport) -> dict[str, Any]:
    return {
        "reference": tracked.reference,
        "status": tracked.status,
        "history": [{"status": h.status, "at": h.at.isoformat(), "note": h.note} for h in tracked.history],
        "messages": [{"author": m.author, "body": m.body, "at": m.at.isoformat()} for m in tracked.messages],
        # set when the personal data were erased (retention, or the citizen's request)
        "erased_at": tracked.erased_at.isoformat() if tracked.erased_at else None,
    }


@bp.get("/reports/<reference>/status")
@tracking_rate_limit()
@public
def report_status(reference: str) -> tuple[Response, int]:
    tracked = lookup_by_receipt(clean_reference(reference), _header_text("X-Receipt"))
    if tracked is None:
        g.lang = best_language_from_header()
        return jsonify(errors={"report": [_("No report matches this reference and secret code.")]}), 404
    response = jsonify(_tracked_body(tracked))
    response.headers["Cache-Control"] = "no-store"
    return response, 200
