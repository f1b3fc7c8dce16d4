"""The officer's desk (issue 14): the queue sorted by priority or by age, a keyset page at a time in
every order; the next case in queue order as a plain link; the keyboard shortcuts announced; left-to-
right tokens isolated inside Arabic text; `datetime` attributes the HTML checker accepts."""

from __future__ import annotations

import base64
import html
import io
import json
import re
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text, update

from intake.extensions import db
from intake.officer import views
from intake.officer.bidi import isolate_ltr
from intake.officer.queue import QUEUE_ORDERS, QueueFilters, decode_cursor, encode_cursor, queue_page
from intake.reports.models import Report
from intake.types import utcnow
from tests.conftest import (
    FileAndTriage,
    SignIn,
    case_action,
    csrf_token,
    insert_reports_by_sql,
    run_job,
    version_of,
)
from tests.factories import DESCRIPTION_AR, form_data, png_bytes

STATIC = Path(__file__).resolve().parent.parent / "static"
# Four reports, by hand: (priority, rank, hours since filing).
DESK = {"A": ("high", 1, 5), "B": ("urgent", 0, 1), "C": ("normal", 2, 10), "D": ("high", 1, 2)}
# Their orders, worked out by hand: urgent first then the oldest of each priority; by age.
BY_PRIORITY = ["B", "A", "D", "C"]
OLDEST_FIRST = ["C", "A", "D", "B"]
NEWEST_FIRST = ["B", "D", "A", "C"]


@pytest.fixture
def desk_reports(app: Flask, filed_and_triaged: FileAndTriage) -> dict[str, str]:
    """Letter -> reference of four triaged reports with the priorities and ages of DESK."""
    now = utcnow()
    references = {}
    for letter, (priority, rank, hours) in DESK.items():
        reference = filed_and_triaged()["reference"]
        db.session.execute(
            update(Report)
            .where(Report.reference == reference)
            .values(priority=priority, priority_rank=rank, created_at=now - timedelta(hours=hours))
        )
        references[letter] = reference
    db.session.commit()
    return references


def _listed(page: str, references: dict[str, str]) -> list[str]:
    """The letters of the queue's rows, in the order shown."""
    letter = {reference: name for name, reference in references.items()}
    return [letter[ref] for ref in re.findall(r'id="report-(BLG-[0-9A-Z-]+)"', page) if ref in letter]


def _next_page(page: str) -> str | None:
    found = re.search(r'rel="next" href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", BY_PRIORITY),
        ("?sort=priority", BY_PRIORITY),
        ("?sort=oldest", OLDEST_FIRST),
        ("?sort=newest", NEWEST_FIRST),
        ("?sort=age", BY_PRIORITY),  # unknown: the default, never an error
        ("?sort=%27%3B--", BY_PRIORITY),
        ("?sort=oldest&sort=newest", OLDEST_FIRST),
    ],
)
def test_the_queue_is_sorted_by_priority_or_by_age(
    app: Flask, backend: str, desk_reports: dict[str, str], signed_in: SignIn, query: str, expected: list[str]
) -> None:
    response = signed_in().get(f"/officer/{query}")
    assert response.status_code == 200
    assert _listed(response.get_data(as_text=True), desk_reports) == expected


@pytest.mark.parametrize("order", ["priority", "oldest", "newest"])
def test_every_order_pages_by_keyset_and_keeps_its_order_and_filters(
    app: Flask,
    backend: str,
    desk_reports: dict[str, str],
    signed_in: SignIn,
    monkeypatch: pytest.MonkeyPatch,
    order: str,
) -> None:
    """Pages of one report, followed by their "next page" links: the whole order, each report once,
    and every link keeps the order and the filter."""
    monkeypatch.setattr(views, "queue_page", partial(queue_page, size=1))
    desk = signed_in()
    url: str | None = f"/officer/?sort={order}&category=online_shopping_fraud"
    seen: list[str] = []
    while url:
        page = desk.get(url).get_data(as_text=True)
        seen += _listed(page, desk_reports)
        url = _next_page(page)
        assert url is None or (f"sort={order}" in url and "category=online_shopping_fraud" in url), url
    expected = {"priority": BY_PRIORITY, "oldest": OLDEST_FIRST, "newest": NEWEST_FIRST}[order]
    assert seen == expected


