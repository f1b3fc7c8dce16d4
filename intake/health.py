"""Liveness and readiness probes for orchestrators and load balancers."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text

from intake.extensions import db
from intake.staff.access import public

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
@public
def healthz() -> Response:
    return jsonify(status="ok")


def _database_ready() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        log.warning("readiness: database unreachable", exc_info=True)
        db.session.rollback()
        return False
    return True


def _broker_ready() -> bool:
    celery = current_app.extensions["celery"]
    try:
        with celery.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        log.warning("readiness: broker unreachable", exc_info=True)
        return False
    return True


@bp.get("/readyz")
@public
def readyz() -> tuple[Response, int]:
    checks = {"database": _database_ready(), "broker": _broker_ready()}
    ready = all(checks.values())
    body = jsonify(status="ready" if ready else "unavailable", checks=checks)
    return body, 200 if ready else 503
