"""Reporters who ask for it are told there is news, by e-mail or SMS: against a real SMTP server
(aiosmtpd) and a real HTTP gateway, started by the tests. The message carries the reference and the
tracking link only (ASVS 8.3.1, 8.3.4); a burst of changes makes one message; a server that is down
delays the message and loses none; no delivery sends twice."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from intake.config import ConfigurationError, load_config
from intake.extensions import db
from intake.notifications.channels import DeliveryFailed, Notice, SmtpChannel
from intake.notifications.models import Notification
from intake.outbox.models import OutboxJob
from intake.outbox.services import dead_jobs
from intake.reports.models import CaseEvent
from intake.types import utcnow
from intake.unit_of_work import commit
from tests.conftest import (
    TEST_BLIND_INDEX_KEY,
    TEST_DATA_KEYS,
    AskQuestion,
    LogIn,
    MakeStaff,
    app_for,
    at_once,
    case_action,
    csrf_token,
    current_status,
    release_database,
    run_due_jobs,
    run_job,
    status_of,
    worker_env,
)
from tests.factories import DESCRIPTION_FR, form_data, report_payload
from tests.messaging import (
    GarbageServer,
    MailServer,
    SmsGatewayServer,
    self_signed_certificate,
    server_tls_context,
)
from tests.processes import celery_worker, log_tail, wait_for

PUBLIC_URL = "https://blagh.example.ma"
MAIL_FROM = "Blagh <no-reply@blagh.example.ma>"
QUESTION = "Quel est le RIB exact sur lequel vous avez payé ?"
NOTIFYING = ("case_event", "notification")


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_on(app: Flask, mail_server: MailServer) -> MailServer:
    """The app sends through the test's SMTP server, at once (no batching window)."""
    app.config.update(
        SMTP_URL=f"smtp://127.0.0.1:{mail_server.port}",
        MAIL_FROM=MAIL_FROM,
        PUBLIC_URL=PUBLIC_URL,
        NOTIFY_BATCH_SECONDS=0,
        NOTIFY_RETRY_SECONDS=60,
    )
    return mail_server


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def notification() -> Notification:
    db.session.expire_all()
    item = db.session.scalar(select(Notification))
    assert item is not None
    return item


def test_a_question_sends_one_mail_with_the_reference_and_the_link_only(
    app: Flask, backend: str, mail_on: MailServer, question_asked: AskQuestion
) -> None:
    created, _ = question_asked(QUESTION, notify=True, language="fr")
    run_due_jobs(*NOTIFYING)
    [message] = mail_on.wait_for_messages(1)
    text, html = parts(message)
    reference, receipt = created["reference"], created["receipt"]
    assert message["To"] == "salma@example.ma" and message["From"] == MAIL_FROM
    assert message["Subject"] == f"Du nouveau sur votre signalement {reference}"
    assert message["Auto-Submitted"] == "auto-generated" and message["Content-Language"] == "fr"
    assert reference in text and f"{PUBLIC_URL}/fr/track" in text
    assert f'href="{PUBLIC_URL}/fr/track"' in html and '<html lang="fr" dir="ltr">' in html
    everything = message.as_string()
    # never what a shared mailbox must not show: the story, the question, who asked, the secret
    for secret in (DESCRIPTION_FR[:40], QUESTION, "Officer Alaoui", receipt, "Salma Benali", "661234567"):
        assert secret not in everything and secret not in text and secret not in html
    assert notification().state == "sent" and notification().event_count == 1


@pytest.mark.parametrize(
    ("language", "subject", "words", "direction"),
    [
        ("ar", "مستجدات بخصوص بلاغك", "هناك مستجدات بخصوص بلاغك", "rtl"),
        ("fr", "Du nouveau sur votre signalement", "Il y a du nouveau sur votre signalement", "ltr"),
        ("en", "News on your report", "There is news on your report", "ltr"),
    ],
)
def test_the_mail_is_in_the_reports_language(
    app: Flask,
    mail_on: MailServer,
    question_asked: AskQuestion,
    language: str,
    subject: str,
    words: str,
    direction: str,
) -> None:
    created, _ = question_asked(QUESTION, notify=True, language=language)
    run_due_jobs(*NOTIFYING)
    [message] = mail_on.wait_for_messages(1)
    text, html = parts(message)
    assert message["Subject"] == f"{subject} {created['reference']}"
    assert words in text and f"{PUBLIC_URL}/{language}/track" in text
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert f'<span dir="ltr">{created["reference"]}</span>' in html  # the reference reads left to right


