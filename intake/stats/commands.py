"""`flask --app intake export monthly …`: monthly counts to a file or standard output."""

from __future__ import annotations

import getpass

import click
from flask.cli import AppGroup

from intake.officer.audit import record
from intake.stats.counts import BadMonth, Month, months_of_year
from intake.stats.exports import EXPORT_FORMATS
from intake.unit_of_work import commit

export = AppGroup("export", help="Statistics exports.")


def chosen_months(month: str | None, year: int | None) -> list[Month]:
    if bool(month) == bool(year):
        raise click.UsageError("give --month YYYY-MM or --year YYYY")
    if year:
        return months_of_year(year)
    try:
        return [Month.parse(month or "")]
    except BadMonth as error:
        raise click.BadParameter(str(error), param_hint="--month") from error


@export.command("monthly")
@click.option("--month", help="YYYY-MM, a calendar month in Morocco's time.")
@click.option("--year", type=click.IntRange(1990, 2999), help="YYYY: its twelve months.")
@click.option(
    "--format", "file_format", type=click.Choice(list(EXPORT_FORMATS)), default="csv", show_default=True
)
@click.option(
    "--output", type=click.Path(dir_okay=False, writable=True), help="A file (standard output when omitted)."
)
@click.option("--language", type=click.Choice(["ar", "fr", "en"]), default="fr", show_default=True)
@click.option("--suppress-below", type=click.IntRange(1), help="Show counts under N as <N, for publication.")
def monthly(
    month: str | None,
    year: int | None,
    file_format: str,
    output: str | None,
    language: str,
    suppress_below: int | None,
) -> None:
    """Counts per month, category, region and status."""
    months = chosen_months(month, year)
    with click.open_file(output or "-", "wb") as target:
        for chunk in EXPORT_FORMATS[file_format].write(months, language, suppress_below):
            target.write(chunk)
    record(
        "export",
        None,
        None,
        None,
        months=[str(m) for m in months],
        format=file_format,
        language=language,
        suppress_below=suppress_below,
        command_line_user=getpass.getuser(),
    )
    commit()
