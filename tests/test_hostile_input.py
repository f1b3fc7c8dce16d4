"""Hostile input a citizen can send: invisible and bidi characters that spoof what an officer reads or
dodge identifier links, files whose name lies about what they are, PDFs that run code when opened.
ASVS 5.1.4 (structured data validated), 5.2.2 (unsafe characters removed), 12.3.1 (user-supplied
file names not used as is), 12.4.1 (untrusted files handled safely)."""

from __future__ import annotations

import base64
import binascii
import io
import zlib
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from intake.config import ConfigurationError, load_config
from intake.extensions import db
from intake.reports.evidence import safe_file_name
from intake.reports.identifiers import normalise_identifier
from intake.reports.models import EvidenceFile, Report, SuspectIdentifier
from intake.text import clean_text
from intake.triage.pdf_actions import active_content
from tests.conftest import FileAndTriage, SignIn, build_app, release_database, run_due_jobs
from tests.factories import PDF_BYTES, form_data, report_payload

RLO, ZWSP, ALM, LRI, PDI, BOM = "\u202e", "\u200b", "\u061c", "\u2066", "\u2069", "\ufeff"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (f"facture{RLO}gpj.exe", "facturegpj.exe"),
        (f"06{ZWSP}12{ALM}34 56 78", "061234 56 78"),
        (f"{LRI}مرحبا{PDI} {BOM}bonjour\u00ad!", "مرحبا bonjour!"),
        ("ligne\u2028suivante", "ligne\nsuivante"),
        ("Hangul\u3164filler", "Hangulfiller"),
        ("a\u200db", "ab"),  # a joiner between Latin letters hides nothing but splits a match
    ],
)
def test_bidi_and_invisible_characters_are_removed_from_text(typed: str, kept: str) -> None:
    assert clean_text(typed) == kept


def test_joiners_stay_where_a_script_needs_them() -> None:
    persian = "می\u200cخواهم"  # ZWNJ inside a Persian word written in Arabic script
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji made of three
    assert clean_text(persian) == persian and clean_text(family) == family


def test_an_identifier_with_invisible_characters_matches_the_plain_one() -> None:
    plain = normalise_identifier("phone", "0612345678")
    assert normalise_identifier("phone", f"06{ZWSP}12{ALM}345678") == plain
    assert normalise_identifier("url", f"shop-fake{ZWSP}.ma") == normalise_identifier("url", "shop-fake.ma")
    assert normalise_identifier("username", f"@arnaque{RLO}ur") == normalise_identifier(
        "username", "arnaqueur"
    )


def test_a_filed_report_keeps_no_bidi_control_in_any_field(
    app: Flask, filed_and_triaged: FileAndTriage
) -> None:
    created = filed_and_triaged(
        description=f"Il m'a envoyé {RLO}fdp.exe et demandé 5000 DH pour ne pas publier les photos.",
        reporter_name=f"Salma{ZWSP} {ALM}Benali",
        suspects=[{"kind": "username", "value": f"@ar{ZWSP}naqueur"}],
    )
    report = db.session.scalar(select(Report).where(Report.reference == created["reference"]))
    assert report is not None
    assert RLO not in report.description and report.reporter_name == "Salma Benali"
    suspect = db.session.scalar(select(SuspectIdentifier).where(SuspectIdentifier.report_id == report.id))
    assert suspect is not None and suspect.value == "@arnaqueur"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("invoice.hta", "invoice.hta"),
        ("facture.pdf      .hta", "facture.pdf .hta"),
        (f"photo{ALM}.jpg .", "photo.jpg"),
        (f"capture{RLO}gnp.exe", "capturegnp.exe"),
        ("a\r\nSet-Cookie: x=1/../x", "a__Set-Cookie_ x=1_.._x"),
        ("\x00", "piece-1.txt"),
    ],
)
def test_a_file_name_is_kept_only_as_visible_text(name: str, shown: str) -> None:
    assert safe_file_name(name, "text/plain") == shown