def time_passes(seconds: float) -> None:
    """What is waiting (notifications, their delivery jobs) becomes due as if `seconds` had gone by."""
    back = timedelta(seconds=seconds)
    for notification_row in db.session.scalars(select(Notification)):
        notification_row.due_at -= back
    for job in db.session.scalars(select(OutboxJob).where(OutboxJob.available_at.is_not(None))):
        job.available_at = job.available_at - back if job.available_at else None
    commit()


def test_a_burst_of_news_makes_one_mail(app: Flask, mail_on: MailServer, question_asked: AskQuestion) -> None:
    app.config["NOTIFY_BATCH_SECONDS"] = 300
    created, desk = question_asked(QUESTION, notify=True, language="fr")
    assert (
        case_action(desk, created["reference"], "message", body="Nous avons reçu votre capture.").status_code
        == 303
    )
    assert case_action(desk, created["reference"], "status", status="resolved").status_code == 303
    run_due_jobs(*NOTIFYING)  # the three events join one notification, which waits for the window
    assert mail_on.messages == [] and notification().event_count == 3
    time_passes(240)  # well inside the window, however slow the machine
    assert [kind for kind, _, _ in run_due_jobs(*NOTIFYING)] == [] and mail_on.messages == []
    time_passes(60)
    run_due_jobs(*NOTIFYING)
    assert len(mail_on.messages) == 1 and db.session.scalar(select(func.count(Notification.id))) == 1


def test_a_mail_server_down_delays_the_mail_and_loses_none(
    app: Flask, backend: str, mail_on: MailServer, question_asked: AskQuestion
) -> None:
    mail_on.stop()
    question_asked(QUESTION, notify=True, language="fr")
    run_due_jobs(*NOTIFYING)
    waiting = notification()
    assert (waiting.state, waiting.attempts, waiting.sent_at) == ("pending", 1, None)
    assert waiting.last_error and "Refused" in waiting.last_error
    retry = db.session.scalar(
        select(OutboxJob).where(
            OutboxJob.subject == f"notification:{waiting.id}", OutboxJob.published_at.is_(None)
        )
    )
    assert retry is not None and retry.available_at is not None  # tried again later, not lost
    assert run_due_jobs(*NOTIFYING) == []  # not before its time (NOTIFY_RETRY_SECONDS)
    mail_on.start()
    time_passes(app.config["NOTIFY_RETRY_SECONDS"])
    run_due_jobs(*NOTIFYING)
    assert len(mail_on.messages) == 1
    assert run_job("notification", waiting.id) is False  # a redelivered job sends nothing
    run_due_jobs(*NOTIFYING)
    assert len(mail_on.messages) == 1 and notification().state == "sent"


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_concurrent_deliveries_send_once(
    app: Flask, backend: str, mail_on: MailServer, question_asked: AskQuestion
) -> None:
    """Three workers get the same delivery at once: one claims it and sends, the others stand back."""
    question_asked(QUESTION, notify=True, language="fr")
    run_due_jobs("case_event")
    item_id = notification().id
    db.session.remove()
    results = at_once(app, 3, lambda: run_job("notification", item_id))
    assert sorted(results, key=bool) == [False, False, True]
    assert len(mail_on.messages) == 1  # aiosmtpd keeps a message before it answers 250


def test_a_mailbox_that_does_not_exist_fails_for_good(
    app: Flask, mail_on: MailServer, question_asked: AskQuestion
) -> None:
    mail_on.refused.add("salma@example.ma")
    question_asked(QUESTION, notify=True, language="fr")
    run_due_jobs(*NOTIFYING)
    failed = notification()
    assert failed.state == "failed" and failed.last_error == "recipient refused (SMTP [550])"
    assert "salma" not in (failed.last_error or "")  # no address in what is kept
    assert mail_on.messages == [] and run_due_jobs(*NOTIFYING) == []


