"""Citizen pages: the report form, the confirmation, tracking. Thin: parse, call a service, render."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

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
from flask import Response as FlaskResponse
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter import RequestLimit
from werkzeug.wrappers import Response

from intake.acknowledgements.document import Addresses
from intake.acknowledgements.services import issue_acknowledgement, verify_acknowledgement
from intake.clock import today_in_morocco
from intake.extensions import csrf
from intake.i18n import CITIZEN_LANGUAGES, LANGUAGES, best_language_from_header
from intake.notifications.channels import enabled_channels
from intake.privacy.retention import retention_days
from intake.reports.confirmations import SlipTicket, take_receipt
from intake.reports.evidence import STORE_RETRY_AFTER, StoreUnavailable, evidence_store
from intake.reports.forms import (
    COMMON_CURRENCIES,
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    EARLIEST_INCIDENT,
    MAX_SUSPECTS,
    SUSPECT_KIND_LABELS,
    AnswerForm,
    ReportForm,
    TrackForm,
    VerifyForm,
)
from intake.reports.models import Channel
from intake.reports.rate_limits import filing_rate_limit, tracking_rate_limit
from intake.reports.services import (
    AnswerOutcome,
    AnswerRefused,
    ErasureOutcome,
    TrackedReport,
    ask_for_erasure,
    citizen_answer,
    file_report,
    lookup_by_receipt,
)
from intake.reports.status_text import REFUSAL_TEXTS, erased_text, status_label
from intake.reports.uploads import evidence_limits
from intake.staff.access import public
from intake.taxonomy import CATEGORIES, CATEGORY_BY_CODE, EMERGENCY_NUMBERS, REGION_BY_CODE

bp = Blueprint("reports", __name__, url_prefix="/<lang>")
# The form classes check the CSRF token themselves (ASVS 4.2.2), so that an expired token becomes a
# message beside the citizen's kept answers instead of a bare 400 that loses what they typed.
csrf.exempt(bp)
root = Blueprint("root", __name__)

CONFIRMATION_KEY = "filed_report"


@root.get("/")
@public
def index() -> Response:
    return redirect(url_for("reports.home", lang=best_language_from_header(CITIZEN_LANGUAGES)), code=302)


@bp.url_value_preprocessor
def pull_lang(endpoint: str | None, values: dict[str, Any] | None) -> None:
    lang = (values or {}).pop("lang", None)
    if lang not in LANGUAGES:
        abort(404)
    g.lang = lang


@bp.url_defaults
def add_lang(endpoint: str, values: dict[str, Any]) -> None:
    values.setdefault("lang", g.get("lang"))


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@public
def home() -> str:
    return render_template("reports/home.html", emergency_numbers=EMERGENCY_NUMBERS)


@bp.get("/privacy")
@public
def privacy() -> str:
    """The notice law 09-08 asks for; every name, reference and period comes from the settings."""
    config = current_app.config
    return render_template(
        "reports/privacy.html",
        controller=SimpleNamespace(
            name=config["CONTROLLER_NAME"],
            address=config["CONTROLLER_ADDRESS"],
            contact=config["CONTROLLER_CONTACT"],
            cndp_reference=config["CNDP_REFERENCE"],
        ),
        retention=SimpleNamespace(**{status: days for status, days in retention_days(config).items()}),
    )


def _form_over_limit(limit: RequestLimit) -> FlaskResponse:
    """Over the filing limit, the citizen keeps what they typed and is told to wait."""
    form = ReportForm()
    response = _render_form(form, had_files=bool(form.uploaded_files()), rate_limited=True)
    response.status_code = 429
    return cast(FlaskResponse, response)  # make_response builds Flask's Response class


@bp.route("/report", methods=["GET", "POST"])
@filing_rate_limit(on_breach=_form_over_limit)
@public
def report_form() -> ResponseReturnValue:
    form = ReportForm()
    if request.method == "POST" and "add_suspect" in request.form:
        # Without JavaScript, "add another identifier" posts the form back with one more row.
        if form.can_add_suspect():
            form.suspects.append_entry()
        return _render_form(form, had_files=bool(form.uploaded_files())), 200
    if form.validate_on_submit():
        try:
            filed = file_report(
                form.submission(),
                language=g.lang,
                channel=Channel.WEB.value,
                store=evidence_store(),
                hold_receipt_for_confirmation=True,
            )
        except StoreUnavailable:
            # Nothing was stored: the citizen keeps what they typed and is told to try again soon.
            response = _render_form(form, had_files=True, store_down=True)
            response.headers["Retry-After"] = STORE_RETRY_AFTER
            return response, 503
        if filed.slip is None:
            raise RuntimeError("file_report did not hold the receipt for the confirmation page")
        # Never the receipt itself: the cookie is signed, not encrypted (see intake.reports.confirmations).
        session[CONFIRMATION_KEY] = {
            "reference": filed.reference,
            "category": filed.category,
            "slip": filed.slip.slip_id,
            "pad": filed.slip.pad,
        }
        return redirect(url_for(".confirmation"), code=303)
    status = 422 if request.method == "POST" else 200
    return _render_form(form, had_files=request.method == "POST" and bool(form.uploaded_files())), status


def _render_form(
    form: ReportForm, had_files: bool, rate_limited: bool = False, store_down: bool = False
) -> Response:
    body = render_template(
        "reports/form.html",
        form=form,
        categories=CATEGORIES,
        category_by_code=CATEGORY_BY_CODE,
        suspect_kinds=SUSPECT_KIND_LABELS,
        currencies=COMMON_CURRENCIES,
        emergency_numbers=EMERGENCY_NUMBERS,
        files_dropped=had_files,
        rate_limited=rate_limited,
        store_down=store_down,
        today=today_in_morocco().isoformat(),
        earliest=EARLIEST_INCIDENT.isoformat(),
        description_limits={"min": DESCRIPTION_MIN, "max": DESCRIPTION_MAX},
        evidence_limits=evidence_limits(),
        max_suspects=MAX_SUSPECTS,
        notify_channels=enabled_channels(current_app.config),
    )
    return _no_store(current_app.make_response(body))


@bp.get("/report/confirmation")
@public
def confirmation() -> Response:
    """Shows the receipt once: its slip is deleted as it is read, so a replayed cookie finds nothing.

    The session entry is dropped only once the page is rendered: a failed attempt can be retried.
    """
    filed = session.get(CONFIRMATION_KEY)
    if not isinstance(filed, dict) or not {"slip", "pad", "reference", "category"} <= filed.keys():
        session.pop(CONFIRMATION_KEY, None)
        return redirect(url_for(".track_form"), code=303)
    receipt = take_receipt(SlipTicket(str(filed["slip"]), str(filed["pad"])))
    if receipt is None:
        session.pop(CONFIRMATION_KEY, None)
        return redirect(url_for(".track_form"), code=303)
    body = render_template(
        "reports/confirmation.html",
        reference=filed["reference"],
        receipt=receipt,
        category=CATEGORY_BY_CODE.get(filed["category"]),
        emergency_numbers=EMERGENCY_NUMBERS,
    )
    session.pop(CONFIRMATION_KEY, None)
    return _no_store(current_app.make_response(body))


@bp.post("/track/answer")
@tracking_rate_limit()
@public
def answer() -> tuple[Response, int]:
    """The citizen answers an officer's question with reference + secret code (ASVS 4.2.1: the code
    is checked again, never trusted from an earlier page)."""
    form = AnswerForm()
    outcome = None
    refused = None
    store_down = False
    if form.validate_on_submit():
        try:
            outcome = citizen_answer(
                form.reference.data,
                form.receipt.data,
                form.answer.data,
                form.checked_uploads,
                evidence_store(),
            )
        except AnswerRefused:
            refused = _("For this category, do not upload any file: give the links only.")
        except StoreUnavailable:
            store_down = True
            refused = _(
                "Your files could not be stored just now, so your answer was not sent. Your text is below: "
                "attach your files again and send it in a few minutes."
            )
        if outcome is AnswerOutcome.NOT_WAITING:
            refused = _("Your report is no longer waiting for an answer. Your text is below.")
    answered = outcome is AnswerOutcome.SENT
    tracked = lookup_by_receipt(form.reference.data or "", form.receipt.data or "") if answered else None
    body = _render_track(
        TrackForm(formdata=None),
        form,
        tracked,
        answered=answered,
        not_found=outcome is AnswerOutcome.NOT_FOUND,
        refused=refused,
    )
    status = 200 if answered else 404 if outcome is AnswerOutcome.NOT_FOUND else 503 if store_down else 422
    response = _no_store(current_app.make_response(body))
    if store_down:
        response.headers["Retry-After"] = STORE_RETRY_AFTER
    return response, status


@bp.post("/track/erasure")
@tracking_rate_limit()
@public
def erasure() -> tuple[Response, int]:
    """The citizen asks for their personal data to be erased, with reference + secret code (checked
    again here); an officer erases them, or refuses and says why on this page."""
    form = TrackForm()
    outcome = ask_for_erasure(form.reference.data, form.receipt.data) if form.validate_on_submit() else None
    found = outcome in {ErasureOutcome.ASKED, ErasureOutcome.NOTHING_TO_ASK}
    tracked = lookup_by_receipt(form.reference.data, form.receipt.data) if found else None
    body = _render_track(
        form if tracked is None else TrackForm(formdata=None),
        AnswerForm(formdata=None, reference=tracked.reference if tracked else None),
        tracked,
        erasure_asked=outcome is ErasureOutcome.ASKED,
        not_found=outcome is ErasureOutcome.NOT_FOUND,
    )
    status = 200 if found else 404 if outcome is ErasureOutcome.NOT_FOUND else 422
    return _no_store(current_app.make_response(body)), status


def _render_track(
    form: TrackForm, answer_form: AnswerForm, tracked: TrackedReport | None, **flags: Any
) -> str:
    return render_template(
        "reports/track.html",
        form=form,
        answer_form=answer_form,
        tracked=tracked,
        evidence_limits=evidence_limits(),
        status_label=status_label,
        category_by_code=CATEGORY_BY_CODE,
        refusal_texts=REFUSAL_TEXTS,
        erased_text=erased_text,
        **flags,
    )


@bp.route("/track", methods=["GET", "POST"])
@tracking_rate_limit()
@public
def track_form() -> tuple[Response, int]:
    form = TrackForm()
    tracked = None
    not_found = False
    if form.validate_on_submit():
        tracked = lookup_by_receipt(form.reference.data, form.receipt.data)
        not_found = tracked is None
    body = _render_track(
        form,
        AnswerForm(formdata=None, reference=tracked.reference if tracked else None),
        tracked,
        not_found=not_found,
    )
    status = 404 if not_found else 422 if form.errors else 200
    return _no_store(current_app.make_response(body)), status


def public_addresses(lang: str) -> Addresses:
    """The addresses printed on an acknowledgement, in the report's language, under PUBLIC_URL (never
    the request's Host header, which a client chooses)."""
    base = current_app.config["PUBLIC_URL"]
    return Addresses(
        tracking=base + url_for(".track_form", lang=lang),
        verify=base + url_for(".verify", lang=lang),
    )


