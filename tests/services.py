"""Reaching the real PostgreSQL and Redis: skip loudly on a laptop, fail under CI=true."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from tests.databases import create_throwaway_database, drop_throwaway_database

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def unavailable(service: str, error: BaseException) -> None:
    message = f"{service} is not reachable ({type(error).__name__}: {error})"
    if IN_CI:
        pytest.fail(f"{message}; under CI=true a missing service is a failure", pytrace=False)
    pytest.skip(f"SKIPPED, {message}: start it to run these tests")


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A database created for this run and dropped after it; nothing else on the server is touched."""
    try:
        url = create_throwaway_database("blagh_test")
    except sa.exc.OperationalError as error:
        unavailable("PostgreSQL", error)
    try:
        yield url
    finally:
        drop_throwaway_database(url)


def redis_url_or_skip() -> str:
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError as error:
        unavailable("Redis", error)
    finally:
        client.close()
    return REDIS_TEST_URL
