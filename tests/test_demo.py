"""The demo dataset (`flask demo seed`, `flask demo clear`): a year of made-up reports written as the
service writes real ones, marked as demo, refused beside real reports, and removed without a trace."""

from __future__ import annotations

import hashlib
import logging
import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import func, select

from intake.acknowledgements.codes import acknowledgement_key, verification_code
from intake.acknowledgements.facts import facts_by_reference
from intake.acknowledgements.services import verify_acknowledgement
from intake.demo import texts
from intake.demo.drafts import describe, draw_drafts, filing_times, identifier_mix
from intake.demo.identifiers import IdentifierDraw, typed
from intake.demo.seed import seed_demo
from intake.extensions import db
from intake.outbox.services import enqueue
from intake.privacy.sealing import keyring
from intake.reports.evidence import LocalEvidenceStore
from intake.reports.identifiers import normalise_identifier
from intake.reports.models import CaseEvent, EvidenceCheck, EvidenceFile, Report, ReportStatus
from intake.staff.models import Staff
from intake.staff.services import create_staff
from intake.stats.counts import Month, monthly_counts
from intake.stats.dashboard import last_twelve_months
from intake.stats.status_counts import current_counts
from intake.triage.linking import probable_duplicate_of
from intake.triage.models import GroupMember, IdentifierGroup
from intake.types import utcnow
from intake.unit_of_work import commit
from tests.conftest import PASSWORD, FileAndTriage, LogIn, MakeStaff, case_action

