"""One Alembic chain: upgrade from empty, downgrade to base, no drift from the models, and the data of
an older schema carried over."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from intake.extensions import db
from tests.conftest import build_app
from tests.services import fresh_postgres_database

# Written out by hand: every table the application owns (a new one is added here on purpose).
EXPECTED_TABLES = {
    "reports",
    "suspect_identifiers",
    "evidence_files",
    "status_history",
    "report_messages",
    "receipt_slips",
    "outbox",
    "triage_decisions",
    "identifier_groups",
    "identifier_group_members",
    "staff",
    "staff_sessions",
    "case_notes",
    "audit_events",
    "case_events",
    "notifications",
}
EXPECTED_INDEXES = {
    "reports": {"ix_reports_queue", "ix_reports_monthly", "ix_reports_open_queue"},
    "suspect_identifiers": {"ix_suspect_identifiers_match"},
    "outbox": {"ix_outbox_pending", "ix_outbox_subject", "ix_outbox_dead"},
    "case_events": {"ix_case_events_report", "ix_case_events_undispatched"},
    "notifications": {"ix_notifications_waiting", "uq_notifications_open", "ix_notifications_report"},
}
BEFORE_TYPED_ACTORS = "4f5411941200"  # status_history.changed_by was a string: "citizen", "staff:12"


def _check_chain(database_url: str | None, var_dir: Path) -> None:
    app = build_app(var_dir, database_url)
    with app.app_context():
        upgrade()
        inspector = sa.inspect(db.engine)
        assert set(inspector.get_table_names()) - {"alembic_version"} == EXPECTED_TABLES
        for table, indexes in EXPECTED_INDEXES.items():
            assert indexes <= {ix["name"] for ix in inspector.get_indexes(table)}, table
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        _history_actors_survive_the_upgrade_and_back()
        db.engine.dispose()


def _history_actors_survive_the_upgrade_and_back() -> None:
    """The actor string of older history rows becomes typed columns, and comes back on downgrade."""
    upgrade(revision=BEFORE_TYPED_ACTORS)
    statements = [
        "INSERT INTO staff (id, email, name, role, language, active, password_hash, failed_attempts,"
        " must_change_password, created_at) VALUES (12, 'a@b.ma', 'A', 'officer', 'fr', true, 'x', 0, false,"
        " CURRENT_TIMESTAMP)",
        "INSERT INTO reports (id, reference, receipt_hash, category, incident_date, description, language,"
        " channel, anonymous, consented_at, status, created_at, updated_at, version, priority_rank)"
        " VALUES (1, 'BLG-2222-2222', 'h', 'other', '2026-11-01', 'x', 'fr', 'web', true, CURRENT_TIMESTAMP,"
        " 'assigned', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 3, 2)",
    ] + [
        "INSERT INTO status_history (report_id, from_status, to_status, changed_at, changed_by)"
        f" VALUES (1, NULL, '{to}', CURRENT_TIMESTAMP, '{by}')"
        for to, by in (("received", "citizen"), ("triaged", "triage"), ("assigned", "staff:12"))
    ]
    with db.engine.begin() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))
    upgrade()
    with db.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT to_status, actor_kind, actor_staff_id FROM status_history ORDER BY id")
        ).all()
    assert [tuple(row) for row in rows] == [
        ("received", "citizen", None),
        ("triaged", "triage", None),
        ("assigned", "staff", 12),
    ]
    downgrade(revision=BEFORE_TYPED_ACTORS)
    with db.engine.connect() as connection:
        back = connection.execute(sa.text("SELECT changed_by FROM status_history ORDER BY id")).scalars()
        assert list(back) == ["citizen", "triage", "staff:12"]
    downgrade(revision="base")
    upgrade()


def test_migrations_on_sqlite(tmp_path: Path) -> None:
    _check_chain(None, tmp_path)


@pytest.mark.postgres
def test_migrations_on_postgresql(tmp_path: Path) -> None:
    with fresh_postgres_database() as url:
        _check_chain(url, tmp_path)
