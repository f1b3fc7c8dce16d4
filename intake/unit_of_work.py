"""One unit of work per entry point: a request, a task, a command.

Services add rows and flush; they never commit. The entry point that called them commits once, so
that two steps that belong together (a new password and the end of the old sessions, an account and
its temporary password, a status change and its history) hold or fail together. After the commit,
the jobs queued in that unit are handed to the broker (the outbox's relay; beat catches what this
misses).

Requests: `register_request_unit_of_work` commits when the answer is a success or a redirect and
rolls back otherwise (a conflict, a refused form, an error). A view that must keep something although
it answers with an error (a failed login is recorded) calls `commit()` itself.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.wrappers import Response

from intake.extensions import db
from intake.outbox.services import relay_after_commit, take_queued_job_ids


def commit() -> None:
    """COMMIT the current unit of work, then publish the jobs it queued."""
    job_ids = take_queued_job_ids()
    db.session.commit()
    if job_ids:
        relay_after_commit(job_ids)


def register_request_unit_of_work(app: Flask) -> None:
    @app.after_request
    def finish_unit_of_work(response: Response) -> Response:
        if response.status_code < 400:
            commit()
        else:
            db.session.rollback()
        return response
