"""Staff sessions for a benchmark: logged in over HTTP with a password and a TOTP code, as an officer
or an admin would (the accounts: tests.staff_accounts)."""

from __future__ import annotations

import html
import http.cookiejar
import re
import urllib.parse
import urllib.request

from tests.staff_accounts import Account

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_NEXT = re.compile(r'href="([^"]*[?&]after=[^"]+)"')


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
        self._post_form("/login/code", {"code": account.code()})
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