def test_a_cursor_belongs_to_its_order(app: Flask, desk_reports: dict[str, str]) -> None:
    """A cursor made for one order starts another order from its first page; a tampered one too."""
    oldest, newest = QUEUE_ORDERS["oldest"], QUEUE_ORDERS["newest"]
    report = db.session.scalar(select(Report).where(Report.reference == desk_reports["A"]))
    assert report is not None
    cursor = encode_cursor(oldest, report)
    assert decode_cursor(cursor, oldest) == (report.created_at, report.id)
    assert decode_cursor(cursor, newest) is None and decode_cursor(cursor, QUEUE_ORDERS["priority"]) is None
    instant = "2026-11-30T10:00:00+00:00"
    for tampered in (
        ["oldest", "2026-11-30T10:00:00", 1],  # no time zone
        ["oldest", instant, 0],  # no such id
        ["oldest", instant, 1.5],  # not a whole number
        ["oldest", instant, float("inf")],  # `Infinity` in the JSON (int() of it raises OverflowError)
        "x",  # not a list
    ):
        made_up = base64.urlsafe_b64encode(json.dumps(tampered).encode()).decode()
        assert decode_cursor(made_up, oldest) is None, tampered
    after_a = queue_page(QueueFilters(assigned="all"), viewer_id=1, cursor=cursor, order=oldest)
    references = [row.reference for row in after_a.rows]
    assert references == [desk_reports[letter] for letter in ("D", "B")]


def test_column_headers_sort_and_say_how(app: Flask, desk_reports: dict[str, str], signed_in: SignIn) -> None:
    desk = signed_in()
    by_priority = desk.get("/officer/?status=triaged").get_data(as_text=True)
    priority_header = re.search(r"<th [^>]*>\s*<a [^>]*id=\"sort-priority\"", by_priority)
    assert priority_header and 'aria-sort="descending"' in priority_header.group(0)
    assert by_priority.count("aria-sort=") == 1
    age_link = re.search(r'href="([^"]+)" id="sort-age"', by_priority)
    assert age_link and html.unescape(age_link.group(1)) == "/officer/?status=triaged&sort=oldest"

    oldest = desk.get("/officer/?status=triaged&sort=oldest").get_data(as_text=True)
    age_header = re.search(r"<th [^>]*>\s*<a [^>]*id=\"sort-age\"", oldest)
    assert age_header and 'aria-sort="descending"' in age_header.group(0)  # the ages shown decrease
    again = re.search(r'href="([^"]+)" id="sort-age"', oldest)
    assert again and html.unescape(again.group(1)) == "/officer/?status=triaged&sort=newest"
    assert '<option value="oldest" selected>' in oldest  # the filter form keeps the order too
    newest = desk.get("/officer/?sort=newest").get_data(as_text=True)
    assert re.search(r'<th scope="col" aria-sort="ascending"><a [^>]*id="sort-age"', newest)


def _next_case(client: FlaskClient, reference: str, query: str = "") -> str | None:
    page = client.get(f"/officer/reports/{reference}{query}").get_data(as_text=True)
    found = re.search(r'href="/officer/reports/(BLG-[0-9A-Z-]+)[^"]*" id="next-case"', page)
    if found is None:
        assert 'id="no-next-case"' in page
    return found.group(1) if found else None