@bp.post("/track/acknowledgement")
@tracking_rate_limit()
@public
def acknowledgement() -> ResponseReturnValue:
    """The acknowledgement of filing as a PDF, for reference + secret code (checked here again, as
    every page that acts on a report does); offered on the confirmation and tracking pages.

    No CSRF token: the download changes nothing and its answer cannot be read by another site, while
    a token expired on the confirmation page (the one page that shows the secret code) would replace
    that page with an error and lose the code."""
    form = TrackForm(meta={"csrf": False})
    if not form.validate_on_submit():
        return _no_store(current_app.make_response(_render_track(form, AnswerForm(formdata=None), None))), 422
    issued = issue_acknowledgement(form.reference.data, form.receipt.data, public_addresses)
    if issued is None:
        body = _render_track(form, AnswerForm(formdata=None), None, not_found=True)
        return _no_store(current_app.make_response(body)), 404
    response = current_app.response_class(issued.pdf, mimetype="application/pdf")
    # Quoted by Werkzeug if ever needed: a header never takes a value as it is.
    response.headers.set(
        "Content-Disposition", "attachment", filename=f"acknowledgement-{issued.reference}.pdf"
    )
    return _no_store(response)


@bp.route("/verify", methods=["GET", "POST"])
@tracking_rate_limit()
@public
def verify() -> tuple[Response, int]:
    """Anyone holding an acknowledgement checks it with the reference and the code printed on it."""
    form = VerifyForm()
    verified = None
    checked = form.validate_on_submit()
    if checked:
        verified = verify_acknowledgement(form.reference.data, form.code.data)
    body = render_template(
        "reports/verify.html",
        form=form,
        verified=verified,
        not_confirmed=checked and verified is None,
        status_label=status_label,
        category_by_code=CATEGORY_BY_CODE,
        region_by_code=REGION_BY_CODE,
    )
    status = 404 if checked and verified is None else 422 if form.errors else 200
    return _no_store(current_app.make_response(body)), status
