"""A small asyncio HTTP/1.1 load generator: keep-alive connections, each sending its next request as
soon as the previous answer is read (a closed loop), recording every latency.

It speaks just enough HTTP for gunicorn's answers (Content-Length or chunked bodies) and spends a
few tens of microseconds per request, so that nearly all the CPU goes to the server it measures;
locust or an aiohttp client would take a good share of the two cores from it.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# (connection number, request number on it) -> (method, path, headers, body)
RequestMaker = Callable[[int, int], tuple[str, str, dict[str, str], bytes]]


@dataclass
class LoadResult:
    requests: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)  # seconds, accepted answers only
    bodies: list[bytes] = field(default_factory=list)  # of accepted answers, when kept

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        return percentile(self.latencies, fraction)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (p95 of 20 samples is the 19th smallest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, keep-alive)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        body = b"".join(p[:-2] for p in parts)
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, body, headers.get("connection", "").lower() != "close"


async def _connection(
    host: str,
    port: int,
    number: int,
    make: RequestMaker,
    stop_at: float,
    limit: list[int],
    accepted: set[int],
    keep_bodies: bool,
    result: LoadResult,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    sent = 0
    try:
        while time.perf_counter() < stop_at and limit[0] > 0:
            limit[0] -= 1
            method, path, headers, body = make(number, sent)
            sent += 1
            lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", f"Content-Length: {len(body)}"]
            lines += [f"{name}: {value}" for name, value in headers.items()]
            request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
            start = time.perf_counter()
            writer.write(request)
            status, answer, keep_alive = await _read_answer(reader)
            elapsed = time.perf_counter() - start
            result.requests += 1
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if status in accepted:
                result.latencies.append(elapsed)
                if keep_bodies:
                    result.bodies.append(answer)
            if not keep_alive:
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
    finally:
        writer.close()


async def _run(
    host: str,
    port: int,
    make: RequestMaker,
    connections: int,
    seconds: float,
    max_requests: int,
    accepted: set[int],
    keep_bodies: bool,
) -> LoadResult:
    result = LoadResult()
    limit = [max_requests]
    start = time.perf_counter()
    await asyncio.gather(
        *(
            _connection(host, port, n, make, start + seconds, limit, accepted, keep_bodies, result)
            for n in range(connections)
        )
    )
    result.seconds = time.perf_counter() - start
    return result


def run_load(
    url: str,
    make: RequestMaker,
    *,
    connections: int,
    seconds: float = 3600,
    max_requests: int = 10**9,
    accepted: frozenset[int] = frozenset({200, 201}),
    keep_bodies: bool = False,
) -> LoadResult:
    """Send requests from `connections` keep-alive connections until `seconds` have passed or
    `max_requests` were sent; `url` is `http://host:port`."""
    host, _, port = url.removeprefix("http://").partition(":")
    return asyncio.run(
        _run(host, int(port), make, connections, seconds, max_requests, set(accepted), keep_bodies)
    )
