"""gunicorn's logs without people in them. The access log writes the route a request matched (its
template, `/api/v1/reports/<reference>/status`), never the path, so no reference or code in any
spelling lands on disk; no client address, user agent, referrer or query string either. Staff
requests name the member of staff (their id, which the app puts in the WSGI environ); citizen
requests name nobody. The error log's client addresses (`Invalid request from ip=…`) are blanked.
Rate limiting still sees addresses, in memory or in Redis, never on disk.

Used by the Procfile and the Dockerfile: `gunicorn --logger-class intake.access_log.PrivateAccessLog`.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from flask import Flask, request
from gunicorn.glogging import Logger

STAFF_ENVIRON_KEY = "blagh.staff_id"
ROUTE_ENVIRON_KEY = "blagh.route"  # the matched route's template, put there by the app
# time, method, route (or - when none matched), status, bytes, milliseconds, who (staff id or -)
FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms staff=%(staff)s'
_INVALID = re.compile(r"^Invalid request from ip=.*?: (?P<error>.*)$", re.DOTALL)
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


class BlankAddresses(logging.Filter):
    """gunicorn's error log names the client of a malformed request (`ip=…`) and quotes what it could
    not parse (a request line with a reference in it, a header with a code): both blanked. A request
    the app failed on is named without its path."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(record.msg, str):
            return True
        if record.msg.startswith("Error handling request"):
            record.msg, record.args = "Error handling request (path withheld)", None
            return True
        invalid = _INVALID.match(record.getMessage())
        if invalid:
            record.msg, record.args = f"Invalid request from ip=-: {_QUOTED.sub('…', invalid['error'])}", None
        return True


def record_route(app: Flask) -> None:
    """The app puts the route each request matched into the WSGI environ, for the access log."""

    @app.url_value_preprocessor
    def remember_route(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if request.url_rule is not None:
            request.environ[ROUTE_ENVIRON_KEY] = request.url_rule.rule


class PrivateAccessLog(Logger):
    """The project's access log: whatever `--access-logformat` says, only the fields above are written."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            "t": atoms["t"],
            "m": atoms["m"],
            "U": environ.get(ROUTE_ENVIRON_KEY) or "-",
            "s": atoms["s"],
            "B": atoms["B"],
            "M": atoms["M"],
            "staff": environ.get(STAFF_ENVIRON_KEY) or "-",
        }

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)  # again on each reload (HUP): one filter is enough
        if not any(isinstance(existing, BlankAddresses) for existing in self.error_log.filters):
            self.error_log.addFilter(BlankAddresses())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        try:
            self.access_log.info(
                FORMAT, self.atoms_wrapper_class(self.atoms(resp, req, environ, request_time))
            )
        except Exception:
            self.error(traceback.format_exc())
