"""gunicorn's access log without people in it: no client address, no user agent, no referrer, no
query string, and no report reference in a path. Staff requests name the member of staff (their id,
which the app puts in the WSGI environ); citizen requests name nobody. Rate limiting still sees
addresses, in memory or in Redis, never on disk.

Used by the Procfile and the Dockerfile: `gunicorn --logger-class intake.access_log.PrivateAccessLog`.
"""

from __future__ import annotations

import re
import traceback
from typing import Any

from gunicorn.glogging import Logger

STAFF_ENVIRON_KEY = "blagh.staff_id"
# time, method, path (references hidden), status, bytes, milliseconds, who (staff id or -)
FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms staff=%(staff)s'
_REFERENCE = re.compile(r"BLG-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}")


def redact_path(path: str) -> str:
    return _REFERENCE.sub("BLG-…", path)


class PrivateAccessLog(Logger):
    """The project's access log: whatever `--access-logformat` says, only the fields above are written."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        path = redact_path(environ.get("PATH_INFO") or "-")
        return {
            "t": atoms["t"],
            "m": atoms["m"],
            "U": path,
            "s": atoms["s"],
            "B": atoms["B"],
            "M": atoms["M"],
            "staff": environ.get(STAFF_ENVIRON_KEY) or "-",
        }

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        try:
            self.access_log.info(
                FORMAT, self.atoms_wrapper_class(self.atoms(resp, req, environ, request_time))
            )
        except Exception:
            self.error(traceback.format_exc())
