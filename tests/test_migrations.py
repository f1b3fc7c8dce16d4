"""One Alembic chain: upgrade from empty, downgrade to base, and no drift from the models."""

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

EXPECTED_TABLES = {
    "reports",
    "suspect_identifiers",
    "evidence_files",
    "status_history",
    "report_messages",
    "outbox",
}


def _check_chain(database_url: str | None, var_dir: Path) -> None:
    app = build_app(var_dir, database_url)
    with app.app_context():
        upgrade()
        inspector = sa.inspect(db.engine)
        assert set(inspector.get_table_names()) >= EXPECTED_TABLES
        index_names = {ix["name"] for ix in inspector.get_indexes("reports")}
        assert {"ix_reports_queue", "ix_reports_monthly"} <= index_names
        assert {ix["name"] for ix in inspector.get_indexes("suspect_identifiers")} >= {
            "ix_suspect_identifiers_match"
        }
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()


def test_migrations_on_sqlite(tmp_path: Path) -> None:
    _check_chain(None, tmp_path)


@pytest.mark.postgres
def test_migrations_on_postgresql(tmp_path: Path) -> None:
    with fresh_postgres_database() as url:
        _check_chain(url, tmp_path)