def test_a_text_file_named_hta_downloads_as_text_named_after_its_content(
    app: Flask, signed_in: SignIn
) -> None:
    files = [
        (io.BytesIO(b"<script>alert(1)</script> mshta payload"), "invoice.hta"),
        (io.BytesIO(PDF_BYTES), "x"),
    ]
    data = {**form_data(), "evidence": files}
    filed = app.test_client().post("/api/v1/reports", data=data, content_type="multipart/form-data")
    assert filed.status_code == 201, filed.json
    items = list(db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)))
    assert [item.media_type for item in items] == ["text/plain", "application/pdf"]
    desk = signed_in()
    download = desk.get(f"/officer/evidence/{items[0].id}")
    disposition = download.headers["Content-Disposition"]
    assert download.status_code == 200 and "piece-1.txt" in disposition and "hta" not in disposition
    assert download.mimetype == "application/octet-stream"
    assert "document-2.pdf" in desk.get(f"/officer/evidence/{items[1].id}").headers["Content-Disposition"]
    page = desk.get(f"/officer/reports/{filed.json['reference']}").get_data(as_text=True)
    assert "piece-1.txt" in page and "invoice.hta" in page  # the citizen's name, as text only


def _pdf_with(body: bytes) -> bytes:
    return b"%PDF-1.5\n" + body + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("pdf", "found"),
    [
        (PDF_BYTES, ()),
        (_pdf_with(b"1 0 obj<</Type/Catalog/OpenAction 2 0 R>>endobj 2 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj"),
         ("JavaScript", "JS", "OpenAction")),
        (_pdf_with(b"2 0 obj<</S/L#61unch/F(cmd.exe)>>endobj"), ("Launch",)),  # an escaped name
        (_pdf_with(b"2 0 obj<</JS\x00(app.alert(1))>>endobj"), ("JS",)),  # NUL is PDF whitespace
        (_pdf_with(b"3 0 obj<</Type/ObjStm/Filter/FlateDecode>>stream\n"
                   + zlib.compress(b"<</Type/Filespec/EF<</F 4 0 R>>/Type/EmbeddedFile>>") + b"\nendstream"),
         ("EmbeddedFile",)),  # hidden in a compressed object stream
        (_pdf_with(b"3 0 obj<</Filter/ASCIIHexDecode>>stream\r" + binascii.hexlify(b"<</S/JavaScript>>")
                   + b">\nendstream"), ("JavaScript",)),  # hex, after a lone CR
        (_pdf_with(b"3 0 obj<</Filter[/ASCII85Decode/FlateDecode]>>stream\n"
                   + base64.a85encode(zlib.compress(b"<</S/Launch>>")) + b"~>\nendstream"), ("Launch",)),
        (_pdf_with(b"3 0 obj<</Filter/LZWDecode>>stream\nABC\nendstream"), ("UnreadableStream",)),
        (_pdf_with(b"trailer<</Encrypt 5 0 R>>"), ("Encrypt",)),  # cannot be read: said, not assumed clean
        (_pdf_with(b"4 0 obj<</Subtype/Image/Filter/DCTDecode>>stream\n\xff\xd8\xff\xe0\nendstream"), ()),
    ],
)  # fmt: skip
def test_active_content_in_a_pdf_is_found(pdf: bytes, found: tuple[str, ...]) -> None:
    assert active_content(pdf) == found


def test_a_pdf_full_of_unterminated_streams_is_scanned_in_one_pass() -> None:
    """A scan that searched to the end of the file for each `stream` took hours on 10 MiB; this one
    walks forward only (the test's own timeout stops a quadratic scan)."""
    hostile = b"%PDF-1.5\n" + b"stream\n/JS " * 800_000  # 9 MiB, not one `endstream`
    assert active_content(hostile) == ("JS",)


def test_an_identifier_with_a_variation_selector_matches_the_plain_one() -> None:
    plain = normalise_identifier("username", "arnaqueur")
    assert normalise_identifier("username", "@arna\ufe0fqueur") == plain
    assert normalise_identifier("email", "arna\ufe0fqueur@example.ma") == normalise_identifier(
        "email", "arnaqueur@example.ma"
    )
    assert clean_text("\u2764\ufe0f merci") == "\u2764\ufe0f merci"  # prose keeps its emoji


def test_a_pdf_with_javascript_is_flagged_on_the_case_page(
    app: Flask, filed_and_triaged: FileAndTriage, signed_in: SignIn
) -> None:
    hostile = _pdf_with(b"1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.launchURL('x'))>>>>endobj")
    data = {
        **form_data(),
        "evidence": [(io.BytesIO(hostile), "releve.pdf"), (io.BytesIO(PDF_BYTES), "b.pdf")],
    }
    filed = app.test_client().post("/api/v1/reports", data=data, content_type="multipart/form-data")
    assert filed.status_code == 201, filed.json
    run_due_jobs("triage", "evidence")
    flags = [
        item.active_content for item in db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id))
    ]
    assert flags == ["JavaScript,JS,OpenAction", None]
    page = signed_in().get(f"/officer/reports/{filed.json['reference']}").get_data(as_text=True)
    assert page.count("Contenu actif\u00a0: à ouvrir dans un environnement isolé.") == 1
    assert "JavaScript, JS, OpenAction" in page