# Sealed values as the database holds them: the key's id, then base64url (tests/conftest.py: "t1").
SEALED = re.compile(r"^t1:[A-Za-z0-9_-]{20,}$")
SEALED_COLUMNS = (
    ("reports", "description"),
    ("reports", "reporter_name"),
    ("reports", "reporter_email"),
    ("reports", "reporter_phone"),
    ("suspect_identifiers", "value"),
    ("suspect_identifiers", "normalised"),
    ("identifier_groups", "normalised"),
    ("report_messages", "body"),
    ("case_notes", "body"),
    ("status_history", "public_note"),
    ("evidence_files", "original_name"),
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def raw(statement: str, **values: object) -> list[sa.Row[tuple[object, ...]]]:
    return list(db.session.execute(sa.text(statement), values))


def files_under(folder: str) -> set[str]:
    root = Path(folder)
    return {path.name for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def test_every_template_fills_and_each_spelling_of_an_identifier_matches() -> None:
    """Every description template fills its slots; the spellings a campaign's victims type normalise
    to one value, so that triage groups them."""
    rng = random.Random(5)
    now = datetime.now(UTC)
    draw = IdentifierDraw(rng, 0, now - timedelta(days=365), now, [])
    for category, by_variety in texts.DESCRIPTIONS.items():
        assert set(by_variety) == set(texts.VARIETIES), category
        for variety, templates in by_variety.items():
            for template in templates:
                city = texts.CITIES["casablanca_settat"][0]
                text = describe(rng, draw, template, category, variety, city, now).text
                assert "{" not in text and "}" not in text, template
    # A bank named beside a RIB is the RIB's own: its first three digits are the bank's code.
    banks = {"007": "Attijariwafa", "190": "Banque Populaire", "230": "CIH", "011": "Bank of Africa",
             "350": "Barid Bank", "225": "Crédit Agricole", "021": "Crédit du Maroc"}  # fmt: skip
    template, city = (
        texts.DESCRIPTIONS["online_shopping_fraud"]["fr"][0],
        texts.CITIES["casablanca_settat"][0],
    )
    for _ in range(20):
        filled = describe(rng, draw, template, "online_shopping_fraud", "fr", city, now)
        rib = next(s.normalised for s in filled.suspects if s.kind == "iban")
        assert banks[rib[:3]] in filled.text, filled.text
    for slot, kind in texts.IDENTIFIER_SLOTS.items():
        for category in ("online_shopping_fraud", "phishing_impersonation", "romance_advance_fee_fraud"):
            first = draw.draw(slot, category, now)
            spellings = {typed(rng, slot, first.normalised) for _ in range(30)}
            assert {normalise_identifier(kind, spelling) for spelling in spellings} == {first.normalised}


def test_second_sendings_leave_the_last_days_filled() -> None:
    """A few reports are a citizen's second sending of an earlier one: they take random places in the
    year, not the newest (the dashboard's today and the queue's top would be empty)."""
    rng = random.Random(2)
    now = datetime(2026, 11, 30, 14, tzinfo=UTC)
    times = filing_times(rng, 1_000, now)
    drafts = draw_drafts(rng, times, now, IdentifierDraw(rng, 12, times[0], now, identifier_mix()))
    assert len(drafts) == 1_000
    assert drafts[-1].created_at > now - timedelta(hours=12), drafts[-1].created_at


@pytest.fixture
def seeded(app: Flask) -> Flask:
    """A thousand demo reports, committed (enough for two pages of open cases)."""
    seed_demo(1_000, seed=11)
    commit()
    return app


def test_seed_writes_a_consistent_year(
    seeded: Flask, backend: str, make_staff: MakeStaff, log_in: LogIn
) -> None:
    reports = db.session.execute(
        select(Report.category, Report.region, Report.status, Report.language, Report.demo)
    ).all()
    assert len(reports) == 1_000 and all(row.demo for row in reports)
    assert len({row.category for row in reports}) >= 12
    assert len({row.region for row in reports}) >= 10
    assert {"triaged", "in_progress", "resolved", "referred", "rejected"} <= {row.status for row in reports}
    assert {row.language for row in reports} == {"ar", "fr"}
    assert db.session.scalar(select(func.count()).where(Staff.demo.is_(True))) == 6

    # Twelve months of numbers on the dashboard, this one included; more in the later months.
    months = last_twelve_months(Month.containing(utcnow()))
    per_month = [sum(row.count for row in monthly_counts([month])) for month in months]
    assert all(per_month) and sum(per_month) == 1_000, per_month
    assert sum(per_month[6:]) > sum(per_month[:6])

    # Status counts kept as the status owner keeps them agree with the reports themselves.
    counted = dict(raw("SELECT status, count(*) FROM reports GROUP BY status"))
    assert current_counts([s.value for s in ReportStatus]) == {k: int(v) for k, v in counted.items()}

    # Triage's work is done, and nothing is left for the worker.
    assert raw("SELECT count(*) FROM outbox")[0][0] == 0
    assert raw("SELECT count(*) FROM case_events WHERE dispatched_at IS NULL")[0][0] == 0
    assert raw("SELECT count(*) FROM reports WHERE status = 'received' OR priority IS NULL")[0][0] == 0
    assert raw("SELECT count(DISTINCT report_id) FROM triage_decisions")[0][0] == 1_000
    # Probable duplicates: what the real triage finds for each report is what the seed wrote.
    with_contact = Report.reporter_email_index.is_not(None) | Report.reporter_phone_index.is_not(None)
    named = db.session.scalars(select(Report).where(with_contact)).all()
    assert {r.id: probable_duplicate_of(r) for r in named} == {r.id: r.duplicate_of_id for r in named}
    assert any(r.duplicate_of_id for r in named)
    updated, last_event = db.session.execute(
        select(func.max(Report.updated_at), func.max(Report.last_event_at))
    ).one()
    assert updated <= last_event  # nothing stamped with the moment of the seed itself
    last_step = {
        report_id: to for report_id, to in raw("SELECT report_id, to_status FROM status_history ORDER BY id")
    }
    assert last_step == {report_id: status for report_id, status in raw("SELECT id, status FROM reports")}
    assert (
        raw("SELECT count(*) FROM status_history WHERE actor_kind = 'staff' AND actor_staff_id IS NULL")[0][0]
        == 0
    )
    assert (
        raw(
            "SELECT count(*) FROM reports WHERE status IN ('assigned', 'in_progress', 'needs_info')"
            " AND assigned_to_id IS NULL"
        )[0][0]
        == 0
    )

    # Campaigns: identifier groups with several reports, counted as their members.
    groups = db.session.execute(
        select(IdentifierGroup.id, IdentifierGroup.report_count, IdentifierGroup.campaign_at)
    ).all()
    members = Counter(db.session.scalars(select(GroupMember.group_id)))
    assert {g.id: g.report_count for g in groups} == dict(members)
    assert max(g.report_count for g in groups) >= 5
    assert any(g.campaign_at for g in groups)

    # Personal data are sealed: ciphertext in every sealed column, never the text.
    for table, column in SEALED_COLUMNS:
        values = [value for (value,) in raw(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")]
        assert values, (table, column)
        assert all(SEALED.match(value) for value in values), (table, column, values[0])
    sample = db.session.scalars(
        select(Report).where(Report.reporter_email_sealed.is_not(None)).limit(1)
    ).one()
    assert "@example." in sample.reporter_email and sample.description  # they open with the keys

    # Evidence: encrypted on disk, and the recorded size and SHA-256 are the clear content's.
    store = LocalEvidenceStore(seeded.config["EVIDENCE_DIR"])
    evidence = db.session.scalars(select(EvidenceFile)).all()
    assert len(evidence) >= 10
    for item in evidence:
        assert item.check_status == EvidenceCheck.ACCEPTED.value and item.preview_name
        on_disk = Path(seeded.config["EVIDENCE_DIR"], item.stored_name[:2], item.stored_name).read_bytes()
        assert not on_disk.startswith(PNG_SIGNATURE) and hashlib.sha256(on_disk).hexdigest() != item.sha256
        with store.open(item.stored_name, item.seal_id) as original:
            clear = original.read()
        assert clear.startswith(PNG_SIGNATURE) and len(clear) == item.size
        assert hashlib.sha256(clear).hexdigest() == item.sha256
        with store.open(item.preview_name, item.seal_id) as preview:
            assert preview.read().startswith(PNG_SIGNATURE)

    # Officers see the mark, and a queue of several pages.
    make_staff("supervisor")
    client = seeded.test_client()
    assert log_in(client, "supervisor@police.example.ma").status_code == 302
    queue = client.get("/officer/?assigned=all").get_data(as_text=True)
    assert queue.count('class="demo-badge"') == 50 and "after=" in queue
    reference = db.session.scalar(select(Report.reference).where(Report.status == "in_progress").limit(1))
    page = client.get(f"/officer/reports/{reference}")
    assert page.status_code == 200 and 'id="demo-badge"' in page.get_data(as_text=True)

    # The admin is told the numbers count demo reports; a demo report's paper says it proves nothing.
    make_staff("admin")
    desk = seeded.test_client()
    assert log_in(desk, "admin@police.example.ma").status_code == 302
    for path in ("/admin/", "/admin/exports"):
        notice = desk.get(path).get_data(as_text=True)
        spaced = notice.replace("\u202f", " ").replace("\xa0", " ")  # staff pages are in French here
        assert 'id="demo-reports"' in notice and "1 000 signalements de démonstration" in spaced
    facts = facts_by_reference(reference)
    assert facts is not None and facts.demo
    verified = verify_acknowledgement(reference, verification_code(facts, acknowledgement_key(keyring())))
    assert verified is not None and verified.facts.demo


def test_seed_is_refused_beside_a_real_report(app: Flask, filed_and_triaged: FileAndTriage) -> None:
    real = filed_and_triaged()
    runner = app.test_cli_runner()
    for extra in ([], ["--skip-if-seeded"]):
        result = runner.invoke(args=["demo", "seed", "--reports", "20", *extra])
        assert result.exit_code != 0 and "1 real report" in result.output, result.output
    db.session.rollback()
    assert db.session.scalars(select(Report.reference)).all() == [real["reference"]]
    assert db.session.scalar(select(func.count()).select_from(Staff)) == 0


def test_clear_removes_the_demo_and_only_the_demo(
    app: Flask,
    backend: str,
    filed_and_triaged: FileAndTriage,
    make_staff: MakeStaff,
    log_in: LogIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    runner = app.test_cli_runner()
    with caplog.at_level(logging.DEBUG):
        seeded = runner.invoke(args=["demo", "seed", "--reports", "150", "--seed", "3"])
    assert seeded.exit_code == 0, seeded.output
    accounts = re.findall(r"^\s+(\w+)\s+(\S+@demo\.blagh\.example)\s+(\S+)$", seeded.output, re.MULTILINE)
    assert sorted(role for role, _, _ in accounts) == [
        "admin",
        "officer",
        "officer",
        "officer",
        "officer",
        "supervisor",
    ]
    for _role, _email, password in accounts:  # printed once, and nowhere else
        assert seeded.output.count(password) == 1 and password not in caplog.text
    assert log_in(app.test_client(), accounts[0][1], accounts[0][2]).status_code == 302

    again = runner.invoke(args=["demo", "seed", "--reports", "150"])
    assert again.exit_code != 0 and "already holds 150 demo reports" in again.output
    skipped = runner.invoke(args=["demo", "seed", "--skip-if-seeded"])
    assert skipped.exit_code == 0 and "nothing added" in skipped.output
    assert not any(password in skipped.output for _, _, password in accounts)

    # Real work beside the demo: a supervisor who writes on a demo case, a report naming a phone the
    # demo's reports name too (a campaign's, if any), which a demo officer reads; an account the demo
    # admin makes; jobs about demo reports still queued.
    db.session.rollback()
    admin_email = accounts[0][1]
    admin_id = db.session.scalar(select(Staff.id).where(Staff.email == admin_email))
    made = create_staff(
        "made.by.demo@police.example.ma", "Made", "officer", PASSWORD, "fr", actor_id=admin_id
    )
    commit()
    supervisor = make_staff("supervisor")
    desk = app.test_client()
    assert log_in(desk, supervisor.email).status_code == 302
    demo_case = db.session.scalars(select(Report).order_by(Report.id).limit(1)).one()
    assert case_action(desk, demo_case.reference, "note", body="Vu en réunion").status_code == 303
    shared = db.session.scalars(
        select(IdentifierGroup)
        .where(IdentifierGroup.kind == "phone")
        .order_by(IdentifierGroup.campaign_at.is_(None), IdentifierGroup.report_count.desc())
    ).first()
    assert shared is not None and shared.report_count >= 2
    demo_count = shared.report_count
    real = filed_and_triaged(suspects=[{"kind": "phone", "value": shared.normalised}])
    real_id, real_filed = db.session.execute(
        select(Report.id, Report.created_at).where(Report.reference == real["reference"])
    ).one()
    beside = runner.invoke(args=["demo", "seed", "--skip-if-seeded"])  # `make demo` again: runs
    assert beside.exit_code == 0 and "1 real report" in beside.output, beside.output
    _role, officer_email, officer_password = next(a for a in accounts if a[0] == "officer")
    reader = app.test_client()
    assert log_in(reader, officer_email, officer_password).status_code == 302
    assert reader.get(f"/officer/reports/{real['reference']}").status_code == 200
    enqueue("triage", demo_case.id)
    enqueue(
        "case_event",
        db.session.scalars(select(CaseEvent.id).where(CaseEvent.report_id == demo_case.id)).first(),
    )
    commit()
    db.session.expire_all()
    assert db.session.get(IdentifierGroup, shared.id).report_count == demo_count + 1
    evidence_dir = app.config["EVIDENCE_DIR"]
    assert len(files_under(evidence_dir)) >= 6

    cleared = runner.invoke(args=["demo", "clear"])
    assert cleared.exit_code == 0, cleared.output
    assert (
        f"because real work names them (a real report's case work, an account or an export they made): {admin_email}, {officer_email}"
        in cleared.output
    )
    db.session.rollback()
    db.session.expire_all()
    assert db.session.scalars(select(Report.reference)).all() == [real["reference"]]
    kept = {tuple(row) for row in db.session.execute(select(Staff.email, Staff.active, Staff.demo))}
    assert kept == {
        (supervisor.email, True, False),
        (made.email, True, False),
        (officer_email, False, True),
        (admin_email, False, True),
    }
    made_by = raw(
        "SELECT staff_id FROM audit_events WHERE action = 'account_created' AND staff_id IS NOT NULL"
    )
    assert made_by == [(admin_id,)]  # the record of what the demo admin did stays
    assert files_under(evidence_dir) == set()
    # The shared group stays, as the real report alone made it; every group only demo reports formed goes.
    group = db.session.get(IdentifierGroup, shared.id)
    assert group is not None and group.report_count == 1 and group.campaign_at is None
    assert group.first_seen_at == group.last_seen_at == real_filed
    assert raw("SELECT count(*) FROM identifier_groups")[0][0] == 1
    assert {subject for (subject,) in raw("SELECT subject FROM outbox")} <= {f"triage:{real_id}"}
    for table in ("status_history", "case_events", "audit_events", "case_notes", "triage_decisions"):
        orphans = raw(f"SELECT count(*) FROM {table} WHERE report_id NOT IN (SELECT id FROM reports)")
        assert orphans[0][0] == 0, table
    counted = {k: int(v) for k, v in raw("SELECT status, count(*) FROM reports GROUP BY status")}
    assert current_counts([s.value for s in ReportStatus]) == counted
    assert log_in(app.test_client(), admin_email, accounts[0][2]).status_code != 302
    assert log_in(app.test_client(), officer_email, officer_password).status_code != 302

    refused = runner.invoke(args=["demo", "seed", "--reports", "20"])
    assert refused.exit_code != 0 and "real report" in refused.output
    page = desk.get(f"/officer/reports/{real['reference']}").get_data(as_text=True)
    assert real["reference"] in page and "demo-badge" not in page
