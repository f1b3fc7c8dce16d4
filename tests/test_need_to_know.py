"""Need-to-know (ASVS 4.2.1: no access to another's records by changing an id; 4.1.3: least
privilege; 7.1.3: refusals logged). An officer reads unassigned reports and their own cases; a
colleague's case is 403 for every route: reading, every action, messages, notes, evidence."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from intake.extensions import db
from intake.officer.models import AuditEvent
from intake.reports.models import EvidenceFile, Report
from tests.conftest import SignIn, case_action, csrf_token, run_due_jobs, version_of
from tests.factories import form_data, png_bytes

ACTIONS = ("claim", "assign", "status", "note", "message", "hold", "release", "erase", "refuse-erasure")


def _file_with_a_photo(app: Flask) -> str:
    data = {**form_data(), "evidence": (io.BytesIO(png_bytes()), "capture.png")}
    filed = app.test_client().post("/api/v1/reports", data=data, content_type="multipart/form-data")
    assert filed.status_code == 201, filed.json
    run_due_jobs("triage", "evidence")
    return str(filed.json["reference"])


def _post(client: FlaskClient, reference: str, action: str, version: str) -> int:
    data = {
        "csrf_token": csrf_token(client, "/officer/"),
        "version": version,
        "status": "rejected",
        "reason": "Motif détaillé.",
        "body": "Texte.",
        "assignee": "1",
        "confirm": "y",
        "refusal": "investigation",
    }
    return client.post(f"/officer/reports/{reference}/{action}", data=data).status_code


def _denials() -> int:
    return db.session.scalar(select(func.count()).where(AuditEvent.action == "access_denied")) or 0


def test_a_colleagues_case_is_closed_to_an_officer_in_every_route(app: Flask, signed_in: SignIn) -> None:
    reference = _file_with_a_photo(app)
    holder, colleague = signed_in(email="a@police.example.ma"), signed_in(email="b@police.example.ma")
    version = version_of(holder, reference)
    assert case_action(holder, reference, "claim", version).status_code == 303
    evidence = db.session.scalar(select(EvidenceFile))
    assert evidence is not None and evidence.preview_name is not None
    version = version_of(holder, reference)

    assert colleague.get(f"/officer/reports/{reference}").status_code == 403
    assert colleague.get(f"/officer/evidence/{evidence.id}").status_code == 403
    assert colleague.get(f"/officer/evidence/{evidence.id}/preview").status_code == 403
    for action in ACTIONS:
        assert _post(colleague, reference, action, version) == 403, action
    assert _denials() == 3 + len(ACTIONS)  # every refusal audited, with what was tried
    tried = {
        event.details["attempted"]
        for event in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "access_denied"))
    }
    assert tried == {"view", "download", "preview", *ACTIONS}
    report = db.session.scalar(select(Report))
    assert report is not None and report.status == "assigned" and report.version == int(version)

    # the holder, and any supervisor, still read and work it
    assert holder.get(f"/officer/evidence/{evidence.id}").status_code == 200
    boss = signed_in("supervisor")
    assert boss.get(f"/officer/reports/{reference}").status_code == 200
    assert case_action(boss, reference, "note", body="Vu par le chef de brigade.").status_code == 303


def test_the_queue_and_the_search_never_list_a_colleagues_case(app: Flask, signed_in: SignIn) -> None:
    reference = _file_with_a_photo(app)
    holder, colleague = signed_in(email="a@police.example.ma"), signed_in(email="b@police.example.ma")
    assert reference in colleague.get("/officer/").get_data(as_text=True)  # unassigned: theirs to take
    assert case_action(holder, reference, "claim").status_code == 303
    for query in ("", "?assigned=all", f"?q={reference}", "?q=0612345678", "?assigned=1"):
        page = colleague.get(f"/officer/{query}").get_data(as_text=True)
        assert f"/officer/reports/{reference}" not in page, query
    assert f"/officer/reports/{reference}" in holder.get(f"/officer/?q={reference}").get_data(as_text=True)
    boss = signed_in("supervisor")
    assert f"/officer/reports/{reference}" in boss.get("/officer/?assigned=all").get_data(as_text=True)


def test_the_other_reports_naming_an_identifier_are_listed_only_when_the_officer_may_open_them(
    app: Flask, signed_in: SignIn
) -> None:
    first, second = _file_with_a_photo(app), _file_with_a_photo(app)  # same phone and link
    holder, colleague = signed_in(email="a@police.example.ma"), signed_in(email="b@police.example.ma")
    assert case_action(holder, first, "claim").status_code == 303
    page = colleague.get(f"/officer/reports/{second}").get_data(as_text=True)
    assert f"/officer/reports/{first}" not in page
    boss = signed_in("supervisor")
    assert f"/officer/reports/{first}" in boss.get(f"/officer/reports/{second}").get_data(as_text=True)


@pytest.mark.parametrize("action", ["note", "message"])
def test_an_unassigned_report_is_taken_before_it_is_worked(
    app: Flask, signed_in: SignIn, action: str
) -> None:
    reference = _file_with_a_photo(app)
    desk = signed_in()
    page = desk.get(f"/officer/reports/{reference}").get_data(as_text=True)
    assert 'id="take-first"' in page and 'id="note-body"' not in page
    assert case_action(desk, reference, action, body="Texte.").status_code == 403
    assert case_action(desk, reference, "claim").status_code == 303
    assert case_action(desk, reference, action, body="Texte.").status_code == 303


def test_a_note_written_while_a_colleague_took_the_case_is_refused(app: Flask, signed_in: SignIn) -> None:
    """Need-to-know is checked again under the report's lock: the page was read while the case was
    the officer's, a supervisor gave it to a colleague meanwhile, the note does not land."""
    from intake.officer.cases import CaseError, Officer, add_note
    from intake.staff.models import Staff

    reference = _file_with_a_photo(app)
    signed_in(email="a@police.example.ma")
    signed_in(email="b@police.example.ma")
    first, second = db.session.scalars(select(Staff.id).order_by(Staff.id)).all()
    db.session.execute(update(Report).values(assigned_to_id=first))
    db.session.commit()
    report = db.session.scalar(select(Report).where(Report.reference == reference))
    assert report is not None and report.assigned_to_id == first
    add_note(report, Officer(first, "officer", None), "Premier appel.")  # theirs: it lands
    db.session.execute(
        update(Report)
        .where(Report.id == report.id)
        .values(assigned_to_id=second)
        .execution_options(synchronize_session=False)
    )  # the reassignment, committed by another request while the page was open
    with pytest.raises(CaseError):
        add_note(report, Officer(first, "officer", None), "Appel à la banque fait.")
