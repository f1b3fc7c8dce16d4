"""Configuration from the environment, with an embedded default that needs no server.

Unset `DATABASE_URL` means SQLite under `var/`; unset `REDIS_URL` means Celery's filesystem
transport under `var/broker/`. Both are real: a worker process consumes the same tasks.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import Mapping
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from intake.privacy.keys import BadKeySetting, KeyRing, generated_keys, parse_keyring
from intake.storage.location import S3Location, StorageURLError, parse_storage_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)
MiB = 1024 * 1024


class ConfigurationError(RuntimeError):
    """The environment asks for something unsafe or impossible; the app refuses to start."""


def var_dir(env: Mapping[str, str]) -> Path:
    return Path(env.get("VAR_DIR") or PROJECT_ROOT / "var").resolve()


def database_url(env: Mapping[str, str]) -> str:
    url = env.get("DATABASE_URL")
    if url:
        # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants the psycopg 3 dialect.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url
    return "sqlite:///" + str(var_dir(env) / "blagh.sqlite3")


def is_embedded_database(url: str) -> bool:
    return url.startswith("sqlite")


def web_processes(env: Mapping[str, str]) -> int:
    """gunicorn's processes (gunicorn.conf.py): two with Redis, where they share the rate limits."""
    return int(env.get("WEB_WORKERS") or (2 if env.get("REDIS_URL") else 1))


def web_threads(env: Mapping[str, str]) -> int:
    """gunicorn's threads per process: one process has 8 without Redis, each of two has 4 with it."""
    return int(env.get("WEB_THREADS") or (4 if env.get("REDIS_URL") else 8))


def engine_options(env: Mapping[str, str], db_url: str) -> dict[str, Any]:
    """hide_parameters: a failed statement is logged without the values (names, e-mails,
    descriptions). A server database gets one pooled connection per request thread of the process
    plus one for the outbox publisher's thread, or DB_POOL_SIZE; psycopg prepares a statement on the
    server once it has run five times on a connection."""
    options: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    if not is_embedded_database(db_url):
        options["pool_size"] = int(env.get("DB_POOL_SIZE") or web_threads(env) + 1)
    return options


