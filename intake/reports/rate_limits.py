"""What the rate limits count (anti-automation, ASVS 2.2.1 and 11.1.4): the same rule for form and API.

Only outcomes count: an accepted report (so a citizen correcting a form is never slowed down) and
a lookup that found nothing (so following one's own report is never limited, guessing codes is).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app
from flask_limiter import RequestLimit, RouteLimit

from intake.extensions import limiter


def filing_limit() -> str:
    return str(current_app.config["FILING_RATE_LIMIT"])


def tracking_limit() -> str:
    return str(current_app.config["TRACKING_RATE_LIMIT"])


def counts_as_filed(response: Response) -> bool:
    return response.status_code in {201, 303}


def counts_as_failed_lookup(response: Response) -> bool:
    return response.status_code == 404


# One budget for the form and the API together (a scope shared by both routes), one for lookups.
def filing_rate_limit(on_breach: Callable[[RequestLimit], Response | None] | None = None) -> RouteLimit:
    return limiter.shared_limit(
        filing_limit, scope="filing", methods=["POST"], deduct_when=counts_as_filed, on_breach=on_breach
    )


def tracking_rate_limit() -> RouteLimit:
    return limiter.shared_limit(tracking_limit, scope="tracking", deduct_when=counts_as_failed_lookup)