def test_no_mail_for_a_reporter_who_did_not_ask(
    app: Flask, mail_on: MailServer, question_asked: AskQuestion
) -> None:
    question_asked(QUESTION)
    assert run_due_jobs(*NOTIFYING) == []  # the news costs no job: nobody asked to hear of it
    assert db.session.scalar(select(func.count(Notification.id))) == 0 and mail_on.messages == []


def test_without_a_channel_no_job_is_queued_for_the_news(app: Flask, question_asked: AskQuestion) -> None:
    created, _ = question_asked(QUESTION, notify=True, language="fr")
    assert current_status(created["reference"]) == "needs_info"
    events = db.session.scalars(select(CaseEvent)).all()
    assert events and all(event.dispatched_at is not None for event in events)
    assert db.session.scalar(select(OutboxJob.id).where(OutboxJob.subject.like("case_event:%"))) is None


def test_the_form_offers_the_choice_with_a_channel_and_checks_the_address(
    app: Flask, mail_server: MailServer
) -> None:
    client = app.test_client()
    assert 'name="notify"' not in client.get("/fr/report").get_data(as_text=True)  # no SMTP_URL yet
    app.config.update(SMTP_URL=f"smtp://127.0.0.1:{mail_server.port}", MAIL_FROM=MAIL_FROM)
    page = client.get("/fr/report").get_data(as_text=True)
    assert 'name="notify"' in page and "Me prévenir par e-mail quand il y a du nouveau" in page
    assert 'name="notify_sms"' not in page  # no gateway: not offered
    data = {"csrf_token": csrf_token(client, "/fr/report"), **form_data(notify="y", reporter_email=None)}
    refused = client.post("/fr/report", data=data, content_type="multipart/form-data")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Indiquez votre adresse e-mail pour être prévenu, ou décochez cette case." in text
    assert "Salma Benali" in text and re.search(r'<input type="checkbox" name="notify"[^>]*\schecked', text)
    data = {"csrf_token": csrf_token(client, "/fr/report"), **form_data(notify="y")}
    assert client.post("/fr/report", data=data, content_type="multipart/form-data").status_code == 303
    from intake.reports.models import Report

    assert db.session.scalar(select(Report.notify_email)) is True


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"notify": True, "anonymous": True}, "notify", "Give your e-mail address to be told by e-mail"),
        ({"notify": True, "reporter_email": None}, "notify", "Give your e-mail address to be told by e-mail"),
        (
            {"notify_sms": True, "reporter_phone": None},
            "notify_sms",
            "Give your phone number to be told by SMS",
        ),
        ({"notify": "yes"}, "notify", "Give true or false."),
    ],
)
def test_the_api_checks_the_choice_too(
    app: Flask, overrides: dict[str, Any], field: str, message: str
) -> None:
    payload = report_payload(language="en", **overrides)
    if payload.get("anonymous"):
        payload.update(reporter_name=None, reporter_email=None, reporter_phone=None)
    answer = app.test_client().post("/api/v1/reports", json=payload)
    assert answer.status_code == 422 and message in answer.json["errors"][field][0]


def test_an_sms_gateway_gets_the_reference_and_link_only(app: Flask, question_asked: AskQuestion) -> None:
    gateway = SmsGatewayServer().start()
    try:
        app.config.update(
            SMS_URL=f"http://blagh:s3cret@127.0.0.1:{gateway.port}/send?to={{to}}",
            PUBLIC_URL=PUBLIC_URL,
            NOTIFY_BATCH_SECONDS=0,
        )
        created, _ = question_asked(QUESTION, notify_sms=True, language="ar")
        run_due_jobs(*NOTIFYING)
        [sent] = gateway.requests
    finally:
        gateway.stop()
    assert sent["path"] == "/send?to=%2B212661234567"
    assert sent["headers"]["Authorization"] == "Basic " + base64.b64encode(b"blagh:s3cret").decode()
    assert sent["headers"]["Idempotency-Key"] == f"blagh-notification-{notification().id}"
    assert sent["body"]["to"] == "+212661234567"
    text = sent["body"]["text"]
    assert created["reference"] in text and f"{PUBLIC_URL}/ar/track" in text and "مستجدات" in text
    assert QUESTION not in text and created["receipt"] not in text and len(text) < 200
    assert notification().state == "sent"


