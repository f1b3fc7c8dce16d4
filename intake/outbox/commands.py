"""`flask --app intake jobs …`: see and retry the jobs that kept failing (dead letters)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from intake.outbox.services import dead_jobs, retry_dead
from intake.unit_of_work import commit

jobs = AppGroup("jobs", help="Background jobs: dead letters and retries.")


@jobs.command("dead")
@click.option("--limit", default=100, show_default=True, help="How many to list.")
@click.option("--after", "after_id", default=0, help="List jobs after this id (the next page).")
def list_dead(limit: int, after_id: int) -> None:
    """List jobs whose task failed after all its retries, oldest first."""
    found = dead_jobs(limit=limit, after_id=after_id)
    if not found:
        click.echo("No dead jobs.")
        return
    for job in found:
        click.echo(
            f"{job.id}\t{job.task}\t{job.subject or '-'}\tattempts={job.attempts}\t"
            f"dead since {job.dead_at:%Y-%m-%d %H:%M} UTC\t{job.last_error or ''}"
        )


@jobs.command("retry")
@click.argument("job_ids", nargs=-1, type=int)
@click.option("--all", "retry_all", is_flag=True, help="Retry every dead job.")
def retry(job_ids: tuple[int, ...], retry_all: bool) -> None:
    """Put dead jobs back in the queue (the given ids, or --all)."""
    if not job_ids and not retry_all:
        raise click.UsageError("give job ids, or --all")
    count = retry_dead(None if retry_all else job_ids)
    commit()
    click.echo(f"{count} job(s) queued again.")