def private_folder(path: Path) -> Path:
    """A folder only its owner may enter (0700), created if need be, tightened if it was not."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def private_database_file(url: str) -> None:
    """The embedded database readable by its owner only (0600): created so before SQLite opens it.
    SQLite gives its -wal and -shm files the database file's permissions."""
    if not is_embedded_database(url) or url in {"sqlite://", "sqlite:///:memory:"}:
        return
    path = Path(url.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for companion in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if companion.exists():
            companion.chmod(0o600)


def _generated_secret_key(folder: Path) -> str:
    """Create the key once, readable by its owner only, and reuse it across restarts."""
    path = folder / "secret_key"
    private_folder(folder)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def secret_key(env: Mapping[str, str], db_url: str) -> str:
    key = env.get("SECRET_KEY")
    if key:
        return key
    if not is_embedded_database(db_url):
        raise ConfigurationError(
            "SECRET_KEY must be set when DATABASE_URL points at a server database; "
            "a generated key would differ between hosts and break sessions and CSRF tokens."
        )
    return _generated_secret_key(var_dir(env))


def keyring(env: Mapping[str, str], db_url: str) -> KeyRing:
    """DATA_KEYS and BLIND_INDEX_KEY (intake.privacy.keys): required with a server database, generated
    once into var/keys.env (0600) for the embedded default. A missing or malformed one stops the start."""
    values = {name: env.get(name, "") for name in ("DATA_KEYS", "BLIND_INDEX_KEY")}
    if not all(values.values()):
        missing = [name for name, value in values.items() if not value]
        if not is_embedded_database(db_url):
            raise ConfigurationError(
                f"{' and '.join(missing)} must be set when DATABASE_URL points at a server database "
                "(`flask --app intake keys generate` prints a fresh pair); without them the victims' data "
                "cannot be encrypted or read"
            )
    try:
        if not all(values.values()):
            values = {
                **generated_keys(var_dir(env)),
                **{name: value for name, value in values.items() if value},
            }
        return parse_keyring(values["DATA_KEYS"], values["BLIND_INDEX_KEY"])
    except BadKeySetting as error:
        raise ConfigurationError(str(error)) from error


SMTP_SCHEMES = ("smtp", "smtps", "smtp+starttls")


LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def _port_is_valid(url: str) -> bool:
    try:
        urlsplit(url).port  # noqa: B018 - reading it is the check (ValueError when malformed)
    except ValueError:
        return False
    return True


def _smtp_url(env: Mapping[str, str]) -> str | None:
    url = env.get("SMTP_URL") or None
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in SMTP_SCHEMES or not parts.hostname or not _port_is_valid(url):
        raise ConfigurationError(
            "SMTP_URL must look like smtp://host:25, smtps://user:password@host:465 or "
            "smtp+starttls://user:password@host:587"
        )
    if parts.scheme == "smtp" and parts.username:
        raise ConfigurationError(
            "SMTP_URL carries a password: use smtps:// or smtp+starttls:// so it travels encrypted"
        )
    return url


def _sms_url(env: Mapping[str, str]) -> str | None:
    """Phone numbers and credentials go to the gateway: over TLS, unless it runs on this very host."""
    url = env.get("SMS_URL") or None
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or not _port_is_valid(url):
        raise ConfigurationError("SMS_URL must be the gateway's https:// address (see the README)")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise ConfigurationError("SMS_URL must use https:// (plain http only to a gateway on this host)")
    return url


MIN_ORPHAN_GRACE = 300.0  # a filing in flight, and the clocks of the store and of beat apart


def _orphan_grace(env: Mapping[str, str]) -> float:
    grace = float(env.get("ORPHAN_GRACE_SECONDS") or 3600)
    if grace < MIN_ORPHAN_GRACE:
        raise ConfigurationError(
            f"ORPHAN_GRACE_SECONDS must be at least {MIN_ORPHAN_GRACE:.0f}: a shorter grace could delete the "
            "files of a filing still in flight"
        )
    return grace


def _storage(env: Mapping[str, str]) -> S3Location | None:
    url = env.get("STORAGE_URL")
    if not url:
        return None
    try:
        return parse_storage_url(url)
    except StorageURLError as error:
        raise ConfigurationError(str(error)) from error


def _public_url(env: Mapping[str, str], channels: bool) -> str:
    """The address citizens open, as the outside world sees it: links in messages are built from it,
    never from a request's own Host header."""
    url = (env.get("PUBLIC_URL") or "").rstrip("/")
    if not url:
        if channels:
            raise ConfigurationError(
                "PUBLIC_URL must be set with SMTP_URL or SMS_URL (for example https://blagh.example.ma): "
                "it is the address that notifications point citizens to"
            )
        return f"http://127.0.0.1:{env.get('PORT') or 5000}"
    parts = urlsplit(url)
    plain = not (parts.username or parts.password or parts.query or parts.fragment)
    if parts.scheme not in {"http", "https"} or not parts.hostname or not plain or not _port_is_valid(url):
        raise ConfigurationError(
            "PUBLIC_URL must be a plain http:// or https:// address, such as https://blagh.example.ma"
        )
    return url


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name) or str(default)
    if not text.isdigit() or int(text) < 1:
        raise ConfigurationError(f"{name} must be a number of days (at least 1), not {text!r}")
    return int(text)


def retention_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """How long personal data are kept after a case's last change, per final status (law 09-08:
    no longer than the purpose needs). The privacy notice reads these; nothing repeats them."""
    return {
        "RETAIN_RESOLVED_DAYS": _days(env, "RETAIN_RESOLVED_DAYS", 365),
        "RETAIN_REJECTED_DAYS": _days(env, "RETAIN_REJECTED_DAYS", 90),
        "RETAIN_REFERRED_DAYS": _days(env, "RETAIN_REFERRED_DAYS", 1825),
    }