@pytest.mark.parametrize("scheme", ["smtps", "smtp+starttls"])
def test_mail_goes_over_tls_with_a_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scheme: str
) -> None:
    """The encrypted variants, certificate checked (the test's own authority), password accepted."""
    cert, key = self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts the test's certificate only
    context = server_tls_context(cert, key)
    tls = {"implicit_tls": context} if scheme == "smtps" else {"starttls": context}
    server = MailServer("localhost", login=("blagh", "p@ss word"), **tls).start()
    notice = Notice("fr", "Sujet", "Texte", "<p>Texte</p>", "Court")
    try:
        url = f"{scheme}://blagh:p%40ss%20word@localhost:{server.port}"
        SmtpChannel(url, MAIL_FROM).send("salma@example.ma", notice, "blagh-notification-1")
        assert server.wait_for_messages(1)[0]["Message-ID"] == "<blagh-notification-1@blagh.example.ma>"
        with pytest.raises(DeliveryFailed) as refused:
            SmtpChannel(f"{scheme}://blagh:wrong@localhost:{server.port}", MAIL_FROM, timeout=2).send(
                "salma@example.ma", notice, "blagh-notification-2"
            )
        assert not refused.value.permanent  # a login problem is the operator's to fix: kept, tried again
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "nothing.pem"))
        with pytest.raises(DeliveryFailed) as untrusted:  # a certificate nobody vouches for: nothing sent
            SmtpChannel(url, MAIL_FROM).send("salma@example.ma", notice, "blagh-notification-3")
        assert "SSL" in untrusted.value.reason or "Certificate" in untrusted.value.reason
        assert len(server.messages) == 1
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"SMTP_URL": "http://mail.example.ma"}, "SMTP_URL must look like"),
        ({"SMTP_URL": "smtp://user:pw@mail.example.ma:25", "MAIL_FROM": MAIL_FROM}, "travels encrypted"),
        ({"SMTP_URL": "smtps://mail.example.ma"}, "MAIL_FROM must be set"),
        (
            {
                "SMTP_URL": "smtps://mail.example.ma",
                "MAIL_FROM": MAIL_FROM,
                "DATABASE_URL": "postgresql://x/y",
                "SECRET_KEY": "k",
                "DATA_KEYS": TEST_DATA_KEYS,
                "BLIND_INDEX_KEY": TEST_BLIND_INDEX_KEY,
            },
            "PUBLIC_URL must be set",
        ),
        ({"SMS_URL": "ftp://gateway.example.ma"}, "SMS_URL must be"),
        ({"SMS_URL": "http://key@sms.example.ma/send"}, "SMS_URL must use https"),
        ({"SMS_URL": "https://sms.example.ma:99999/send", "PUBLIC_URL": PUBLIC_URL}, "SMS_URL must be"),
        ({"SMTP_URL": "smtp://mail.example.ma:abc", "MAIL_FROM": MAIL_FROM}, "SMTP_URL must look like"),
        ({"SMTP_URL": "smtps://mail.example.ma", "MAIL_FROM": MAIL_FROM}, "PUBLIC_URL must be set"),
        ({"PUBLIC_URL": "blagh.example.ma"}, "PUBLIC_URL must be a plain"),
        ({"PUBLIC_URL": "https://user:pw@blagh.example.ma"}, "PUBLIC_URL must be a plain"),
    ],
)
def test_unsafe_or_incomplete_settings_stop_the_start(
    tmp_path: Path, env: dict[str, str], complaint: str
) -> None:
    with pytest.raises(ConfigurationError, match=complaint):
        load_config({"VAR_DIR": str(tmp_path), **env})


