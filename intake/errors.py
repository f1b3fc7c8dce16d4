"""Error pages in the visitor's language, JSON errors under /api/; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, abort, g, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from intake.i18n import LANGUAGES, STAFF_LANGUAGES, best_language_from_header
from intake.reports.evidence import StoreUnavailable
from intake.reports.uploads import evidence_limits

log = logging.getLogger(__name__)


def _message(code: int) -> str:
    messages = {
        400: _("The request could not be understood."),
        404: _("This page does not exist."),
        405: _("This method is not allowed here."),
        413: _(
            "What you sent is too large: %(files)s files at most, %(file_mb)s MB each and %(total_mb)s MB in total.",
            **evidence_limits(),
        ),
        429: _("Too many attempts. Wait a minute, then try again."),
        415: _("Send the report as application/json or multipart/form-data."),
        422: _("Some information is missing or not valid."),
        503: _("The file store cannot be reached just now. Try again in a few minutes."),
    }
    return messages.get(
        code, _("Something went wrong on our side. Your report, if it was confirmed, is safe.")
    )


def _respond(code: int) -> tuple[Response | str, int]:
    if "lang" not in g:  # no view ran: the address's language (/fr/…), else the browser's
        prefix = request.path.strip("/").split("/", 1)[0]
        g.lang = prefix if prefix in LANGUAGES else best_language_from_header((*STAFF_LANGUAGES, "en"))
    message = _message(code)
    if request.path.startswith("/api/"):
        return jsonify(errors={"body": [message]}), code
    return render_template("error.html", code=code, message=message), code


def refuse_unnamed_parts() -> None:
    """A multipart body whose part has no name gives a form key of None, which no form can read:
    refused (400) before any view sees it (found by fuzzing, tests/test_fuzz.py)."""
    if request.mimetype == "multipart/form-data" and (None in request.form or None in request.files):
        abort(400)


def register(app: Flask) -> None:
    app.before_request(refuse_unnamed_parts)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response | str, int] | Response:
        if error.response is not None:  # a page built for the case (the form kept over a rate limit)
            return error.response  # type: ignore[return-value]
        return _respond(error.code or 500)

    @app.errorhandler(StoreUnavailable)
    def store_unavailable(error: StoreUnavailable) -> tuple[Response | str, int]:
        """An object store that is down (an officer's download, for instance): 503, logged once by
        the store; the pages that take files answer it themselves, keeping what was typed."""
        return _respond(503)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[Response | str, int]:
        # the route, not the path: a path can hold a report's reference (ASVS 7.1.1)
        rule = request.url_rule.rule if request.url_rule else "-"
        log.exception("unhandled error on %s %s", request.method, rule)
        return _respond(InternalServerError.code)