CONTROLLER_SETTINGS = ("CONTROLLER_NAME", "CONTROLLER_ADDRESS", "CONTROLLER_CONTACT", "CNDP_REFERENCE")


def controller_settings(env: Mapping[str, str], db_url: str) -> dict[str, Any]:
    """Who controls the data, how to reach them, and the CNDP's reference for the processing: the
    privacy notice names them (law 09-08, art. 5). A deployment on a server database must set them;
    the embedded demo says plainly that they are not set."""
    values = {name: (env.get(name) or "").strip() for name in CONTROLLER_SETTINGS}
    missing = [name for name, value in values.items() if not value]
    if missing and not is_embedded_database(db_url):
        raise ConfigurationError(
            f"{', '.join(missing)} must be set with a server database: the privacy notice names the "
            "controller of the data, how to reach them and the CNDP reference (law 09-08)"
        )
    return {name: value or None for name, value in values.items()}


def notification_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Where notifications go out (SMTP, an SMS gateway), from whom, and which address they link to."""
    smtp_url, sms_url = _smtp_url(env), _sms_url(env)
    mail_from = env.get("MAIL_FROM") or ""
    if smtp_url and "@" not in parseaddr(mail_from)[1]:
        raise ConfigurationError(
            "MAIL_FROM must be set with SMTP_URL, for example: Blagh <no-reply@blagh.example.ma>"
        )
    return {
        "SMTP_URL": smtp_url,
        "MAIL_FROM": mail_from or None,
        "SMS_URL": sms_url,
        "PUBLIC_URL": _public_url(env, bool(smtp_url or sms_url)),
        # News within this many seconds of the first makes one message, not one per change.
        "NOTIFY_BATCH_SECONDS": float(env.get("NOTIFY_BATCH_SECONDS") or 300),
        # A message the server could not take is tried again after this, then twice as long each
        # time, up to an hour: a mail server that is down delays messages and loses none.
        "NOTIFY_RETRY_SECONDS": float(env.get("NOTIFY_RETRY_SECONDS") or 60),
    }


def broker_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Celery broker: Redis when REDIS_URL is set, else kombu's filesystem transport under var/."""
    queue_name = env.get("CELERY_QUEUE") or "blagh"
    redis_url = env.get("REDIS_URL")
    if redis_url:
        return {"broker_url": redis_url, "broker_transport_options": {}, "queue": queue_name}
    queue = var_dir(env) / "broker" / "queue"
    processed = var_dir(env) / "broker" / "processed"
    control = var_dir(env) / "broker" / "control"
    for folder in (var_dir(env) / "broker", queue, processed, control):
        private_folder(folder)
    return {
        "broker_url": "filesystem://",
        "broker_transport_options": {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "processed_folder": str(processed),
            "control_folder": str(control),
            "store_processed": False,
        },
        "queue": queue_name,
    }


def check_staff_second_factor(config: Mapping[str, Any]) -> None:
    """STAFF_2FA is `required` or `optional`; `optional` is said loudly at every start."""
    policy = config["STAFF_2FA"]
    if policy not in {"required", "optional"}:
        raise ConfigurationError(f"STAFF_2FA must be required or optional, not {policy!r}")
    if policy == "optional" and not config.get("TESTING"):
        log.warning(
            "STAFF_2FA=optional: staff may log in with a password alone. Set STAFF_2FA=required "
            "(the default with a server database) before real cases are handled."
        )


_ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?")