@pytest.mark.parametrize("query", ["?to=9999-12-31", "?from=0001-01-01", "?from=9999-12-31&to=0001-01-01"])
def test_a_filter_date_at_the_calendars_end_is_not_an_error(
    app: Flask, signed_in: SignIn, query: str
) -> None:
    assert signed_in("supervisor").get(f"/officer/{query}").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # deep enough to exhaust the parser's recursion
        b'{"category": NaN}',
        b'{"loss_amount": Infinity}',
        b'{"description": "\xff\xfe"}',  # not UTF-8
        b"",
        b"\x00",
    ],
)
def test_a_body_the_json_parser_cannot_take_is_a_400_in_the_askers_language(app: Flask, body: bytes) -> None:
    answer = app.test_client().post(
        "/api/v1/reports", data=body, content_type="application/json", headers={"Accept-Language": "fr"}
    )
    assert answer.status_code == 400 and answer.json == {
        "errors": {"body": ["Le corps de la requête doit être un objet JSON."]}
    }
    assert db.session.scalar(select(Report.id)) is None


def test_a_language_that_is_not_text_is_not_an_error(app: Flask) -> None:
    answer = app.test_client().post("/api/v1/reports", json={**report_payload(), "language": ["fr"]})
    assert answer.status_code == 201


def _multipart(origin: str | None = None, **headers: str) -> dict[str, object]:
    if origin is not None:
        headers["Origin"] = origin
    return {"data": form_data(), "content_type": "multipart/form-data", "headers": headers}


def test_a_page_elsewhere_cannot_make_browsers_file_reports(app: Flask) -> None:
    client = app.test_client()
    refused = client.post(
        "/api/v1/reports", **_multipart("https://evil.example", **{"Accept-Language": "ar"})
    )
    assert refused.status_code == 403 and "صفحات هذه الخدمة" in refused.json["errors"]["body"][0]
    assert (
        client.post("/api/v1/reports", **_multipart(None, **{"Sec-Fetch-Site": "cross-site"})).status_code
        == 403
    )
    assert client.post("/api/v1/reports", **_multipart("null")).status_code == 403  # a sandboxed frame
    assert db.session.scalar(select(Report.id)) is None
    assert client.post("/api/v1/reports", **_multipart("http://localhost")).status_code == 201  # our own page
    assert client.post("/api/v1/reports", **_multipart(None)).status_code == 201  # a server or an app


@pytest.mark.parametrize("setting", ["*", "null", "https://partner.example.ma/path", "partner.example.ma"])
def test_an_allowed_origin_must_be_a_web_origin(tmp_path: Path, setting: str) -> None:
    with pytest.raises(ConfigurationError, match="API_ALLOWED_ORIGINS"):
        load_config({"VAR_DIR": str(tmp_path), "API_ALLOWED_ORIGINS": setting})


def test_a_partner_origin_may_post_and_read_the_answer(tmp_path: Path) -> None:
    partner = build_app(tmp_path / "var", API_ALLOWED_ORIGINS=frozenset({"https://partner.example.ma"}))
    with partner.app_context():
        upgrade()
        answer = partner.test_client().post("/api/v1/reports", **_multipart("https://partner.example.ma"))
        assert answer.status_code == 201
        assert answer.headers["Access-Control-Allow-Origin"] == "https://partner.example.ma"
        assert "Origin" in answer.headers["Vary"]
        db.session.remove()
        release_database()


@pytest.mark.parametrize("url", ["/api/v1/reports", "/fr/report"])
def test_a_multipart_part_without_a_name_is_a_400(app: Flask, url: str) -> None:
    """Found by tests/test_fuzz.py: a part with no name became a form key of None, and a 500."""
    body = (
        b"--b\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n"
        b'--b\r\nContent-Disposition: form-data; name="category"\r\n\r\nsextortion\r\n--b--\r\n'
    )
    answer = app.test_client().post(url, data=body, content_type="multipart/form-data; boundary=b")
    assert answer.status_code == 400
    assert db.session.scalar(select(Report.id)) is None
