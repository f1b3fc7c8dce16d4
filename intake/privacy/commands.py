"""`flask --app intake keys …`: generate keys, see which key holds what, rotate to the newest key.

`keys generate` needs no app and no database (it works before any key exists); it is registered as
a Flask CLI plugin (pyproject.toml) so that it loads even when the app cannot start for want of keys.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from intake.privacy import rotation
from intake.privacy.keys import KEY_ID, generate_lines


@click.group("keys")
def keys() -> None:
    """Data keys: generate a pair, see what each key holds, rotate to the newest."""


@keys.command("generate")
@click.option("--id", "key_id", help="The new data key's id: k1 by default; k2, k3… when rotating.")
@click.option(
    "--data-only",
    is_flag=True,
    help="Only a new data key, for a rotation (needs --id): BLIND_INDEX_KEY stays as it is.",
)
def generate(key_id: str | None, data_only: bool) -> None:
    """Print a fresh DATA_KEYS and BLIND_INDEX_KEY (touches no database). When rotating, use
    `--data-only --id k2`, put the new data key first in DATA_KEYS and keep the old ones after it."""
    if data_only and key_id is None:
        raise click.UsageError("--data-only needs --id, one the current DATA_KEYS does not use (k2, k3…)")
    key_id = key_id or "k1"
    if not KEY_ID.match(key_id):
        raise click.BadParameter("letters, digits, - or _, at most 16", param_hint="--id")
    click.echo(generate_lines(key_id, data_only), nl=False)


@keys.command("status")
@with_appcontext
def status() -> None:
    """How many values, and evidence files, each key still holds."""
    from intake.privacy.sealing import keyring
    from intake.reports.evidence import evidence_store

    click.echo(f"newest key: {keyring().current_id}")
    for place, counts in rotation.status(evidence_store()).items():
        held = ", ".join(f"{key}: {count}" for key, count in sorted(counts.items())) or "nothing"
        click.echo(f"{place}\t{held}")


@keys.command("rotate")
@with_appcontext
def rotate() -> None:
    """Re-encrypt everything still under an older key with the newest one, in batches, with the
    service running. Safe to stop and run again."""
    from intake.privacy.sealing import keyring
    from intake.reports.evidence import evidence_store

    newest = keyring().current_id
    columns = rotation.sealed_columns()
    total = sum(rotation.remaining(sealed) for sealed in columns)
    with click.progressbar(length=total, label=f"values to {newest}") as bar:
        for sealed in columns:
            rotation.rotate_column(sealed, bar.update)
    with click.progressbar(length=rotation.stored_file_count(), label=f"files to {newest}") as bar:
        moved = rotation.rotate_files(evidence_store(), bar.update)
    click.echo(f"{total} value(s) and {moved} file(s) are now under {newest}.")


retention = AppGroup("retention", help="Retention: erase the personal data whose keeping time is over.")


@retention.command("apply")
@click.option("--dry-run", is_flag=True, help="Only list what would be erased.")
def apply(dry_run: bool) -> None:
    """Erase the personal data of closed reports kept past RETAIN_*_DAYS (beat does it daily)."""
    from flask import current_app

    from intake.privacy.retention import apply_retention

    found = apply_retention(current_app.config, dry_run=dry_run)
    for item in found:
        when = f"{item.last_event_at:%Y-%m-%d}" if item.last_event_at else "-"
        click.echo(f"{item.reference}\t{item.status}\tlast change {when}")
    verb = "would be erased" if dry_run else "erased"
    click.echo(f"{len(found)} report(s) {verb}.")