def test_a_mail_the_server_took_is_not_sent_again_for_a_bad_goodbye(
    app: Flask, mail_on: MailServer, question_asked: AskQuestion
) -> None:
    """The server took the message (250 after DATA), then answered QUIT badly: it was sent."""
    mail_on.quit_reply = "451 4.3.0 Closing badly"
    question_asked(QUESTION, notify=True, language="fr")
    run_due_jobs(*NOTIFYING)
    time_passes(3600)
    run_due_jobs(*NOTIFYING)
    assert len(mail_on.messages) == 1 and notification().state == "sent"


def test_a_server_that_says_later_gets_the_message_later(
    app: Flask, mail_on: MailServer, question_asked: AskQuestion
) -> None:
    mail_on.data_reply = "451 4.3.0 Try again later"
    question_asked(QUESTION, notify=True, language="fr")
    run_due_jobs(*NOTIFYING)
    assert (notification().state, notification().last_error) == ("pending", "message refused (SMTP 451)")
    mail_on.data_reply = None
    time_passes(60)
    run_due_jobs(*NOTIFYING)
    assert len(mail_on.messages) == 1 and notification().state == "sent"


def test_pauses_between_tries_grow_and_stop_at_an_hour(
    app: Flask, mail_on: MailServer, question_asked: AskQuestion
) -> None:
    """60 s, then 120 s, … at most an hour, even after days of trying (no overflow, no dead letter)."""
    mail_on.stop()
    question_asked(QUESTION, notify=True, language="fr")
    pauses = []
    for attempts_before in (0, 1, 2, 500):
        db.session.execute(
            update(Notification).values(attempts=attempts_before, due_at=utcnow() - timedelta(seconds=1))
        )
        for job in db.session.scalars(select(OutboxJob).where(OutboxJob.available_at.is_not(None))):
            job.available_at = utcnow() - timedelta(seconds=1)
        commit()
        before = utcnow()
        run_due_jobs(*NOTIFYING)
        pauses.append(round((notification().due_at - before).total_seconds() / 60))
        assert notification().state == "pending"
    assert pauses == [1, 2, 4, 60]  # minutes
    assert dead_jobs() == []


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_two_events_dispatched_at_once_make_one_notification(
    app: Flask, backend: str, mail_on: MailServer, question_asked: AskQuestion
) -> None:
    """Two workers plan a notification for the same report at the same moment: the upsert on the
    open notification's unique index makes one, which both events join."""
    app.config["NOTIFY_BATCH_SECONDS"] = 300
    created, desk = question_asked(QUESTION, notify=True, language="fr")
    assert case_action(desk, created["reference"], "message", body="Une précision.").status_code == 303
    events = list(db.session.scalars(select(CaseEvent.id).where(CaseEvent.dispatched_at.is_(None))))
    assert len(events) == 2
    db.session.remove()
    results = at_once(app, 2, lambda: run_job("case_event", events.pop()))
    assert results == [True, True]
    assert [(n.event_count, n.state) for n in db.session.scalars(select(Notification))] == [(2, "pending")]


@pytest.mark.parametrize(
    ("status", "state"),
    [
        (503, "pending"),
        (429, "pending"),
        (401, "pending"),
        (403, "pending"),
        (404, "pending"),
        (400, "failed"),
        (422, "failed"),
    ],
)
def test_a_gateway_that_refuses_is_tried_again_or_given_up(
    app: Flask, question_asked: AskQuestion, status: int, state: str
) -> None:
    gateway = SmsGatewayServer().start()
    gateway.status = status
    try:
        app.config.update(
            SMS_URL=f"http://127.0.0.1:{gateway.port}/send", PUBLIC_URL=PUBLIC_URL, NOTIFY_BATCH_SECONDS=0
        )
        question_asked(QUESTION, notify_sms=True)
        run_due_jobs(*NOTIFYING)
    finally:
        gateway.stop()
    assert notification().state == state and notification().last_error == f"gateway answered HTTP {status}"