@pytest.mark.parametrize(
    ("query", "expected"), [("", BY_PRIORITY), ("?sort=oldest", OLDEST_FIRST), ("?sort=newest", NEWEST_FIRST)]
)
def test_the_next_case_is_the_next_one_in_the_queue_order(
    app: Flask, backend: str, desk_reports: dict[str, str], signed_in: SignIn, query: str, expected: list[str]
) -> None:
    desk = signed_in()
    following = {letter: _next_case(desk, desk_reports[letter], query) for letter in desk_reports}
    by_hand = {expected[i]: desk_reports[expected[i + 1]] for i in range(len(expected) - 1)}
    assert following == {**by_hand, expected[-1]: None}
    page = desk.get(f"/officer/reports/{desk_reports[expected[0]]}{query}").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" id="next-case"[^>]*>', page)
    assert link and html.unescape(link.group(1)).endswith(desk_reports[expected[1]] + query)
    assert 'aria-keyshortcuts="n"' in link.group(0)


def test_the_next_case_is_never_a_colleagues(
    app: Flask, backend: str, desk_reports: dict[str, str], signed_in: SignIn
) -> None:
    """B is followed by A in the priority order; once a colleague holds A, the officer is sent to D."""
    colleague, desk = signed_in(email="a@police.example.ma"), signed_in(email="b@police.example.ma")
    assert _next_case(desk, desk_reports["B"]) == desk_reports["A"]
    assert case_action(colleague, desk_reports["A"], "claim").status_code == 303
    assert _next_case(desk, desk_reports["B"]) == desk_reports["D"]
    assert _next_case(signed_in("supervisor"), desk_reports["B"]) == desk_reports["D"]  # the default view


def test_an_action_keeps_the_officers_order(
    app: Flask, desk_reports: dict[str, str], signed_in: SignIn
) -> None:
    desk = signed_in()
    reference = desk_reports["A"]
    page = desk.get(f"/officer/reports/{reference}?sort=oldest").get_data(as_text=True)
    assert f'action="/officer/reports/{reference}/claim?sort=oldest"' in page
    assert 'href="/officer/?sort=oldest" id="back-to-queue"' in page
    taken = desk.post(
        f"/officer/reports/{reference}/claim?sort=oldest",
        data={"csrf_token": csrf_token(desk, "/officer/"), "version": version_of(desk, reference)},
    )
    assert taken.status_code == 303 and taken.location.endswith(f"/officer/reports/{reference}?sort=oldest")
    assert 'id="claim"' not in desk.get(taken.location).get_data(as_text=True)


def test_the_shortcuts_are_announced_and_work_without_a_script_of_the_page(
    app: Flask, desk_reports: dict[str, str], signed_in: SignIn
) -> None:
    """Listed in a <details> (no script needed to read them), named on their controls; the script is a
    file of our own, deferred; nothing inline for the Content-Security-Policy to refuse."""
    desk = signed_in()
    queue = desk.get("/officer/").get_data(as_text=True)
    case = desk.get(f"/officer/reports/{desk_reports['A']}").get_data(as_text=True)
    for page in (queue, case):
        assert '<details class="shortcuts" id="shortcuts">' in page and "<kbd>?</kbd>" in page
        assert '<script src="/static/js/officer-desk.js" defer></script>' in page
        assert not re.search(r"<script(?![^>]*\bsrc=)", page) and " style=" not in page
    assert re.search(r'<input type="search" name="q"[^>]*aria-keyshortcuts="/"', queue)
    assert re.search(r'<table class="queue"[^>]*aria-keyshortcuts="j k o"', queue)
    assert all(f"<kbd>{key}</kbd>" in queue for key in "jko/")
    assert re.search(r'<button [^>]*id="claim" data-key="t" aria-keyshortcuts="t"', case)
    assert re.search(r'<select name="status" id="status" data-key="s" aria-keyshortcuts="s"', case)
    assert all(f"<kbd>{key}</kbd>" in case for key in "nts")
    script = (STATIC / "js" / "officer-desk.js").read_text(encoding="utf-8")
    assert "ctrlKey" in script and "TEXTAREA" in script  # never while typing, never with a modifier
    response = desk.get("/static/js/officer-desk.js")
    assert response.status_code == 200 and "javascript" in response.content_type
    response.close()


