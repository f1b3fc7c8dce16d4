"""The officer's day, end to end against a real worker: an officer created with the CLI logs in,
finds a new report (triaged by the worker) in the queue, works it, asks the citizen a question, the
citizen answers on the tracking page, and the officer resolves it."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from tests.conftest import csrf_token, status_of
from tests.factories import DESCRIPTION_AR, form_data
from tests.processes import celery_worker, log_tail, wait_for

PASSWORD = "a long passphrase for the desk"


def test_an_officer_works_a_report_from_the_queue_to_resolution(
    stack: tuple[Flask, dict[str, str]], tmp_path: Path
) -> None:
    app, env = stack
    created = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "desk@police.example.ma", "--role", "officer", "--name", "Karim"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert created.exit_code == 0, created.output
    citizen, desk = app.test_client(), app.test_client()
    log = tmp_path / "worker.log"
    with celery_worker(env, log):
        filed = citizen.post(
            "/fr/report",
            data={"csrf_token": csrf_token(citizen, "/fr/report"), **form_data(description=DESCRIPTION_AR)},
            content_type="multipart/form-data",
        )
        confirmation = citizen.get(filed.location).get_data(as_text=True)
        reference = re.search(r"BLG-[0-9A-Z]{4}-[0-9A-Z]{4}", confirmation).group(0)  # type: ignore[union-attr]
        receipt = re.search(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){5}", confirmation).group(0)  # type: ignore[union-attr]
        wait_for(lambda: status_of(reference) == "triaged", 60, what=f"triaged\n{log_tail(log)}")

    login = desk.post(
        "/login",
        data={
            "csrf_token": csrf_token(desk, "/login"),
            "email": "desk@police.example.ma",
            "password": PASSWORD,
        },
    )
    assert login.status_code == 302
    assert reference in desk.get("/officer/").get_data(as_text=True)
    case = desk.get(f"/officer/reports/{reference}").get_data(as_text=True)
    assert DESCRIPTION_AR in case and "identifier_seen_before" not in case

    def act(action: str, **fields: str) -> int:
        page = desk.get(f"/officer/reports/{reference}").get_data(as_text=True)
        version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
        data = {"csrf_token": csrf_token(desk, "/officer/"), "version": version, **fields}
        return desk.post(f"/officer/reports/{reference}/{action}", data=data).status_code

    assert act("claim") == 303
    assert act("status", status="in_progress") == 303
    assert act("status", status="needs_info", message="Avez-vous gardé le reçu du virement ?") == 303
    answer = citizen.post(
        "/fr/track/answer",
        data={
            "csrf_token": csrf_token(citizen, "/fr/track"),
            "reference": reference,
            "receipt": receipt,
            "answer": "Oui, je l'ai gardé, je peux l'envoyer.",
        },
    )
    assert answer.status_code == 200 and status_of(reference) == "in_progress"
    assert "Oui, je l&#39;ai gardé" in desk.get(f"/officer/reports/{reference}").get_data(as_text=True)
    assert act("status", status="resolved") == 303 and status_of(reference) == "resolved"
    history = citizen.get(f"/api/v1/reports/{reference}/status", headers={"X-Receipt": receipt}).json[
        "history"
    ]
    assert [step["status"] for step in history] == [
        "received", "triaged", "assigned", "in_progress", "needs_info", "in_progress", "resolved"
    ]  # fmt: skip
