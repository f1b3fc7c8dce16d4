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

from gunicorn.glogging import Logger

STAFF_ENVIRON_KEY = "blagh.staff_id"
ROUTE_ENVIRON_KEY = "blagh.route"  # the matched route's template, put there by the app
# time, method, route (or - when none matched), status, bytes, milliseconds, who (staff id or -)
FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms staff=%(staff)s'
_ADDRESS = re.compile(r"\bip=\S+")


class BlankAddresses(logging.Filter):
    """gunicorn's error log names the client of a malformed request (`ip=…`): blanked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "ip=" in message:
            record.msg, record.args = _ADDRESS.sub("ip=-", message), None
        return True


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
        super().setup(cfg)
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