def _file_in_arabic(app: Flask) -> str:
    description = (
        DESCRIPTION_AR + " اتصل بي من +212661234567 وطلب التحويل إلى MA64 0117 8000 0012 3456 7890 1287"
        " أو RIB 011780000012345678901287، والموقع https://colis-bloque.example/payer?id=7 وبريده"
        " vendeur@faux.example"
    )
    data = {
        **form_data(description=description, reporter_phone="+212661234567"),
        "evidence": (io.BytesIO(png_bytes()), "capture.png"),
    }
    created = app.test_client().post("/api/v1/reports", data=data, content_type="multipart/form-data").json
    assert created is not None
    run_job("triage", db.session.scalar(select(Report.id).where(Report.reference == created["reference"])))
    return str(created["reference"])


def test_left_to_right_tokens_are_isolated_in_arabic_pages(app: Flask, signed_in: SignIn) -> None:
    reference = _file_in_arabic(app)
    desk = signed_in(language="ar")
    case_action(desk, reference, "claim")
    case_action(desk, reference, "message", body="اتصل بالبنك على 05 22 12 34 56 من فضلك")
    page = desk.get(f"/officer/reports/{reference}").get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in page
    description = page.split('id="case-description">')[1].split("</p>")[0]
    for token in (
        "+212661234567",
        "MA64 0117 8000 0012 3456 7890 1287",
        "011780000012345678901287",
        "hxxps://colis-bloque[.]example/payer?id=7",
        "vendeur@faux.example",
    ):
        assert f'<bdi dir="ltr">{html.escape(token, quote=False)}</bdi>' in description, token
    assert "ودفعت 2500 درهم" in description  # digits alone keep their order: nothing to isolate
    assert '<bdi dir="ltr">+212661234567</bdi>' in page.split('id="case-description"')[1]  # the contact
    assert '<bdi dir="ltr">05 22 12 34 56</bdi>' in page.split('id="case-messages"')[1]
    assert re.search(r'<bdi dir="ltr" class="token"><code>[0-9a-f]{64}</code></bdi>', page)  # the SHA-256
    assert re.search(r'id="case-amount"><bdi><bdi dir="ltr">2\.500,00</bdi>', page)
    queue = desk.get("/officer/?assigned=all").get_data(as_text=True)
    assert f'<bdi dir="ltr">{reference}</bdi>' in queue


def test_isolation_escapes_the_rest_and_leaves_words_alone() -> None:
    assert str(isolate_ltr("<b>رقمي</b> +212 661-23 45 67، أو 06 12 34 56 78 منذ 3 أيام و 2500 درهم")) == (
        '&lt;b&gt;رقمي&lt;/b&gt; <bdi dir="ltr">+212 661-23 45 67</bdi>، أو <bdi dir="ltr">06 12 34 56 78</bdi>'
        " منذ 3 أيام و 2500 درهم"
    )
    assert str(isolate_ltr("Lien www.arnaque.example/x, puis fin.")) == (
        'Lien <bdi dir="ltr">www.arnaque.example/x</bdi>, puis fin.'
    )
    assert str(isolate_ltr('BLG-7KQ4-M9XD "x"')) == '<bdi dir="ltr">BLG-7KQ4-M9XD</bdi> &#34;x&#34;'
    assert (
        str(isolate_ltr("zqx71155517ee, lot12-34 et x+5")) == "zqx71155517ee, lot12-34 et x+5"
    )  # inside words


