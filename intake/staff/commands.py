"""`flask --app intake users …`: staff accounts from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from intake.staff.models import Role
from intake.staff.passwords import PASSWORD_MAX, PASSWORD_MIN
from intake.staff.services import (
    StaffError,
    create_staff,
    disable_staff,
    find_staff,
    list_staff,
    reset_second_factor,
    set_password,
)
from intake.unit_of_work import commit

users = AppGroup("users", help="Staff accounts: officers, supervisors, admins.")
ROLES = click.Choice([role.value for role in Role])


password_option = click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help=f"Prompted (hidden) when omitted; {PASSWORD_MIN} to {PASSWORD_MAX} characters.",
)


@users.command("create")
@click.option("--email", required=True)
@click.option("--role", type=ROLES, required=True)
@click.option("--name", default="", help="Display name (the e-mail address when omitted).")
@click.option("--language", type=click.Choice(["ar", "fr"]), default="fr", show_default=True)
@password_option
def create(email: str, role: str, name: str, language: str, password: str) -> None:
    """Create a staff account."""
    try:
        staff = create_staff(email, name, role, password, language)
        commit()
    except StaffError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {staff.role} {staff.email} (id {staff.id}).")


@users.command("list")
def list_accounts() -> None:
    """List staff accounts."""
    for staff in list_staff():
        state = "active" if staff.active else "disabled"
        last = f"{staff.last_login_at:%Y-%m-%d %H:%M} UTC" if staff.last_login_at else "never"
        click.echo(f"{staff.email}\t{staff.role}\t{staff.language}\t{state}\tlast login: {last}")


@users.command("disable")
@click.option("--email", required=True)
def disable(email: str) -> None:
    """Disable an account; its open sessions end at once."""
    try:
        disable_staff(email)
        commit()
    except StaffError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Disabled {email}.")


@users.command("reset-2fa")
@click.option("--email", required=True)
def reset_2fa(email: str) -> None:
    """Remove an account's second factor (a lost phone): it enrols again at its next login."""
    try:
        staff = find_staff(email)
        if staff is None:
            raise StaffError(f"no account for {email}", "missing")
        reset_second_factor(staff.id, None)
        commit()
    except StaffError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Second factor removed for {email}; it is set up again at the next login.")


@users.command("set-password")
@click.option("--email", required=True)
@password_option
def change_password(email: str, password: str) -> None:
    """Set a new password; the account's open sessions end."""
    try:
        set_password(email, password)
        commit()
    except StaffError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Password changed for {email}.")
