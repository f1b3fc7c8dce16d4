"""What each status means, in the plain words shown to citizens."""

from __future__ import annotations

from datetime import datetime

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from intake.i18n import format_local_datetime
from intake.reports.models import ReportStatus

STATUS_LABELS: dict[str, LazyString] = {
    ReportStatus.RECEIVED: _l("Received: your report is waiting to be examined."),
    ReportStatus.TRIAGED: _l("Queued: your report is waiting for an officer."),
    ReportStatus.ASSIGNED: _l("Assigned: an officer is in charge of your report."),
    ReportStatus.IN_PROGRESS: _l("In progress: an officer is working on your report."),
    ReportStatus.NEEDS_INFO: _l("Information needed: an officer has a question for you."),
    ReportStatus.REFERRED: _l("Referred: your report was sent to the competent authority."),
    ReportStatus.RESOLVED: _l("Closed: the work on your report is finished."),
    ReportStatus.REJECTED: _l("Not followed up: your report could not be handled."),
}


def status_label(status: str) -> str:
    label = STATUS_LABELS.get(status)
    return str(label) if label is not None else status


# Why a request to erase was refused, in the citizen's words (the officer picks the reason).
REFUSAL_TEXTS: dict[str, LazyString] = {
    "investigation": _l(
        "An investigation is under way: the law requires us to keep your report until it is over."
    ),
    "legal_obligation": _l("The law requires us to keep your report for now."),
}


def erased_text(cause: str | None, when: datetime) -> str:
    """The sentence that tells a citizen their data were erased, when and why."""
    date = format_local_datetime(when)
    if cause == "citizen_request":
        return _(
            "Your personal data and the files you sent were erased on %(date)s, as you asked.", date=date
        )
    return _(
        "Your personal data and the files you sent were erased on %(date)s: the time for keeping them was over.",
        date=date,
    )
