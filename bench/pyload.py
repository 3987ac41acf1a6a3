"""Fallback load generator, used only where wrk is missing: N keep-alive HTTP/1.1 connections
on one event loop, each sending the next request as soon as its answer is in (as wrk does).
One Python process tops out at a few thousand requests a second, so its CPU is reported next
to the figures: near one full core means the generator, not the server, set the pace."""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from typing import Any
from urllib.parse import urlsplit


async def _connection(
    spec: dict[str, Any], index: int, deadline: float, latencies: list[float], errors: list[int]
) -> None:
    url = urlsplit(spec["url"])
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    head = f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: application/json\r\n"
    tokens: list[str] = spec["authorizations"]
    bodies: list[str] = spec["bodies"]
    counter = 0
    try:
        while time.perf_counter() < deadline:
            body = random.choice(bodies)
            if spec["placeholder"] in body:
                counter += 1
                body = body.replace(spec["placeholder"], f"{spec['run']}-py{index}-{counter}")
            data = body.encode()
            started = time.perf_counter()
            token = random.choice(tokens)
            writer.write(
                f"{head}Authorization: {token}\r\nContent-Length: {len(data)}\r\n\r\n".encode()
                + data
            )
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            answer = await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if b" 503 " in status_line:
                errors[1] += 1
            if (
                b" 200 " not in status_line
                or b'"errors"' in answer
                or (spec["expect"].encode() not in answer)
            ):
                errors[0] += 1
    finally:
        writer.close()


async def main(spec: dict[str, Any]) -> dict[str, Any]:
    latencies: list[float] = []
    errors = [0, 0]  # wrong answers, and of them 503s
    started = time.perf_counter()
    deadline = started + spec["seconds"]
    await asyncio.gather(
        *(_connection(spec, i, deadline, latencies, errors) for i in range(spec["connections"]))
    )
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "p50_ms": pct(0.50) if latencies else 0.0,
        "p99_ms": pct(0.99) if latencies else 0.0,
        "errors": errors[0],
        "unavailable": errors[1],
    }


if __name__ == "__main__":
    with open(sys.argv[1]) as handle:
        loaded = json.load(handle)
    try:
        import uvloop
    except ImportError:
        print(json.dumps(asyncio.run(main(loaded))))
    else:
        print(json.dumps(uvloop.run(main(loaded))))
