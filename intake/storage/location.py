"""`STORAGE_URL`: which object store holds the files, read once at start-up.

    STORAGE_URL=s3://bucket?endpoint=https://s3.example.ma&region=ma-1
    STORAGE_URL=s3://bucket/blagh?region=eu-west-3          (AWS itself; keys under `blagh/`)

Credentials come from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or any source boto3
reads): never in the URL, which ends up in logs and process listings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

# The laxest rule any S3 store kept (AWS's buckets from before 2018: capitals, underscores, 255
# characters): a port or a stray character fails here, at start-up, rather than as a store "down" on
# the first filing with files.
BUCKET_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,253}[a-zA-Z0-9]$")


class StorageURLError(ValueError):
    """A STORAGE_URL that does not parse; the message says what a good one looks like."""


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str  # "" or "name/": every key starts with it
    endpoint: str | None
    region: str | None

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"


_EXAMPLE = "s3://bucket?endpoint=https://s3.example.ma&region=ma-1"


def parse_storage_url(url: str) -> S3Location:
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        raise StorageURLError(f"STORAGE_URL must look like {_EXAMPLE}")
    if parts.username or parts.password:
        raise StorageURLError(
            "STORAGE_URL must not carry credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    if not BUCKET_NAME.match(parts.netloc):
        raise StorageURLError(f"STORAGE_URL: {parts.netloc!r} is not a bucket name ({_EXAMPLE})")
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"endpoint", "region"}
    if unknown:
        raise StorageURLError(
            f"STORAGE_URL: unknown parameter {sorted(unknown)[0]} (endpoint and region are known)"
        )
    endpoint = query.get("endpoint")
    if endpoint is not None:
        target = urlsplit(endpoint)
        if target.scheme not in {"http", "https"} or not target.hostname:
            raise StorageURLError(
                f"STORAGE_URL: the endpoint must be an http:// or https:// address ({_EXAMPLE})"
            )
    prefix = parts.path.strip("/")
    return S3Location(
        bucket=parts.netloc,
        prefix=f"{prefix}/" if prefix else "",
        endpoint=endpoint,
        region=query.get("region"),
    )
