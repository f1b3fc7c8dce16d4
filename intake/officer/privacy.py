"""Case work about personal data: legal holds (supervisors) and the citizen's request to erase (any
officer decides). Thin over intake.privacy.holds and .requests; what the officer reads is said here."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from intake.officer.cases import CaseError, Officer
from intake.privacy import holds, requests
from intake.privacy.errors import PrivacyRefused
from intake.reports.models import Report
from intake.staff.models import is_supervisor

REFUSALS: dict[str, LazyString] = {
    "held": _l("This case is under a legal hold: lift the hold first, or refuse the request."),
    "already_held": _l("This case is already under a legal hold."),
    "not_held": _l("This case is not under a legal hold."),
    "erased": _l("The personal data of this case were already erased."),
    "open": _l("This case is still open: close it first (resolve, reject or refer it), then erase."),
    "no_request": _l("No request to erase is waiting on this case."),
    "refusal": _l("Choose why the request is refused."),
}


def _checked(action: Callable[[], object]) -> None:
    try:
        action()
    except PrivacyRefused as refused:
        raise CaseError(REFUSALS[refused.code]) from refused


def place_hold(report: Report, officer: Officer, reason: str | None) -> None:
    if not is_supervisor(officer.role):
        raise CaseError(_l("Only a supervisor can place or lift a legal hold."))
    text = (reason or "").strip()
    if not text:
        raise CaseError(_l("Give the reason for the hold."))
    _checked(lambda: holds.place_hold(report, officer.staff_id, text[:2000], officer.ip))


def lift_hold(report: Report, officer: Officer) -> None:
    if not is_supervisor(officer.role):
        raise CaseError(_l("Only a supervisor can place or lift a legal hold."))
    _checked(lambda: holds.lift_hold(report, officer.staff_id, officer.ip))


def erase_on_request(report: Report, officer: Officer, confirmed: bool) -> None:
    if not confirmed:
        raise CaseError(_l("Tick the box to confirm the erasure."))
    _checked(lambda: requests.grant_request(report, officer.staff_id, officer.ip))


def refuse_erasure(report: Report, officer: Officer, refusal: str | None, note: str | None) -> None:
    text = (note or "").strip()[:2000] or None
    _checked(lambda: requests.refuse_request(report, officer.staff_id, refusal or "", text, officer.ip))
