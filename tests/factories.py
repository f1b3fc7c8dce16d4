"""Valid inputs to start from; each test changes the one thing it is about."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import date, timedelta
from typing import Any

DESCRIPTION_FR = (
    "J'ai commandé un téléphone sur une page Facebook, j'ai payé 2 500 DH par virement "
    "et le vendeur ne répond plus depuis."
)
DESCRIPTION_AR = "طلبت هاتفا من صفحة على فيسبوك ودفعت 2500 درهم بتحويل بنكي، ومنذ ذلك الحين لا يرد البائع."
DESCRIPTION_DARIJA = (
    "chrit telephone mn wa7d l page f facebook, 5ellsto 2500 dh w ma bqach kayjawbni 3la l messages"
)


def report_payload(**overrides: Any) -> dict[str, Any]:
    """An API body for a complete, valid report."""
    payload: dict[str, Any] = {
        "category": "online_shopping_fraud",
        "incident_date": (date.today() - timedelta(days=3)).isoformat(),
        "description": DESCRIPTION_FR,
        "region": "casablanca_settat",
        "loss_amount": "2500.00",
        "loss_currency": "MAD",
        "suspects": [
            {"kind": "phone", "value": "06 12 34 56 78"},
            {"kind": "url", "value": "www.Shop-Fake.ma/offre?utm_source=fb"},
        ],
        "anonymous": False,
        "reporter_name": "Salma Benali",
        "reporter_email": "salma@example.ma",
        "reporter_phone": "0661234567",
        "consent": True,
    }
    payload.update(overrides)
    return payload


def form_data(**overrides: Any) -> dict[str, Any]:
    """The HTML form's fields for the same report (booleans as checkboxes, suspects as rows)."""
    payload = report_payload()
    data: dict[str, Any] = {}
    for key, value in payload.items():
        if key == "suspects":
            for index, row in enumerate(value):
                data[f"suspects-{index}-kind"] = row["kind"]
                data[f"suspects-{index}-value"] = row["value"]
        elif value is True:
            data[key] = "y"
        elif value is not False:
            data[key] = value
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(raw))
        + png_chunk(b"IEND", b"")
    )


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims enormous dimensions: what a decompression bomb looks like to the parser."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
EML_BYTES = (
    b'From: "Banque" <alerte@banque-fausse.ma>\r\nTo: victime@example.ma\r\n'
    b"Subject: Votre compte est bloque\r\nDate: Mon, 2 Nov 2026 10:00:00 +0100\r\n"
    b"Message-ID: <1@banque-fausse.ma>\r\n\r\nCliquez ici pour debloquer votre compte.\r\n"
)
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def upload(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


def rib(account: str = "0117800000123456789012") -> str:
    """A valid 24-digit Moroccan RIB from 22 digits (bank, town, account): the key makes it a multiple of 97."""
    key = 97 - (int(account) * 100) % 97
    return f"{account}{key:02d}"


def iban_from_rib(rib_digits: str) -> str:
    check = 98 - int(rib_digits + "221000") % 97  # "MA" is 22 10, then 00
    return f"MA{check:02d}{rib_digits}"
