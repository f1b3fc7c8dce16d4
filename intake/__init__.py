"""Blagh: cybercrime report intake. `create_app` builds the Flask app, one `register_*` per concern."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from intake.config import PROJECT_ROOT, check_staff_second_factor, load_config

# Keys that may be given to create_app as well as in the environment (tests use this).
ENVIRONMENT_KEYS = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "DATA_KEYS",
    "BLIND_INDEX_KEY",
    "VAR_DIR",
    "EVIDENCE_DIR",
    "EXPORT_DIR",
    "STORAGE_URL",
    "ORPHAN_SWEEP_INTERVAL",
    "ORPHAN_GRACE_SECONDS",
    "ORPHAN_SWEEP_DAYS",
    "CELERY_QUEUE",
    "OUTBOX_RELAY_INTERVAL",
    "OUTBOX_RELAY_GRACE",
    "WEB_THREADS",
    "DB_POOL_SIZE",
    "FILING_RATE_LIMIT",
    "TRACKING_RATE_LIMIT",
    "PROXY_COUNT",
    "LOGIN_RATE_LIMIT",
    "LOGIN_FAILURE_LIMIT",
    "BROKER_VISIBILITY_TIMEOUT",
    "RECONCILE_AFTER",
    "RECONCILE_INTERVAL",
    "CAMPAIGN_THRESHOLD",
    "CAMPAIGN_WINDOW_DAYS",
    "SMTP_URL",
    "MAIL_FROM",
    "SMS_URL",
    "PUBLIC_URL",
    "NOTIFY_BATCH_SECONDS",
    "NOTIFY_RETRY_SECONDS",
    "RETAIN_RESOLVED_DAYS",
    "RETAIN_REJECTED_DAYS",
    "RETAIN_REFERRED_DAYS",
    "CONTROLLER_NAME",
    "CONTROLLER_ADDRESS",
    "CONTROLLER_CONTACT",
    "CNDP_REFERENCE",
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    config = dict(config or {})
    env = {**os.environ, **{key: str(config.pop(key)) for key in ENVIRONMENT_KEYS if key in config}}
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_config(env))
    app.config.update(config)
    check_staff_second_factor(app.config)
    register_request_state(app)
    register_unit_of_work(app)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_commands(app)
    return app


def register_request_state(app: Flask) -> None:
    """Each request starts with an empty `g`. An app context can outlive a request (a test, a
    script) and extensions cache per-request state in `g` (the language, Flask-Babel's locale,
    Flask-Login's user): one request must never see another's. Registered first, this runs before
    the blueprints' URL preprocessors, which then set the request's own values."""
    from flask import g, request

    from intake.access_log import ROUTE_ENVIRON_KEY

    @app.url_value_preprocessor
    def start_with_a_clean_g(endpoint: str | None, values: dict[str, Any] | None) -> None:
        for name in list(g):
            g.pop(name, None)
        if request.url_rule is not None:  # the access log writes the route, never the path
            request.environ[ROUTE_ENVIRON_KEY] = request.url_rule.rule


def register_unit_of_work(app: Flask) -> None:
    """Each request commits once at its end, or rolls back (intake.unit_of_work)."""
    from intake.unit_of_work import register_request_unit_of_work

    register_request_unit_of_work(app)


def configure_logging(app: Flask) -> None:
    if not app.debug and not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Flask-Limiter's line about a breached limit names the key: the client's address (ASVS 7.1.1).
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    from intake.extensions import babel, csrf, db, limiter, migrate
    from intake.i18n import register_i18n, select_locale
    from intake.staff.access import register_access
    from workers.app import celery_init_app

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    # Access is checked before CSRF and rate limits: a stranger is told 401, not 400.
    register_access(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    register_i18n(app)
    celery_init_app(app)
    _import_models()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            _tune_sqlite(db.engine)


def _import_models() -> None:
    """Every model module, so that metadata (and Alembic's autogenerate) sees every table."""
    import intake.notifications.models
    import intake.officer.models
    import intake.outbox.models
    import intake.privacy.models
    import intake.reports.models
    import intake.staff.models
    import intake.stats.models
    import intake.triage.models  # noqa: F401


def _tune_sqlite(engine: Any) -> None:
    """WAL and a busy timeout let the web process and the worker write the same file."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")  # erased values are overwritten, not left in free pages
        cursor.close()


def register_blueprints(app: Flask) -> None:
    from intake import health
    from intake.officer import views as officer_views
    from intake.reports import api, views
    from intake.staff import admin as staff_admin
    from intake.staff import views as staff_views
    from intake.stats import views as stats_views

    app.register_blueprint(health.bp)
    app.register_blueprint(views.root)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(staff_views.bp)
    app.register_blueprint(officer_views.bp)
    app.register_blueprint(stats_views.bp)
    app.register_blueprint(staff_admin.bp)


def register_errorhandlers(app: Flask) -> None:
    from intake.errors import register

    register(app)


def register_security_headers(app: Flask) -> None:
    from intake.security import add_security_headers

    app.after_request(add_security_headers)


def register_commands(app: Flask) -> None:
    """One CLI group per domain: `jobs`, `users`, `export`, `keys` (also a plugin: see its module),
    `retention`, `demo`, `storage`."""
    from intake.demo.commands import demo
    from intake.outbox.commands import jobs
    from intake.privacy.commands import keys, retention
    from intake.staff.commands import users
    from intake.stats.commands import export
    from intake.storage.commands import storage

    app.cli.add_command(jobs)
    app.cli.add_command(users)
    app.cli.add_command(export)
    app.cli.add_command(keys)
    app.cli.add_command(retention)
    app.cli.add_command(demo)
    app.cli.add_command(storage)
