"""The one rule for staff passwords (ASVS 2.1.1 and 2.1.2): the forms, the services, the admin
pages and the command line all read it from here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PASSWORD_MIN, PASSWORD_MAX = 12, 128
PASSWORD_RULE = _l("A password has %(min)s to %(max)s characters.", min=PASSWORD_MIN, max=PASSWORD_MAX)


def password_length_ok(password: str) -> bool:
    return PASSWORD_MIN <= len(password) <= PASSWORD_MAX
