"""HAProxy in front of the topology's gateway hosts, as the load balancer a deployment has.

It checks each host's `GET /health/ready` every 300 ms (down after 2 failures, up after 2
successes), retries a request whose connection failed or that got no response at all on
another host (`retry-on conn-failure empty-response`, `option redispatch`), and takes a host
out of rotation on request through its runtime API (`disable server`), as a rolling restart
does. The API listens on loopback only.
"""

from __future__ import annotations

import csv
import io
import socket
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.reliability.cluster import free_port
from tests.reliability.daemons import Daemon, running, tool

BACKEND = "hosts"
WAIT_TIMEOUT = 30.0


def _config(port: int, admin_port: int, servers: Sequence[tuple[str, str, int]]) -> str:
    lines = [
        "global",
        "    maxconn 4096",
        f"    stats socket ipv4@127.0.0.1:{admin_port} level admin",
        "defaults",
        "    mode http",
        "    timeout connect 2s",
        "    timeout client 60s",
        "    timeout server 60s",
        "    retries 3",
        "    option redispatch 1",
        "    retry-on conn-failure empty-response",
        "    option http-buffer-request",
        "frontend gateway",
        f"    bind 127.0.0.1:{port}",
        f"    default_backend {BACKEND}",
        f"backend {BACKEND}",
        "    balance roundrobin",
        "    option httpchk",
        "    http-check send meth GET uri /health/ready ver HTTP/1.1 hdr Host 127.0.0.1",
        "    http-check expect status 200",
        "    default-server inter 300ms fall 2 rise 2",
    ]
    lines += [f"    server {name} {host}:{p} check" for name, host, p in servers]
    return "\n".join(lines) + "\n"


@dataclass
class Balancer:
    daemon: Daemon
    admin_port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.daemon.port}"

    def command(self, line: str) -> str:
        with socket.create_connection(("127.0.0.1", self.admin_port), timeout=5) as admin:
            admin.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := admin.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def stats(self) -> dict[str, dict[str, str]]:
        """`show stat` for the hosts, by name, and for all of them as "BACKEND": `status` (UP,
        DOWN, MAINT, ...), `scur` (requests in flight), `stot` (requests sent), `wretr`
        (retries), `wredis` (requests redispatched to another host) and the rest."""
        text = self.command("show stat").lstrip("# ")
        rows = csv.DictReader(io.StringIO(text))
        return {
            row["svname"]: row
            for row in rows
            if row["pxname"] == BACKEND and row["svname"] != "FRONTEND"
        }

    def servers(self) -> dict[str, dict[str, str]]:
        return {name: row for name, row in self.stats().items() if name != "BACKEND"}

    def wait_for(self, name: str, status: str, timeout: float = WAIT_TIMEOUT) -> float:
        """Seconds until host `name`'s status starts with `status`."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.servers()[name]["status"].startswith(status):
                return time.monotonic() - started
            time.sleep(0.05)
        raise TimeoutError(f"host {name} not {status} in {timeout}s: {self.servers()[name]}")

    def drain(self, name: str, timeout: float = WAIT_TIMEOUT) -> float:
        """Take host `name` out of rotation and wait until nothing is in flight there."""
        self.command(f"disable server {BACKEND}/{name}")
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.servers()[name]["scur"] == "0":
                return time.monotonic() - started
            time.sleep(0.05)
        raise TimeoutError(f"host {name} still busy after {timeout}s")

    def restore(self, name: str) -> float:
        """Put host `name` back in rotation; seconds until its health check says UP."""
        self.command(f"enable server {BACKEND}/{name}")
        return self.wait_for(name, "UP")


@contextmanager
def haproxy(servers: Sequence[tuple[str, str, int]], work: Path) -> Iterator[Balancer]:
    """HAProxy on a free loopback port in front of `servers` (name, address, port); every
    host UP before it is handed over; stopped afterwards whatever happens."""
    port, admin_port = free_port(), free_port()
    config = work / "haproxy.cfg"
    config.write_text(_config(port, admin_port, servers))
    daemon = Daemon(
        name="haproxy",
        command=[tool("haproxy"), "-db", "-f", str(config)],
        port=port,
        log_path=work / "haproxy.log",
    )
    with running(daemon):
        balancer = Balancer(daemon, admin_port)
        for name, _host, _port in servers:
            balancer.wait_for(name, "UP")
        yield balancer
