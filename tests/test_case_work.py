"""Case work: the workflow, questions to the citizen and their answer, conflicts between officers,
evidence downloads, and the audit trail (ASVS 7.1, 4.1)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from intake.extensions import db
from intake.officer.models import AuditEvent
from intake.reports.models import EvidenceFile, Report, ReportMessage
from tests.conftest import (
    AskQuestion,
    FileAndTriage,
    MakeStaff,
    SignIn,
    case_action,
    csrf_token,
    current_status,
    insert_reports_by_sql,
    run_job,
    version_of,
)
from tests.factories import form_data, png_bytes


def test_the_workflow_from_queue_to_resolution_with_a_question_to_the_citizen(
    app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn
) -> None:
    citizen = app.test_client()
    created = filed_and_triaged(citizen)
    reference, receipt = created["reference"], created["receipt"]
    desk = signed_in()
    queue = desk.get("/officer/").get_data(as_text=True)
    assert reference in queue

    assert (
        case_action(desk, reference, "claim").status_code == 303 and current_status(reference) == "assigned"
    )
    assert case_action(desk, reference, "status", status="in_progress").status_code == 303
    asked = case_action(
        desk, reference, "status", status="needs_info", message="Quel est le RIB sur lequel vous avez payé ?"
    )
    assert asked.status_code == 303 and current_status(reference) == "needs_info"

    page = citizen.post(
        "/fr/track",
        data={"csrf_token": csrf_token(citizen, "/fr/track"), "reference": reference, "receipt": receipt},
    ).get_data(as_text=True)
    assert "Quel est le RIB sur lequel vous avez payé ?" in page and 'id="answer-title"' in page
    answered = citizen.post(
        "/fr/track/answer",
        data={
            "csrf_token": csrf_token(citizen, "/fr/track"),
            "reference": reference,
            "receipt": receipt,
            "answer": "Le RIB est 011780000012345678901287, payé le 3 novembre.",
        },
    )
    assert answered.status_code == 200 and 'id="answer-sent"' in answered.get_data(as_text=True)
    assert current_status(reference) == "in_progress"
    row = desk.get("/officer/").get_data(as_text=True)
    assert re.search(rf'class="[^"]*replied[^"]*" id="report-{reference}"', row)  # it stands out

    resolved = case_action(desk, reference, "status", status="resolved")
    assert resolved.status_code == 303 and current_status(reference) == "resolved"
    assert reference not in desk.get("/officer/").get_data(as_text=True)  # closed: out of the queue
    messages = db.session.scalars(select(ReportMessage.author).order_by(ReportMessage.id)).all()
    assert messages == ["officer", "citizen"]


def test_a_wrong_code_cannot_answer(app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn) -> None:
    citizen = app.test_client()
    created = filed_and_triaged(citizen)
    desk = signed_in()
    case_action(desk, created["reference"], "claim")
    case_action(desk, created["reference"], "status", status="in_progress")
    case_action(desk, created["reference"], "status", status="needs_info", message="Une question ?")
    refused = citizen.post(
        "/fr/track/answer",
        data={
            "csrf_token": csrf_token(citizen, "/fr/track"),
            "reference": created["reference"],
            "receipt": "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA",
            "answer": "Je ne suis pas la victime.",
        },
    )
    assert refused.status_code == 404 and current_status(created["reference"]) == "needs_info"


def test_only_the_allowed_next_statuses_are_offered_and_accepted(
    app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn
) -> None:
    created = filed_and_triaged()
    desk = signed_in()
    page = desk.get(f"/officer/reports/{created['reference']}").get_data(as_text=True)
    offered = re.findall(r'<option value="(\w+)"', page.split('id="status-form"')[1].split("</form>")[0])
    assert offered == ["assigned", "rejected"]
    jump = case_action(desk, created["reference"], "status", status="resolved")
    assert jump.status_code == 422 and current_status(created["reference"]) == "triaged"


def test_rejecting_needs_a_reason_which_the_citizen_then_sees(
    app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn
) -> None:
    created = filed_and_triaged()
    desk = signed_in()
    without = case_action(desk, created["reference"], "status", status="rejected", reason="")
    assert without.status_code == 422 and current_status(created["reference"]) == "triaged"
    with_reason = case_action(
        desk, created["reference"], "status", status="rejected", reason="Faits hors compétence."
    )
    assert with_reason.status_code == 303 and current_status(created["reference"]) == "rejected"
    tracked = (
        app.test_client()
        .get(f"/api/v1/reports/{created['reference']}/status", headers={"X-Receipt": created["receipt"]})
        .json
    )
    assert tracked["history"][-1] == {
        **tracked["history"][-1],
        "status": "rejected",
        "note": "Faits hors compétence.",
    }


def test_reopening_is_for_supervisors(
    app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn
) -> None:
    created = filed_and_triaged()
    desk = signed_in()
    case_action(desk, created["reference"], "status", status="rejected", reason="Doublon.")
    assert case_action(desk, created["reference"], "status", status="in_progress").status_code == 422
    boss = signed_in("supervisor")
    assert case_action(boss, created["reference"], "status", status="in_progress").status_code == 303


def test_two_officers_at_once_the_second_is_told_and_loses_nothing(
    app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn
) -> None:
    created = filed_and_triaged()
    reference = created["reference"]
    first, second = signed_in(email="a@police.example.ma"), signed_in("supervisor")
    seen_by_first, seen_by_second = version_of(first, reference), version_of(second, reference)
    assert case_action(first, reference, "claim", seen_by_first).status_code == 303
    late = case_action(
        second,
        reference,
        "status",
        seen_by_second,
        status="rejected",
        reason="Je le rejette, motif détaillé.",
    )
    page = late.get_data(as_text=True)
    assert late.status_code == 409 and 'id="case-error"' in page
    assert "Je le rejette, motif détaillé." in page  # what they typed is still in the form
    assert current_status(reference) == "assigned"


def test_an_officer_who_was_beaten_to_a_report_is_refused_it(
    app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn
) -> None:
    reference = filed_and_triaged()["reference"]
    first, second = signed_in(email="a@police.example.ma"), signed_in(email="b@police.example.ma")
    seen_by_second = version_of(second, reference)
    assert case_action(first, reference, "claim").status_code == 303
    late = case_action(second, reference, "status", seen_by_second, status="rejected", reason="Motif.")
    assert late.status_code == 403 and current_status(reference) == "assigned"


def test_assigning_to_someone_else_is_for_supervisors(
    app: Flask, filed_and_triaged: FileAndTriage, make_staff: MakeStaff, signed_in: SignIn
) -> None:
    created = filed_and_triaged()
    colleague = make_staff("officer", "colleague@police.example.ma")
    desk = signed_in()
    case_action(desk, created["reference"], "assign", assignee=str(colleague.id))
    assert db.session.scalar(select(Report.assigned_to_id)) is None
    boss = signed_in("supervisor")
    assert case_action(boss, created["reference"], "assign", assignee=str(colleague.id)).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(Report.assigned_to_id)) == colleague.id


def test_citizen_text_is_escaped_and_links_defanged(
    app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn
) -> None:
    created = filed_and_triaged(
        app.test_client(),
        description="<script>alert(1)</script> il m'a envoyé le lien http://evil.example/pay",
        suspects=[{"kind": "url", "value": "https://evil.example/pay?x=1"}],
    )
    page = signed_in().get(f"/officer/reports/{created['reference']}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "hxxps://evil[.]example/pay" in page and 'href="https://evil.example' not in page
    assert 'dir="auto"' in page


def test_evidence_downloads_as_an_attachment_and_is_audited(app: Flask, signed_in: SignIn) -> None:
    data = {**form_data(), "evidence": (io.BytesIO(png_bytes()), "capture.png")}
    created = app.test_client().post("/api/v1/reports", data=data, content_type="multipart/form-data").json
    report_id = db.session.scalar(select(Report.id))
    run_job("triage", report_id)
    evidence_id = db.session.scalar(select(EvidenceFile.id))
    desk = signed_in()
    download = desk.get(f"/officer/evidence/{evidence_id}")
    assert download.status_code == 200 and download.data == png_bytes()
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Content-Type"] == "application/octet-stream"
    download.close()
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.report_id == report_id)).all()
    assert "download" in actions and created["reference"]


def test_the_audit_trail_records_views_and_changes_and_only_supervisors_read_it(
    app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn
) -> None:
    created = filed_and_triaged()
    desk = signed_in()
    case_action(desk, created["reference"], "claim")
    case_action(desk, created["reference"], "note", body="Appelé la banque, en attente.")
    report_id = db.session.scalar(select(Report.id))
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.report_id == report_id).order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events][:2] == ["view", "assign"] and "note" in [e.action for e in events]
    assert all(e.ip_address == "127.0.0.1" and e.staff_id for e in events)
    assert all(created["receipt"] not in str(e.details) for e in events)
    assert 'id="audit-trail"' not in desk.get(f"/officer/reports/{created['reference']}").get_data(
        as_text=True
    )
    boss = signed_in("supervisor")
    assert 'id="audit-trail"' in boss.get(f"/officer/reports/{created['reference']}").get_data(as_text=True)


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_the_queue_reads_its_index_on_a_large_table(app: Flask, backend: str) -> None:
    """20,000 open reports: page 1 and a page deep in the queue both walk the partial index."""
    from sqlalchemy import text

    insert_reports_by_sql(20_000)
    from intake.officer.queue import QueueFilters, queue_page

    first = queue_page(QueueFilters(assigned="all"), viewer_id=1)
    later = first
    for _ in range(3):
        assert later.next_cursor
        later = queue_page(QueueFilters(assigned="all"), viewer_id=1, cursor=later.next_cursor)
    seen = [r.id for r in first.rows] + [r.id for r in later.rows]
    assert len(seen) == len(set(seen))  # pages never overlap
    query = (
        "EXPLAIN SELECT id FROM reports WHERE status IN ('received','triaged','assigned','in_progress','needs_info')"
        " AND (priority_rank, created_at, id) > (1, now() - interval '1 day', 5000)"
        " ORDER BY priority_rank, created_at, id LIMIT 51"
    )
    plan = "\n".join(db.session.scalars(text(query)))
    assert "ix_reports_open_queue" in plan and "Sort" not in plan, plan


def test_queue_filters_by_campaign_and_date(
    app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn
) -> None:
    from datetime import date, timedelta

    from intake.triage.models import IdentifierGroup

    app.config["CAMPAIGN_THRESHOLD"] = 2
    citizen = app.test_client()
    url = [{"kind": "url", "value": "http://colis-bloque.example/payer"}]
    campaign = [filed_and_triaged(citizen, suspects=url)["reference"] for _ in range(3)]
    other = filed_and_triaged(citizen, suspects=[{"kind": "phone", "value": "0700000000"}])["reference"]
    group_id = db.session.scalar(select(IdentifierGroup.id).where(IdentifierGroup.campaign_at.is_not(None)))
    desk = signed_in()
    page = desk.get(f"/officer/?campaign={group_id}&assigned=all").get_data(as_text=True)
    assert all(reference in page for reference in campaign) and other not in page
    case = desk.get(f"/officer/reports/{campaign[0]}").get_data(as_text=True)
    assert f"campaign={group_id}" in case
    case_action(desk, other, "claim")
    me = db.session.scalar(select(Report.assigned_to_id).where(Report.reference == other))
    by_assignee = desk.get(f"/officer/?assigned={me}").get_data(as_text=True)
    assert other in by_assignee and campaign[0] not in by_assignee
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert other not in desk.get(f"/officer/?from={tomorrow}&assigned=all").get_data(as_text=True)
    assert other in desk.get(f"/officer/?to={tomorrow}&assigned=all").get_data(as_text=True)


def answer(app: Flask, created: dict[str, str], text: str, files: list[tuple[io.BytesIO, str]]):  # type: ignore[no-untyped-def]
    citizen = app.test_client()
    data = {
        "csrf_token": csrf_token(citizen, "/fr/track"),
        "reference": created["reference"],
        "receipt": created["receipt"],
        "answer": text,
        "evidence": files,
    }
    return citizen.post("/fr/track/answer", data=data, content_type="multipart/form-data")


def test_the_citizen_answers_with_a_file_which_is_checked_like_at_filing(
    app: Flask, question_asked: AskQuestion
) -> None:
    created, _ = question_asked()
    response = answer(
        app, created, "Voici la capture du message.", [(io.BytesIO(png_bytes()), "capture.png")]
    )
    assert response.status_code == 200 and current_status(created["reference"]) == "in_progress"
    files = db.session.scalars(select(EvidenceFile)).all()
    assert [(f.original_name, f.media_type) for f in files] == [("capture.png", "image/png")]
    from intake.outbox.models import OutboxJob

    subjects = db.session.scalars(select(OutboxJob.subject)).all()
    assert f"evidence:{files[0].id}" in subjects


def test_a_bad_file_in_an_answer_is_refused_and_the_answer_kept(
    app: Flask, question_asked: AskQuestion
) -> None:
    from tests.factories import EXE_BYTES

    created, _ = question_asked()
    response = answer(
        app, created, "Voici le programme qu'il m'a envoyé.", [(io.BytesIO(EXE_BYTES), "photo.png")]
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and current_status(created["reference"]) == "needs_info"
    assert "Voici le programme qu&#39;il m&#39;a envoyé." in page and 'id="answer-title"' in page


def test_no_file_is_accepted_in_an_answer_about_child_exploitation(
    app: Flask, question_asked: AskQuestion
) -> None:
    created, _ = question_asked(
        category="child_sexual_exploitation", suspects=[{"kind": "url", "value": "http://bad.example/x"}]
    )
    response = answer(app, created, "Voici une capture.", [(io.BytesIO(png_bytes()), "x.png")])
    assert response.status_code == 422 and current_status(created["reference"]) == "needs_info"
    assert db.session.scalar(select(EvidenceFile.id)) is None
    assert not any(p.is_file() for p in Path(app.config["EVIDENCE_DIR"]).rglob("*"))


def test_a_question_can_end_in_a_referral(app: Flask, question_asked: AskQuestion) -> None:
    created, desk = question_asked()
    moved = case_action(
        desk, created["reference"], "status", status="referred", reason="Transmis au parquet."
    )
    assert moved.status_code == 303 and current_status(created["reference"]) == "referred"


def test_a_hostile_file_name_is_made_safe_and_still_downloads(app: Flask, signed_in: SignIn) -> None:
    from intake.reports.evidence import safe_file_name

    hostile = "a\r\nSet-Cookie: x=1\u202egnp.exe/../x"
    assert safe_file_name(hostile, "image/png") == "a__Set-Cookie_ x=1gnp.exe_.._x"
    assert safe_file_name("\x00", "application/pdf") == "document-1.pdf"
    data = {**form_data(), "evidence": (io.BytesIO(png_bytes()), "capture.png")}
    assert (
        app.test_client().post("/api/v1/reports", data=data, content_type="multipart/form-data").status_code
        == 201
    )
    item = db.session.scalar(select(EvidenceFile))
    assert item is not None
    item.original_name = hostile  # a row written before names were cleaned
    db.session.commit()
    download = signed_in().get(f"/officer/evidence/{item.id}")
    assert download.status_code == 200 and "Set-Cookie" not in download.headers
    assert "\n" not in download.headers["Content-Disposition"]
    download.close()


@pytest.mark.parametrize(
    "query", ["assigned=²", "campaign=²", "assigned=99999999999999999999", "after=bad", "after=" + "A" * 40]
)
def test_odd_queue_parameters_are_ignored_not_500(app: Flask, query: str, signed_in: SignIn) -> None:
    response = signed_in().get(f"/officer/?{query}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_links_in_the_citizens_text_are_defanged(
    app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn
) -> None:
    created = filed_and_triaged(
        app.test_client(),
        description="Il m'a envoyé https://faux-colis.example/payer puis www.arnaque.example",
    )
    page = signed_in().get(f"/officer/reports/{created['reference']}").get_data(as_text=True)
    assert "hxxps://faux-colis[.]example/payer" in page and "www[.]arnaque[.]example" in page
    assert "https://faux-colis.example" not in page


def test_an_answer_that_comes_too_late_is_kept_on_the_page(app: Flask, question_asked: AskQuestion) -> None:
    created, desk = question_asked()
    case_action(desk, created["reference"], "status", status="resolved")
    response = answer(app, created, "Voici ma réponse, un peu tard.", [])
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Voici ma réponse, un peu tard." in page


def test_queue_dates_are_days_in_morocco(
    app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn
) -> None:
    """A report filed at 23:30 UTC on 10 November was filed on the 11th in Morocco (UTC+1): the
    officer's date filters say so; and the calendar's last day is a filter, not an error."""
    from datetime import UTC, datetime

    from sqlalchemy import update

    reference = filed_and_triaged()["reference"]
    db.session.execute(
        update(Report)
        .where(Report.reference == reference)
        .values(created_at=datetime(2026, 11, 10, 23, 30, tzinfo=UTC))
    )
    db.session.commit()
    desk = signed_in()

    def listed(query: str) -> bool:
        return reference in desk.get(f"/officer/?assigned=all&{query}").get_data(as_text=True)

    assert listed("from=2026-11-11&to=2026-11-11")
    assert not listed("to=2026-11-10") and not listed("from=2026-11-12")
    assert listed("from=2026-11-11&to=9999-12-31")


def test_a_blank_answer_is_refused_and_the_files_are_not_kept(
    app: Flask, question_asked: AskQuestion
) -> None:
    """Spaces and control characters alone are no answer: 422 beside the form, nothing stored."""
    created, _ = question_asked()
    response = answer(app, created, "  \n\t\x07  ", [(io.BytesIO(png_bytes()), "capture.png")])
    assert response.status_code == 422 and "Écrivez votre réponse." in response.get_data(as_text=True)
    assert current_status(created["reference"]) == "needs_info"
    assert db.session.scalar(select(EvidenceFile.id)) is None


def test_a_move_decided_on_an_old_version_is_a_conflict_not_a_refusal(
    app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn
) -> None:
    """Officer B read the report in progress; officer A resolved it meanwhile. B's question is a 409
    with the new state on the page (not "this status cannot follow"), and so is B's stale claim."""
    reference = filed_and_triaged()["reference"]
    first = signed_in(email="a@police.example.ma")
    case_action(first, reference, "claim")
    case_action(first, reference, "status", status="in_progress")
    boss = signed_in("supervisor")
    seen = version_of(boss, reference)
    assert case_action(first, reference, "status", status="resolved").status_code == 303
    late = case_action(boss, reference, "status", seen, status="needs_info", message="Une question ?")
    assert late.status_code == 409 and "Une question ?" in late.get_data(as_text=True)
    stale_claim = case_action(boss, reference, "claim", seen)
    assert stale_claim.status_code == 409 and current_status(reference) == "resolved"
