"""`flask --app intake demo …`: fill an empty database with demo data, and remove it again."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from intake.demo.clear import clear_demo
from intake.demo.seed import (
    DEFAULT_REPORTS,
    DemoRefused,
    SeedResult,
    database_contents,
    refuse_unless_empty,
    seed_demo,
)
from intake.extensions import db
from intake.reports.evidence import EvidenceStore, evidence_store
from intake.unit_of_work import commit

demo = AppGroup("demo", help="Demo data: a year of made-up reports, staff and case work.")


def _refusal(refused: DemoRefused) -> str:
    if refused.code == "real":
        return (
            f"This database holds {refused.count:,} real report(s): demo data are only added to a "
            "database without any report. Nothing was changed."
        )
    return (
        f"This database already holds {refused.count:,} demo reports. Remove them first with "
        "`flask --app intake demo clear`."
    )


@demo.command("seed")
@click.option(
    "--reports",
    "count",
    type=click.IntRange(1, 1_000_000),
    default=DEFAULT_REPORTS,
    show_default=True,
    help="How many demo reports, spread over the past twelve months.",
)
@click.option("--seed", "random_seed", type=int, default=None, help="Draw the same data again (a number).")
@click.option(
    "--skip-if-seeded",
    is_flag=True,
    help="When the database already holds demo reports, add nothing, say so and succeed (`make demo`).",
)
def seed(count: int, random_seed: int | None, skip_if_seeded: bool) -> None:
    """Fill an empty database with demo reports, staff accounts and their case work.

    Refused when the database holds any real report. The demo accounts' passwords are printed once,
    at the end, and kept nowhere."""
    contents = database_contents()
    if skip_if_seeded and contents.demo_reports:
        click.echo(
            f"The database already holds {contents.demo_reports:,} demo reports: nothing added "
            "(their accounts' passwords were printed when they were made)."
        )
        if contents.real_reports:
            click.echo(
                f"It also holds {contents.real_reports:,} real report(s), filed beside the demo "
                "(`demo clear` keeps them)."
            )
        return
    try:
        refuse_unless_empty()
    except DemoRefused as refused:
        raise click.ClickException(_refusal(refused)) from refused
    store = evidence_store()
    with click.progressbar(length=count, label="Demo reports") as bar:
        result = seed_demo(
            count, seed=random_seed, store=store, progress=lambda done: bar.update(done - bar.pos)
        )
    _commit_or_remove_files(store, result.stored_names)
    _say_seeded(result)


def _commit_or_remove_files(store: EvidenceStore, names: list[str]) -> None:
    """COMMIT; if it fails, nothing was stored, so the files written for it go too."""
    try:
        commit()
    except BaseException:
        db.session.rollback()
        for name in names:
            store.delete(name)
        raise


def _say_seeded(result: SeedResult) -> None:
    statuses = ", ".join(f"{status} {n:,}" for status, n in sorted(result.statuses.items()))
    click.echo(
        f"{result.reports:,} demo reports ({statuses}); {result.identifier_groups:,} identifier groups, "
        f"{result.campaigns:,} of them campaigns; {result.evidence_files:,} evidence images."
    )
    if result.sample:
        reference, receipt = result.sample
        click.echo(f"A citizen's view: /fr/track with the reference {reference} and the code {receipt}")
    click.echo("")
    click.echo("Demo staff accounts (the passwords are shown this once and kept nowhere):")
    for account in result.accounts:
        click.echo(f"  {account.role:<10}  {account.email:<36}  {account.password}")
    if current_app.config["STAFF_2FA"] == "required":
        click.echo("Each account sets up its second factor (an authenticator app) at its first login.")


@demo.command("clear")
def clear() -> None:
    """Remove the demo reports (with their files) and the demo accounts; real data stay as they are."""
    store = evidence_store()
    result = clear_demo()
    commit()
    for name in result.stored_names:
        store.delete(name)
    click.echo(
        f"Removed {result.reports:,} demo reports, {len(result.stored_names):,} evidence files and previews, "
        f"{result.identifier_groups_removed:,} identifier groups and {result.accounts_removed:,} demo accounts."
    )
    if result.accounts_kept:
        click.echo(
            "Disabled, not removed, because real work names them (a real report's case work, an account "
            "or an export they made): " + ", ".join(result.accounts_kept)
        )