def test_datetime_attributes_are_valid_and_no_empty_references(
    app: Flask, desk_reports: dict[str, str], signed_in: SignIn
) -> None:
    """Every `datetime` is a date, or an instant to the second with its offset (no microseconds), and
    no `aria-describedby` points at nothing."""
    boss = signed_in("supervisor")
    reference = desk_reports["A"]
    case_action(boss, reference, "claim")
    case_action(boss, reference, "message", body="Une question ?")
    case_action(boss, reference, "note", body="Note.")
    db.session.execute(
        update(Report)
        .where(Report.reference == reference)
        .values(created_at=datetime(2026, 11, 30, 10, 15, 42, 123456, tzinfo=UTC))
    )
    db.session.commit()
    pages = [boss.get("/officer/?assigned=all").get_data(as_text=True)]
    pages.append(boss.get(f"/officer/reports/{reference}").get_data(as_text=True))
    valid = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\+00:00|Z))?")
    for page in pages:
        stamps = re.findall(r'datetime="([^"]*)"', page)
        assert stamps and all(valid.fullmatch(stamp) for stamp in stamps), stamps
        assert 'aria-describedby=""' not in page
    assert (
        'datetime="2026-11-30T10:15:42+00:00"' in pages[0]
        and 'datetime="2026-11-30T10:15:42+00:00"' in pages[1]
    )
    assert len(re.findall(r"<time ", pages[1])) >= 6  # filing, history, messages, notes, audit trail


def test_the_case_page_puts_the_work_beside_what_the_citizen_gave(
    app: Flask, desk_reports: dict[str, str], signed_in: SignIn
) -> None:
    page = signed_in().get(f"/officer/reports/{desk_reports['A']}").get_data(as_text=True)
    citizen, work = page.split('<div class="case-file">')[1].split('<div class="case-work">')
    for section in ("description-title", "history-title"):
        assert f'id="{section}"' in citizen and f'id="{section}"' not in work
    for section in ("state-title", "actions-title", "messages-title", "notes-title"):
        assert f'id="{section}"' in work
    assert work.index('id="actions-title"') < work.index('id="messages-title"')  # the actions come first


def test_the_desk_styles_mirror_in_arabic() -> None:
    """Logical properties only (the same rules lay Arabic out right to left); two columns from 1100 px."""
    css = re.sub(r"/\*.*?\*/", "", (STATIC / "css" / "site.css").read_text(encoding="utf-8"), flags=re.DOTALL)
    physical = re.findall(r"(?:margin|padding|border|inset)-(?:left|right)|(?<![-\w])(?:left|right)\s*:", css)
    assert physical == [] and not re.search(r"text-align:\s*(?:left|right)|float:", css)
    desk = css.split("@media (min-width: 68.75rem)")[1]
    assert "grid-template-columns" in desk and "position: sticky" in desk


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_the_age_orders_read_their_index_on_a_large_table(app: Flask, backend: str) -> None:
    """20,000 open reports: oldest first walks ix_reports_open_age forwards, newest first backwards,
    without a sort, and the pages never overlap."""
    insert_reports_by_sql(20_000)
    open_reports = "status IN ('received','triaged','assigned','in_progress','needs_info')"
    for comparison, direction, scan in (
        (">", "", "Index Scan using ix_reports_open_age"),
        ("<", " DESC", "Index Scan Backward using ix_reports_open_age"),
    ):
        query = (
            f"EXPLAIN SELECT id FROM reports WHERE {open_reports} AND (assigned_to_id IS NULL OR assigned_to_id = 1)"
            f" AND (created_at, id) {comparison} (now() - interval '1 day', 5000)"
            f" ORDER BY created_at{direction}, id{direction} LIMIT 51"
        )
        plan = "\n".join(db.session.scalars(text(query)))
        assert scan in plan and "Sort" not in plan, plan
    for name in ("oldest", "newest"):
        order, cursor, seen = QUEUE_ORDERS[name], None, []
        for _ in range(4):
            page = queue_page(QueueFilters(assigned="all"), viewer_id=1, cursor=cursor, order=order)
            seen += [(row.created_at, row.id) for row in page.rows]
            cursor = page.next_cursor
        assert len(seen) == len(set(seen)) == 200
        assert seen == sorted(seen, reverse=name == "newest")
