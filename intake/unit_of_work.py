"""One unit of work per entry point: a request, a task, a command.

Services add rows and flush; they never commit. The entry point that called them commits once, so
that two steps that belong together (a new password and the end of the old sessions, an account and
its temporary password, a status change and its history) hold or fail together. After the commit,
the jobs queued in that unit are handed to the outbox's publisher, which sends them from a thread
of its own (intake.outbox.publisher; beat's relay catches what it misses).

Requests: `register_request_unit_of_work` commits when the answer is a success or a redirect and
rolls back otherwise (a conflict, a refused form, an error). A view that must keep something although
it answers with an error (a failed login is recorded) calls `commit()` itself.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.wrappers import Response

from intake.extensions import db
from intake.outbox.services import publish_after_commit, take_ready_jobs


def commit() -> None:
    """COMMIT the current unit of work, then hand the jobs it queued to the publisher."""
    jobs = take_ready_jobs()
    db.session.commit()
    publish_after_commit(jobs)


def register_request_unit_of_work(app: Flask) -> None:
    @app.after_request
    def finish_unit_of_work(response: Response) -> Response:
        if response.status_code < 400:
            commit()
        else:
            db.session.rollback()
        return response
