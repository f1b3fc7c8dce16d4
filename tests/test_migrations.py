"""One Alembic chain: upgrade from empty, downgrade to base, no drift from the models, and the data of
an older schema carried over."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from intake.extensions import db
from tests.conftest import build_app, release_database
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
    "staff_recovery_codes",
    "status_counts",
    "status_count_deltas",
    "case_notes",
    "audit_events",
    "case_events",
    "notifications",
    "legal_holds",
    "erasure_requests",
    "discarded_files",
    "key_checks",
}
EXPECTED_INDEXES = {
    "reports": {"ix_reports_queue", "ix_reports_monthly", "ix_reports_open_queue", "ix_reports_retention"},
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
        _personal_data_are_sealed_by_the_upgrade_and_opened_by_the_downgrade(app)
        if db.engine.dialect.name == "postgresql":  # transactional DDL: a failed revision is undone whole
            _a_sealing_that_failed_halfway_runs_again(app)
        release_database()


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


def _a_sealing_that_failed_halfway_runs_again(app: Any) -> None:
    """The files are encrypted at the end of the revision, bound to their rows' seal_id: if it fails
    after some of them (a full disk, an unreadable file), the database is rolled back and the revision
    run again must give the rows the same seal_id, or the files already encrypted never open."""
    from intake.reports.evidence import LocalEvidenceStore, evidence_store
    from intake.reports.models import EvidenceFile

    downgrade(revision="base")
    upgrade(revision=BEFORE_SEALING)
    contents = {f"cd{n}0": f"Capture {n} en clair".encode() for n in range(3)}
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO reports (id, reference, receipt_hash, category, incident_date, description,"
                " language, channel, anonymous, consented_at, status, created_at, updated_at, version,"
                " priority_rank) VALUES (9, 'BLG-5555-5555', 'h', 'other', '2026-11-01', 'x', 'fr', 'web',"
                " true, CURRENT_TIMESTAMP, 'received', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, 2)"
            )
        )
        for name, content in contents.items():
            (Path(app.config["EVIDENCE_DIR"]) / name[:2]).mkdir(parents=True, exist_ok=True)
            (Path(app.config["EVIDENCE_DIR"]) / name[:2] / name).write_bytes(content)
            connection.execute(
                sa.text(
                    "INSERT INTO evidence_files (report_id, original_name, stored_name, size, media_type,"
                    " sha256, created_at, check_status) VALUES (9, 'c.txt', :name, 20, 'text/plain', 'x',"
                    " CURRENT_TIMESTAMP, 'accepted')"
                ),
                {"name": name},
            )
    real = LocalEvidenceStore.reencrypt
    done: list[str] = []

    def fails_on_the_third(self: LocalEvidenceStore, stored_name: str, owner: str) -> None:
        if len(done) == 2:
            raise OSError("No space left on device")
        real(self, stored_name, owner)
        done.append(stored_name)

    LocalEvidenceStore.reencrypt = fails_on_the_third  # type: ignore[method-assign]
    try:
        with pytest.raises(OSError, match="No space left"):
            upgrade()
    finally:
        LocalEvidenceStore.reencrypt = real  # type: ignore[method-assign]
    assert len(done) == 2 and sa.inspect(db.engine).has_table("evidence_files")
    upgrade()  # run again: the two files encrypted the first time still open
    for item in db.session.scalars(sa.select(EvidenceFile)):
        with evidence_store().open(item.stored_name, item.seal_id) as opened:
            assert opened.read() == contents[item.stored_name]
    db.session.remove()
    downgrade(revision="base")
    upgrade()


BEFORE_SEALING = "138084620c3c"


def _personal_data_are_sealed_by_the_upgrade_and_opened_by_the_downgrade(app: Any) -> None:
    """Rows and files written in clear by an older release are sealed by the upgrade (readable by
    the app, matchable by blind index), and back in clear after a downgrade."""
    from intake.officer.models import CaseNote
    from intake.privacy.blind import suspect_index
    from intake.reports.evidence import evidence_store
    from intake.reports.models import Report, SuspectIdentifier
    from intake.triage.models import IdentifierGroup

    downgrade(revision="base")
    upgrade(revision=BEFORE_SEALING)
    folder = Path(app.config["EVIDENCE_DIR"]) / "ab"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ab12").write_bytes(b"Conversation avec le vendeur, en clair")
    (folder / "ab34").write_bytes(b"Apercu en clair")
    statements = [
        "INSERT INTO staff (id, email, name, role, language, active, password_hash, failed_attempts,"
        " must_change_password, created_at) VALUES (12, 'a@b.ma', 'A', 'officer', 'fr', true, 'x', 0, false,"
        " CURRENT_TIMESTAMP)",
        "INSERT INTO reports (id, reference, receipt_hash, category, incident_date, description, language,"
        " channel, anonymous, consented_at, status, created_at, updated_at, version, priority_rank,"
        " reporter_name, reporter_email, reporter_phone)"
        " VALUES (7, 'BLG-3333-3333', 'h', 'other', '2026-11-01', 'Il m a escroqué de 900 DH', 'fr', 'web', false,"
        " CURRENT_TIMESTAMP, 'triaged', '2026-11-02 10:00:00', '2026-11-02 10:00:00', 2, 2, 'Nadia Idrissi',"
        " 'nadia@example.ma', '+212661000111')",
        # an anonymous report: nothing to seal in the reporter's fields
        "INSERT INTO reports (id, reference, receipt_hash, category, incident_date, description, language,"
        " channel, anonymous, consented_at, status, created_at, updated_at, version, priority_rank)"
        " VALUES (8, 'BLG-4444-4444', 'h', 'other', '2026-11-01', 'Sextorsion, 3la WhatsApp', 'ar', 'web', true,"
        " CURRENT_TIMESTAMP, 'received', '2026-11-03 10:00:00', '2026-11-03 10:00:00', 1, 2)",
        "INSERT INTO suspect_identifiers (report_id, kind, value, normalised) VALUES"
        " (7, 'phone', '06 12 00 00 99', '+212612000099')",
        "INSERT INTO identifier_groups (kind, normalised, report_count, first_seen_at, last_seen_at)"
        " VALUES ('phone', '+212612000099', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "INSERT INTO report_messages (report_id, author, body, created_at) VALUES"
        " (7, 'officer', 'Quel est votre RIB ?', CURRENT_TIMESTAMP)",
        "INSERT INTO status_history (report_id, from_status, to_status, changed_at, actor_kind, actor_staff_id,"
        " public_note) VALUES (7, 'received', 'triaged', CURRENT_TIMESTAMP, 'staff', 12, 'Transmis au parquet de Rabat')",
        "INSERT INTO case_notes (report_id, staff_id, body, created_at) VALUES"
        " (7, 12, 'Appelé Mme Idrissi au 0661000111', CURRENT_TIMESTAMP)",
        "INSERT INTO evidence_files (report_id, original_name, stored_name, size, media_type, sha256, created_at,"
        " check_status, preview_name) VALUES (7, 'conversation.txt', 'ab12', 38, 'text/plain', 'x',"
        " CURRENT_TIMESTAMP, 'accepted', 'ab34')",
        # a message after the last change of the row: the case last changed then
        "INSERT INTO case_events (report_id, kind, actor_kind, actor_staff_id, at) VALUES"
        " (7, 'message', 'staff', 12, '2026-11-20 09:00:00')",
    ]
    with db.engine.begin() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))
    upgrade()
    with db.engine.connect() as connection:
        raw = connection.execute(
            sa.text("SELECT description, reporter_name, reporter_email FROM reports WHERE id = 7")
        ).one()
        value = connection.execute(
            sa.text("SELECT value, normalised, blind_index FROM suspect_identifiers")
        ).one()
        public_note = connection.execute(
            sa.text("SELECT public_note FROM status_history WHERE public_note IS NOT NULL")
        ).scalar_one()
        note = connection.execute(sa.text("SELECT body FROM case_notes")).scalar_one()
        anonymous = connection.execute(
            sa.text("SELECT description, reporter_name, reporter_email_index FROM reports WHERE id = 8")
        ).one()
    assert all(field.startswith("t1:") for field in raw) and "Nadia" not in str(raw)
    assert value.blind_index == suspect_index("phone", "+212612000099") and "0099" not in value.value
    assert public_note.startswith("t1:") and note.startswith("t1:") and "Idrissi" not in note
    assert anonymous.description.startswith("t1:") and anonymous[1:] == (None, None)
    report = db.session.get(Report, 7)
    assert report is not None and report.description == "Il m a escroqué de 900 DH"
    assert (report.reporter_name, report.reporter_phone) == ("Nadia Idrissi", "+212661000111")
    assert report.last_event_at is not None and report.last_event_at.day == 20  # the later event
    assert (
        report.messages[0].body == "Quel est votre RIB ?"
        and report.evidence[0].original_name == "conversation.txt"
    )
    assert [step.public_note for step in report.history] == ["Transmis au parquet de Rabat"]
    assert db.session.scalars(sa.select(CaseNote)).one().body == "Appelé Mme Idrissi au 0661000111"
    other = db.session.get(Report, 8)
    assert (
        other is not None and other.description == "Sextorsion, 3la WhatsApp" and other.reporter_name is None
    )
    assert db.session.scalars(sa.select(SuspectIdentifier)).one().value == "06 12 00 00 99"
    assert db.session.scalars(sa.select(IdentifierGroup)).one().normalised == "+212612000099"
    for name, clear in (("ab12", b"Conversation avec le vendeur, en clair"), ("ab34", b"Apercu en clair")):
        assert not (folder / name).read_bytes().startswith(clear[:8])
        with evidence_store().open(name, report.evidence[0].seal_id) as opened:
            assert opened.read() == clear
    db.session.remove()
    downgrade(revision=BEFORE_SEALING)
    with db.engine.connect() as connection:
        back = connection.execute(sa.text("SELECT description, reporter_name FROM reports ORDER BY id")).all()
        note_back = connection.execute(sa.text("SELECT body FROM case_notes")).scalar_one()
    assert [tuple(row) for row in back] == [
        ("Il m a escroqué de 900 DH", "Nadia Idrissi"),
        ("Sextorsion, 3la WhatsApp", None),
    ]
    assert note_back == "Appelé Mme Idrissi au 0661000111"
    assert (folder / "ab12").read_bytes() == b"Conversation avec le vendeur, en clair"
    assert (folder / "ab34").read_bytes() == b"Apercu en clair"
    downgrade(revision="base")
    upgrade()
