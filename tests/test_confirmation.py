"""The receipt reaches the confirmation page once, and never travels in a cookie (ASVS 3.2.3, 8.3.1)."""

from __future__ import annotations

from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from intake.extensions import db
from intake.reports.confirmations import SLIP_LIFETIME, SlipTicket, hold_receipt
from intake.reports.confirmations import take_receipt as take_receipt_in_unit
from intake.reports.models import ReceiptSlip
from intake.reports.receipts import seal, unseal
from intake.types import utcnow
from tests.conftest import RECEIPT_PATTERN, csrf_token
from tests.factories import form_data


def session_cookie_payload(app: Flask, set_cookie_headers: list[str]) -> dict:
    """What the signed session cookie really carries, decoded as anyone holding it could."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    for header in set_cookie_headers:
        cookie = SimpleCookie(header)
        if app.config["SESSION_COOKIE_NAME"] in cookie:
            return serializer.loads(cookie[app.config["SESSION_COOKIE_NAME"]].value)
    raise AssertionError("no session cookie was set")


def file_through_the_form(client: FlaskClient):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client, "/fr/report"), **form_data()}
    return client.post("/fr/report", data=data, content_type="multipart/form-data")


def test_receipt_is_never_in_the_cookie_and_shown_once(client: FlaskClient, app: Flask, backend: str) -> None:
    response = file_through_the_form(client)
    assert response.status_code == 303
    payload = session_cookie_payload(app, response.headers.getlist("Set-Cookie"))
    old_cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert old_cookie is not None

    page = client.get(response.location)
    receipt = RECEIPT_PATTERN.search(page.get_data(as_text=True))
    assert page.status_code == 200 and receipt
    assert receipt.group(0) not in repr(payload)
    assert receipt.group(0).replace("-", "") not in repr(payload).replace("-", "")
    assert db.session.scalar(select(func.count()).select_from(ReceiptSlip)) == 0

    # The same page again, and then with a replayed copy of the old cookie: no receipt either way.
    assert client.get(response.location).status_code == 303
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], old_cookie.value)
    replayed = client.get(response.location)
    assert replayed.status_code == 303 and replayed.location.endswith("/fr/track")
    assert receipt.group(0) not in replayed.get_data(as_text=True)


def test_the_database_alone_cannot_give_the_receipt_back(app: Flask) -> None:
    sealed, pad = seal("ABCD-EFGH-JKMN-PQRS-TWXY-Z234")
    assert b"ABCD" not in sealed and unseal(sealed, pad) == "ABCD-EFGH-JKMN-PQRS-TWXY-Z234"
    assert unseal(sealed, pad[:-1]) is None


def take_receipt(ticket: SlipTicket) -> str | None:
    """As the confirmation page does: take, then the request's unit of work commits."""
    receipt = take_receipt_in_unit(ticket)
    db.session.commit()
    return receipt


def test_a_wrong_pad_or_slip_gives_nothing_usable(app: Flask) -> None:
    ticket = hold_receipt("ABCD-EFGH-JKMN-PQRS-TWXY-Z234")
    db.session.commit()
    assert take_receipt(SlipTicket("0" * 32, ticket.pad)) is None
    assert take_receipt(SlipTicket(ticket.slip_id, "not base64!")) is None
    # neither attempt used up the real slip, which still opens once with the right pad
    assert take_receipt(ticket) == "ABCD-EFGH-JKMN-PQRS-TWXY-Z234"
    assert take_receipt(ticket) is None


def test_stale_slips_are_purged_and_never_served(app: Flask) -> None:
    old = hold_receipt("ABCD-EFGH-JKMN-PQRS-TWXY-Z234")
    abandoned = hold_receipt("BBBB-EFGH-JKMN-PQRS-TWXY-Z234")
    fresh = hold_receipt("ZZZZ-EFGH-JKMN-PQRS-TWXY-Z234")
    db.session.commit()
    db.session.execute(
        update(ReceiptSlip)
        .where(ReceiptSlip.id != fresh.slip_id)
        .values(created_at=utcnow() - SLIP_LIFETIME - timedelta(minutes=1))
    )
    db.session.commit()
    assert take_receipt(old) is None  # expired: never served, even with the right pad
    # and every confirmation purges the slips nobody came for
    assert db.session.scalars(select(ReceiptSlip.id)).all() == [fresh.slip_id]
    assert abandoned.slip_id != fresh.slip_id
    assert take_receipt(fresh) == "ZZZZ-EFGH-JKMN-PQRS-TWXY-Z234"


def test_a_page_that_fails_to_render_can_be_retried(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The slip and the session entry are used up only by a page that was really rendered."""
    import intake.reports.views

    response = file_through_the_form(client)
    real_render = intake.reports.views.render_template
    calls = []

    def render_fails_once(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args[0])
        if len(calls) == 1:
            raise RuntimeError("template error")
        return real_render(*args, **kwargs)

    monkeypatch.setattr(intake.reports.views, "render_template", render_fails_once)
    assert client.get(response.location).status_code == 500
    retry = client.get(response.location)
    assert retry.status_code == 200 and RECEIPT_PATTERN.search(retry.get_data(as_text=True))
    assert client.get(response.location).status_code == 303
