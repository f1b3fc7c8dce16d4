"""What the rate limits count (anti-automation, ASVS 2.2.1 and 11.1.4): the same rule for form and API.

Only outcomes count: an accepted report (so a citizen correcting a form is never slowed down) and
a lookup that found nothing (so following one's own report is never limited, guessing codes is).
"""

from __future__ import annotations

from flask import current_app
from werkzeug.wrappers import Response


def filing_limit() -> str:
    return str(current_app.config["FILING_RATE_LIMIT"])


def tracking_limit() -> str:
    return str(current_app.config["TRACKING_RATE_LIMIT"])


def counts_as_filed(response: Response) -> bool:
    return response.status_code in {201, 303}


def counts_as_failed_lookup(response: Response) -> bool:
    return response.status_code == 404
