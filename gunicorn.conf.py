"""gunicorn settings for every way the web process runs (Procfile, Dockerfile, docker-compose).

Rate limits must hold as configured (issue: every limit doubled with two workers). Their counters
live in Redis when REDIS_URL is set, shared by every worker and host. Without Redis (the embedded
default) they live in the web process's memory, so that mode runs ONE process with more threads:
the counters are then shared by every request, and SQLite, which allows one writer at a time, loses
nothing by it. Several processes without a shared store are refused at start-up.
"""

import os

from intake.config import web_processes, web_threads

_shared_limits = bool(os.environ.get("REDIS_URL"))

bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '5000')}"
workers = web_processes(os.environ)
threads = web_threads(os.environ)
accesslog = "-"
# The access log names routes, never paths, addresses or agents (intake/access_log.py).
logger_class = "intake.access_log.PrivateAccessLog"
wsgi_app = "intake:create_app()"


def on_starting(server) -> None:  # server: gunicorn's Arbiter
    if server.cfg.workers > 1 and not _shared_limits:
        raise SystemExit(
            "gunicorn: WEB_WORKERS > 1 needs REDIS_URL: without a shared store each process would "
            "count rate limits on its own and every limit would be multiplied"
        )
