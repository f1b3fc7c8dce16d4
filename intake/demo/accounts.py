"""The demo's staff accounts: an admin, a supervisor and officers, made by the service that makes real
accounts (intake.staff.services.create_staff: hashed passwords, audited), then marked as demo.

Their passwords are drawn here and returned once, for the command to print; nothing keeps them.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select

from intake.demo.texts import STAFF, STAFF_MAIL_DOMAIN
from intake.extensions import db
from intake.staff.models import Staff
from intake.staff.services import create_staff


@dataclass(frozen=True)
class DemoAccount:
    staff_id: int
    email: str
    name: str
    role: str
    language: str
    password: str


def _address(name: str) -> str:
    """`karim.bennani@demo.blagh.example`, or with a number when an account already has it (an
    earlier demo's account kept by `demo clear` because real work names it)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    local = ".".join(ascii_name.lower().split())
    address, number = f"{local}@{STAFF_MAIL_DOMAIN}", 1
    while db.session.scalar(select(Staff.id).where(Staff.email == address)) is not None:
        number += 1
        address = f"{local}{number}@{STAFF_MAIL_DOMAIN}"
    return address


def create_demo_accounts() -> list[DemoAccount]:
    """One account per entry of the demo's staff, flushed; the caller commits."""
    accounts = []
    for role, name, language in STAFF:
        password = secrets.token_urlsafe(12)  # 16 characters
        staff = create_staff(_address(name), name, role, password, language)
        staff.demo = True
        accounts.append(DemoAccount(staff.id, staff.email, staff.name, role, language, password))
    db.session.flush()
    return accounts
