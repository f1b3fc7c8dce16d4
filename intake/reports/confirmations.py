"""Carrying a new receipt from the filing POST to the confirmation page without putting it in a cookie.

The signed session cookie is readable by whoever holds it (it is signed, not encrypted), and an old
copy could be replayed. So the cookie holds a slip id and a one-time pad, the database holds the
receipt XOR that pad, and the row is deleted as the page is shown: the receipt appears exactly once.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete

from intake.extensions import db
from intake.reports.models import ReceiptSlip
from intake.reports.receipts import seal, unseal
from intake.types import utcnow

# A slip not collected within this time is deleted: the citizen never reached the confirmation page,
# and the receipt is then lost for good (they can file again, or an officer can help).
SLIP_LIFETIME = timedelta(minutes=30)


@dataclass(frozen=True)
class SlipTicket:
    """What goes into the citizen's session: the slip's id and the pad, neither of them secret alone."""

    slip_id: str
    pad: str


def hold_receipt(receipt: str) -> SlipTicket:
    """Add a slip to the current transaction (the caller commits it with the report)."""
    sealed, pad = seal(receipt)
    slip_id = secrets.token_hex(16)
    db.session.add(ReceiptSlip(id=slip_id, sealed=sealed, created_at=utcnow()))
    return SlipTicket(slip_id, base64.urlsafe_b64encode(pad).decode("ascii"))


def take_receipt(ticket: SlipTicket) -> str | None:
    """The receipt, once. The slip is deleted by the statement that reads it; the request commits
    that deletion only when the page was rendered (intake.unit_of_work), so a failed attempt can be
    retried and a successful one cannot be replayed. Slips never collected are purged on the way
    (an index range, nearly always empty)."""
    try:
        pad = base64.urlsafe_b64decode(ticket.pad.encode("ascii"))
    except (binascii.Error, ValueError):
        return None
    sealed = db.session.scalar(
        delete(ReceiptSlip)
        .where(ReceiptSlip.id == ticket.slip_id, ReceiptSlip.created_at >= utcnow() - SLIP_LIFETIME)
        .returning(ReceiptSlip.sealed)
    )
    db.session.execute(delete(ReceiptSlip).where(ReceiptSlip.created_at < utcnow() - SLIP_LIFETIME))
    return None if sealed is None else unseal(sealed, pad)