def test_a_gateway_redirect_is_not_followed(app: Flask, question_asked: AskQuestion) -> None:
    """Following it would carry the credentials and the phone number elsewhere, as a GET that sends
    nothing while it looks sent."""
    gateway, elsewhere = SmsGatewayServer().start(), SmsGatewayServer().start()
    gateway.status, gateway.location = 302, f"http://127.0.0.1:{elsewhere.port}/steal"
    try:
        app.config.update(
            SMS_URL=f"http://blagh:s3cret@127.0.0.1:{gateway.port}/send",
            PUBLIC_URL=PUBLIC_URL,
            NOTIFY_BATCH_SECONDS=0,
        )
        question_asked(QUESTION, notify_sms=True)
        run_due_jobs(*NOTIFYING)
    finally:
        gateway.stop()
        elsewhere.stop()
    assert elsewhere.requests == [] and len(gateway.requests) == 1
    assert (notification().state, notification().last_error) == ("pending", "gateway answered HTTP 302")


def test_a_gateway_that_talks_nonsense_is_tried_again(app: Flask, question_asked: AskQuestion) -> None:
    garbage = GarbageServer()
    try:
        app.config.update(
            SMS_URL=f"http://127.0.0.1:{garbage.port}/send", PUBLIC_URL=PUBLIC_URL, NOTIFY_BATCH_SECONDS=0
        )
        question_asked(QUESTION, notify_sms=True)
        run_due_jobs(*NOTIFYING)
    finally:
        garbage.stop()
    assert notification().state == "pending" and notification().last_error == "BadStatusLine"
    assert dead_jobs() == []


@pytest.mark.worker
def test_a_real_worker_sends_exactly_one_mail_after_the_server_comes_back(
    tmp_path: Path,
    request: pytest.FixtureRequest,
    make_staff: MakeStaff,
    log_in: LogIn,
    stack_kind: str,
) -> None:
    """An officer asks a question while the mail server is down; the worker tries, waits, tries again;
    the server is started: exactly one mail arrives, and no other follows."""
    server = MailServer()
    database_url = redis_url = None
    if stack_kind == "postgresql+redis":
        database_url, redis_url = (
            request.getfixturevalue("postgres_url"),
            request.getfixturevalue("redis_url"),
        )
    env = worker_env(
        tmp_path / "var",
        database_url,
        redis_url,
        SMTP_URL=f"smtp://127.0.0.1:{server.port}",
        MAIL_FROM=MAIL_FROM,
        PUBLIC_URL=PUBLIC_URL,
        NOTIFY_BATCH_SECONDS="1",
        NOTIFY_RETRY_SECONDS="1",
    )
    app = app_for(env)
    from flask_migrate import upgrade

    from tests.conftest import empty_tables

    log = tmp_path / "worker.log"
    with app.app_context():
        upgrade()
        empty_tables()
        make_staff()
        citizen, desk = app.test_client(), app.test_client()
        assert log_in(desk, "officer@police.example.ma").status_code == 302
        try:
            with celery_worker(env, log, beat=True):
                created = citizen.post(
                    "/api/v1/reports", json=report_payload(notify=True, language="fr")
                ).json
                reference = created["reference"]
                wait_for(lambda: status_of(reference) == "triaged", 60, what=f"triaged\n{log_tail(log)}")
                case_action(desk, reference, "claim")
                case_action(desk, reference, "status", status="in_progress")
                case_action(desk, reference, "status", status="needs_info", message=QUESTION)

                def tried_and_failed() -> bool:
                    db.session.expire_all()
                    item = db.session.scalar(select(Notification))
                    db.session.rollback()
                    return item is not None and item.attempts >= 1 and item.state == "pending"

                wait_for(tried_and_failed, 60, what=f"a failed attempt\n{log_tail(log)}")
                server.start()
                [message] = server.wait_for_messages(1, 60)
                time.sleep(4)  # several relay and retry periods: nothing else may come
                assert len(server.messages) == 1, log_tail(log)
                assert message["Subject"] == f"Du nouveau sur votre signalement {reference}"
                wait_for(
                    lambda: (db.session.expire_all(), notification().state == "sent")[1], 30, what="sent"
                )
        finally:
            server.stop()
            db.session.remove()
            if database_url:
                empty_tables()
            release_database()


@pytest.fixture(
    params=["embedded", pytest.param("postgresql+redis", marks=[pytest.mark.postgres, pytest.mark.redis])]
)
def stack_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)
