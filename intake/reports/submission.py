"""What a citizen submitted, once validated: plain values for the services, whatever the channel
(the HTML form or the API) and whatever validated it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from intake.reports.uploads import CheckedUpload


@dataclass(frozen=True)
class SuspectEntry:
    kind: str
    value: str  # as typed (cleaned of invisible characters)
    normalised: str  # the matchable form (intake.reports.identifiers)


@dataclass(frozen=True)
class ReportSubmission:
    category: str
    incident_date: date
    description: str
    region: str | None = None
    loss_amount: Decimal | None = None
    loss_currency: str | None = None
    suspects: tuple[SuspectEntry, ...] = ()
    anonymous: bool = False
    reporter_name: str | None = None
    reporter_email: str | None = None  # normalised
    reporter_phone: str | None = None  # E.164
    notify_email: bool = False  # "tell me by e-mail when there is news"
    notify_sms: bool = False
    uploads: tuple[CheckedUpload, ...] = ()
