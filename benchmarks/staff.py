"""Staff accounts for a benchmark, and their sessions: made with the service's own functions, logged
in over HTTP with a password and a TOTP code, as an officer or an admin would."""

from __future__ import annotations

import html
import http.cookiejar
import re
import secrets
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pyotp

from intake.staff.second_factor import new_secret
from intake.staff.services import create_staff
from intake.types import utcnow
from intake.unit_of_work import commit

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_NEXT = re.compile(r'href="([^"]*[?&]after=[^"]+)"')


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    totp_secret: str


def make_account(role: str) -> Account:
    """A member of staff with the second factor on (inside an app context; committed)."""
    email = f"bench-{role}@police.example.ma"
    password = secrets.token_urlsafe(18)
    staff = create_staff(email, f"Bench {role.title()}", role, password, "fr")
    commit()
    secret = new_secret()
    staff.totp_secret = secret
    staff.totp_enabled_at = utcnow()
    commit()
    return Account(email, password, secret)


class Session:
    """A logged-in browser, reduced to its cookies."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base_url + path, timeout=60) as answer:
            return str(answer.read().decode("utf-8"))

    def _post_form(self, path: str, fields: dict[str, str]) -> str:
        token = _CSRF.search(self.get(path))
        if token is None:
            raise RuntimeError(f"no CSRF token on {path}")
        body = urllib.parse.urlencode({"csrf_token": html.unescape(token.group(1)), **fields}).encode()
        with self.opener.open(self.base_url + path, body, timeout=60) as answer:
            return str(answer.read().decode("utf-8"))

    def log_in(self, account: Account) -> None:
        self._post_form("/login", {"email": account.email, "password": account.password})
        self._post_form("/login/code", {"code": pyotp.TOTP(account.totp_secret).now()})
        if 'class="logout"' not in self.get("/officer/"):
            raise RuntimeError(f"could not log in as {account.email}")

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def next_page(self, path: str) -> str | None:
        """The queue's link to the page after `path`, if any."""
        found = _NEXT.search(self.get(path))
        if found is None:
            return None
        link = html.unescape(found.group(1))
        return link if link.startswith("/") else None
