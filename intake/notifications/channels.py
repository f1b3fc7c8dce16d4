"""How a notice leaves: by e-mail through `SMTP_URL`, or by SMS through an HTTP gateway (`SMS_URL`).

Both implement `NotificationChannel`. A failure is `DeliveryFailed`, permanent (the mailbox does not
exist) or not (the server is down: try again later). Nothing here logs an address, a phone number or
a message: the reasons kept are the failure's kind and the server's code.
"""

from __future__ import annotations

import base64
import json
import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from http.client import HTTPException
from typing import Any, Protocol
from urllib.error import HTTPError, URLError
from urllib.parse import quote, unquote, urlsplit, urlunsplit
from urllib.request import HTTPRedirectHandler, Request, build_opener

from intake.notifications.models import NotificationChannel

log = logging.getLogger(__name__)
SMTP_TIMEOUT = 30.0
SMS_TIMEOUT = 15.0


@dataclass(frozen=True)
class Notice:
    """What a reporter is told, in their language: that there is news on a report, and where."""

    language: str
    subject: str
    text: str  # the plain-text mail
    html: str  # the HTML mail
    short: str  # the SMS


class DeliveryFailed(Exception):
    def __init__(self, reason: str, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Channel(Protocol):
    name: str

    def send(self, recipient: str, notice: Notice, idempotency_key: str) -> None: ...


class SmtpChannel:
    """smtp:// (plain, for a relay on the same host or network), smtps:// (TLS from the start) or
    smtp+starttls:// (upgraded to TLS before anything else is said); certificates are verified."""

    name = NotificationChannel.EMAIL.value

    def __init__(self, url: str, sender: str, timeout: float = SMTP_TIMEOUT) -> None:
        parts = urlsplit(url)
        self.scheme = parts.scheme
        self.host = parts.hostname or ""
        self.port = parts.port or {"smtps": 465, "smtp+starttls": 587}.get(parts.scheme, 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self.timeout = timeout

    def message(self, recipient: str, notice: Notice, idempotency_key: str) -> EmailMessage:
        domain = parseaddr(self.sender)[1].rpartition("@")[2] or "localhost"
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = recipient
        mail["Subject"] = notice.subject
        mail["Date"] = formatdate(usegmt=True)
        # The same id on every attempt: a server or a mail client that sees it twice keeps one.
        mail["Message-ID"] = f"<{idempotency_key}@{domain}>"
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to this
        mail.set_content(notice.text)
        mail.add_alternative(notice.html, subtype="html")
        mail["Content-Language"] = notice.language  # after the body: set_content clears Content-*
        return mail

    def send(self, recipient: str, notice: Notice, idempotency_key: str) -> None:
        try:
            mail = self.message(recipient, notice, idempotency_key)
            server = self._connect()
        except (smtplib.SMTPException, OSError, ValueError) as error:  # unreachable, refused, TLS
            raise DeliveryFailed(type(error).__name__, False) from None
        try:
            if self.username:
                server.login(self.username, self.password or "")
            self._hand_over(server, mail)
        except smtplib.SMTPResponseException as error:  # sender refused, authentication, 4xx…
            raise DeliveryFailed(f"{type(error).__name__} (SMTP {error.smtp_code})", False) from None
        except (smtplib.SMTPException, OSError) as error:  # cut, timed out, no AUTH or STARTTLS
            raise DeliveryFailed(type(error).__name__, False) from None
        finally:
            _close(server)

    @staticmethod
    def _hand_over(server: smtplib.SMTP, mail: EmailMessage) -> None:
        """MAIL, RCPT, DATA: what the server says about this message (not about the connection)."""
        try:
            server.send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted({code for code, _ in error.recipients.values()})
            raise DeliveryFailed(f"recipient refused (SMTP {codes})", all(c >= 500 for c in codes)) from None
        except smtplib.SMTPDataError as error:
            raise DeliveryFailed(
                f"message refused (SMTP {error.smtp_code})", error.smtp_code >= 500
            ) from None
        except smtplib.SMTPNotSupportedError:  # an address that needs SMTPUTF8, which it lacks
            raise DeliveryFailed("the server cannot take this address (no SMTPUTF8)", True) from None

    def _connect(self) -> smtplib.SMTP:
        """A connection, upgraded to TLS when asked (never logged in or used before that)."""
        context = ssl.create_default_context()
        if self.scheme == "smtps":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        server = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.scheme == "smtp+starttls":
            try:
                server.starttls(context=context)
            except BaseException:
                server.close()
                raise
        return server


def _close(server: smtplib.SMTP) -> None:
    """QUIT, or just hang up: once the server has taken the message (250 after DATA), nothing said
    while leaving may make it look unsent, or it would be sent again."""
    try:
        server.quit()
    except (smtplib.SMTPException, OSError):
        server.close()


class _NoRedirects(HTTPRedirectHandler):
    """A gateway that answers with a redirect is misconfigured: following it would carry the
    credentials and the phone number to another address, as a GET that sends nothing."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class SmsGateway:
    """POSTs `{"to": "+2126…", "text": "…"}` (JSON) to `SMS_URL`. `{to}` and `{text}` in the URL are
    replaced (URL-encoded) for gateways that read the query string; credentials in the URL
    (`https://user:key@…`) are sent as HTTP Basic authentication. A 2xx answer is a success;
    redirects are not followed."""

    name = NotificationChannel.SMS.value

    def __init__(self, url: str, timeout: float = SMS_TIMEOUT) -> None:
        self.template = url
        self.timeout = timeout

    def request(self, recipient: str, notice: Notice) -> Request:
        url = self.template.replace("{to}", quote(recipient, safe="")).replace(
            "{text}", quote(notice.short, safe="")
        )
        parts = urlsplit(url)
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if parts.username:
            credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode("ascii")
            netloc = parts.hostname or ""
            if parts.port:
                netloc += f":{parts.port}"
            url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
        body = json.dumps({"to": recipient, "text": notice.short}, ensure_ascii=False).encode()
        return Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - https (or loopback http), checked in intake.config

    def send(self, recipient: str, notice: Notice, idempotency_key: str) -> None:
        request = self.request(recipient, notice)
        request.add_header("Idempotency-Key", idempotency_key)
        try:
            with build_opener(_NoRedirects).open(request, timeout=self.timeout) as answer:
                answer.read()
        except HTTPError as error:
            # Only "this request is wrong" is final; a wrong key or address (401, 403, 404), a
            # redirect, a busy or broken gateway are the operator's to fix: tried again, not lost.
            raise DeliveryFailed(f"gateway answered HTTP {error.code}", error.code in {400, 422}) from None
        except (URLError, OSError, HTTPException) as error:
            raise DeliveryFailed(type(error).__name__, False) from None


def channel_for(name: str, config: Mapping[str, Any]) -> Channel | None:
    """The configured implementation of a channel, or None when it is off."""
    if name == NotificationChannel.EMAIL and config.get("SMTP_URL"):
        return SmtpChannel(config["SMTP_URL"], config["MAIL_FROM"])
    if name == NotificationChannel.SMS and config.get("SMS_URL"):
        return SmsGateway(config["SMS_URL"])
    return None


def enabled_channels(config: Mapping[str, Any]) -> list[str]:
    return [c.value for c in NotificationChannel if channel_for(c.value, config) is not None]


def announce_channels(config: Mapping[str, Any]) -> None:
    """Say which channels are off, so that an operator is not left wondering (the worker calls this
    once, as it starts: it is what sends)."""
    for setting, what in (("SMTP_URL", "e-mail"), ("SMS_URL", "SMS")):
        if not config.get(setting):
            log.warning("notifications: %s is not set; no %s will be sent", setting, what)