def _origins(text: str | None) -> frozenset[str]:
    """`https://partner.example.ma,http://localhost:8080`: web origins, each scheme://host[:port];
    anything else (`*`, `null`, a path) is refused at start-up rather than trusted."""
    origins = frozenset(
        origin.strip().rstrip("/").lower() for origin in (text or "").split(",") if origin.strip()
    )
    for origin in origins:
        if not _ORIGIN.fullmatch(origin):
            raise ConfigurationError(
                f"API_ALLOWED_ORIGINS: {origin!r} is not a web origin (scheme://host[:port])"
            )
    return origins


# Settings that were renamed: the old name still works, with a warning, until it is changed.
RENAMED_SETTINGS = {
    "RECONCILE_AFTER": "TRIAGE_RECONCILE_AFTER",
    "RECONCILE_INTERVAL": "TRIAGE_RECONCILE_INTERVAL",
}


def _renamed(env: Mapping[str, str], name: str) -> str | None:
    old = RENAMED_SETTINGS[name]
    if env.get(name) or not env.get(old):
        return env.get(name)
    log.warning("configuration: %s is now called %s; rename it", old, name)
    return env.get(old)


def load_config(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if env is None else env
    db_url = database_url(env)
    folder = private_folder(var_dir(env))
    private_database_file(db_url)
    config: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(env, db_url),
        "SECRET_KEY": secret_key(env, db_url),
        "KEYRING": keyring(env, db_url),
        "VAR_DIR": str(folder),
        "EVIDENCE_DIR": env.get("EVIDENCE_DIR") or str(folder / "evidence"),
        "EXPORT_DIR": env.get("EXPORT_DIR") or str(folder / "exports"),
        # Evidence in an S3-compatible store (intake.storage) instead of EVIDENCE_DIR: see the README.
        "STORAGE": _storage(env),
        # The sweep of orphan files on the object store: how often, how old a file must be (a filing
        # in flight keeps its files), and how many days of uploads it lists.
        "ORPHAN_SWEEP_INTERVAL": float(env.get("ORPHAN_SWEEP_INTERVAL") or 3600),
        "ORPHAN_GRACE_SECONDS": _orphan_grace(env),
        "ORPHAN_SWEEP_DAYS": int(env.get("ORPHAN_SWEEP_DAYS") or 2),
        # Five files of 10 MiB are refused at 25 MiB in total; the margin is for the text fields.
        "MAX_CONTENT_LENGTH": 26 * MiB,
        "MAX_FORM_MEMORY_SIZE": 1 * MiB,
        # A JSON report is text only: 10,000 characters of description and 20 identifiers fit in far less.
        "API_JSON_MAX_BYTES": 256 * 1024,
        "EVIDENCE_MAX_FILES": 5,
        "EVIDENCE_MAX_FILE_BYTES": 10 * MiB,
        "EVIDENCE_MAX_TOTAL_BYTES": 25 * MiB,
        "WTF_CSRF_TIME_LIMIT": 4 * 3600,  # a citizen may take a while to write what happened
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE", "").lower() in {"1", "true", "yes"},
        "BABEL_DEFAULT_LOCALE": "ar",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "CELERY": broker_settings(env),
        # Rate limits per client address, counting only accepted reports and failed lookups: a
        # citizen files a few reports and may mistype a code, a script flooding the queue or
        # guessing codes is stopped. Mobile carriers put many citizens behind one address, hence
        # generous numbers. Behind a proxy, set
        # PROXY_COUNT so that the client's address (not the proxy's) is counted.
        "RATELIMIT_STORAGE_URI": env.get("REDIS_URL") or "memory://",
        # An unreachable Redis must cost half a second, not a TCP timeout that outlasts gunicorn's.
        "RATELIMIT_STORAGE_OPTIONS": (
            {"socket_connect_timeout": 0.5, "socket_timeout": 0.5} if env.get("REDIS_URL") else {}
        ),
        "RATELIMIT_KEY_PREFIX": "blagh-limits",
        # A limiter whose storage is down must never turn away a report: it lets the request through,
        # counting in the process's memory meanwhile (guessing codes stays limited during an outage).
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "FILING_RATE_LIMIT": env.get("FILING_RATE_LIMIT") or "10 per minute; 100 per day",
        "TRACKING_RATE_LIMIT": env.get("TRACKING_RATE_LIMIT") or "10 per minute; 100 per day",
        "PROXY_COUNT": int(env.get("PROXY_COUNT") or 0),
        # Staff logins: every attempt counts per client address (so parallel guesses cannot slip
        # through), and failures per address and account. Accounts are never locked outright.
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT") or "10 per minute; 50 per hour",
        "LOGIN_FAILURE_LIMIT": env.get("LOGIN_FAILURE_LIMIT") or "5 per 15 minutes",
        # Wrong second-factor codes per account, and wrong current passwords at /account/password.
        "SECOND_FACTOR_FAILURE_LIMIT": env.get("SECOND_FACTOR_FAILURE_LIMIT") or "5 per 15 minutes",
        "PASSWORD_CHECK_LIMIT": env.get("PASSWORD_CHECK_LIMIT") or "5 per 15 minutes",
        # `required` (the default with a server database): no console page opens before a TOTP code;
        # `optional` (the embedded demo's default): staff may enrol, and are warned at start-up.
        "STAFF_2FA": (env.get("STAFF_2FA") or ("optional" if is_embedded_database(db_url) else "required")),
        # A staff session ends after this many hours, however active (and after 30 idle minutes).
        "STAFF_SESSION_MAX_HOURS": float(env.get("STAFF_SESSION_MAX_HOURS") or 12),
        # Web origins whose pages may post reports to the API from a browser (comma-separated,
        # `https://partner.example.ma`); any other cross-origin browser post is refused.
        "API_ALLOWED_ORIGINS": _origins(env.get("API_ALLOWED_ORIGINS")),
        # Seconds between two beat runs of the outbox relay, which publishes any job the process that
        # wrote it could not hand to the broker (intake.outbox.publisher)...
        "OUTBOX_RELAY_INTERVAL": float(env.get("OUTBOX_RELAY_INTERVAL") or 15),
        # ...once the job is this many seconds old: until then it is the publisher's to send.
        "OUTBOX_RELAY_GRACE": float(env.get("OUTBOX_RELAY_GRACE") or 30),
        # Seconds before an unacknowledged Redis message is delivered again (see workers/app.py).
        "BROKER_VISIBILITY_TIMEOUT": int(env.get("BROKER_VISIBILITY_TIMEOUT") or 3600),
        # The reconciler queues again the work of any kind of job (a report still `received`, a file
        # still unchecked…) this many seconds after its last job was published (a flushed Redis, a
        # lost message); it runs every interval.
        "RECONCILE_AFTER": float(_renamed(env, "RECONCILE_AFTER") or 600),
        "RECONCILE_INTERVAL": float(_renamed(env, "RECONCILE_INTERVAL") or 60),
        # An identifier seen in this many reports within CAMPAIGN_WINDOW_DAYS marks a campaign.
        "CAMPAIGN_THRESHOLD": int(env.get("CAMPAIGN_THRESHOLD") or 5),
        "CAMPAIGN_WINDOW_DAYS": int(env.get("CAMPAIGN_WINDOW_DAYS") or 30),
        # The institution that runs the service, named on every page and in every message, so that a
        # victim can tell the real site from a copy: INSTITUTION_NAME, or one per language
        # (INSTITUTION_NAME_AR, _FR, _EN, _ZGH); unset, a neutral name in the page's language.
        "INSTITUTION_NAMES": {
            lang: env[key]
            for lang, key in (
                ("*", "INSTITUTION_NAME"),
                *((code, f"INSTITUTION_NAME_{code.upper()}") for code in ("ar", "fr", "en", "zgh")),
            )
            if env.get(key)
        },
        **retention_settings(env),
        **notification_settings(env),
        **controller_settings(env, db_url),
    }
    return config
