"""The app and the bare baseline, served by gunicorn as the Procfile runs it (tests.processes.gunicorn)."""

from tests.processes import gunicorn

SERVICE_APP = "intake:create_app()"
BARE_APP = "benchmarks.bare:create_app()"

__all__ = ["BARE_APP", "SERVICE_APP", "gunicorn"]
