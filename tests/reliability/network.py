"""A private network for the topology's gateway hosts: one network namespace per host, joined
by a veth pair to a bridge in the root namespace, in a /24 of 10.231.0.0/16 that this run alone
uses. Everything stays on this machine: the bridge has no uplink, and the services the hosts
need (PgBouncer, PostgreSQL, Redis) listen on the bridge's own address.

Where namespaces cannot be made (no `ip`, not root, a sandbox that forbids them), the hosts run
as loopback processes on ports of their own, and `HostNetwork.namespaces` says so, with why.

Names carry the process id of the run (`lpa-topo-<pid>-h1`, bridge `lpatb<pid>`), so a run
killed before its cleanup is swept by the next one, and two runs never touch each other's.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

PREFIX = "lpa-topo-"
BRIDGE_PREFIX = "lpatb"
SUBNETS = "10.231"  # 10.231.N.0/24: .1 is the bridge (the services), .11 and up the hosts
HOST_PORT = 8000  # each host has an address of its own, so they share the port
TIMEOUT = 10.0


class NetworkUnavailable(RuntimeError):
    """Namespaces cannot be made here (and why)."""


@dataclass
class HostNetwork:
    namespaces: bool
    service_address: str  # where the hosts reach PgBouncer, PostgreSQL and Redis
    host_addresses: list[str]
    launchers: list[tuple[str, ...]]  # the command prefix that runs a process on each host
    subnet: str | None = None
    why_loopback: str = ""


def _ip(*args: str) -> str:
    done = subprocess.run(  # noqa: S603 - iproute2 with fixed arguments
        ["ip", *args],  # noqa: S607 - iproute2 is found on PATH, as an operator has it
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise NetworkUnavailable(f"ip {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale() -> list[str]:
    """Remove the namespaces and bridges of earlier runs whose process is gone."""
    removed: list[str] = []
    with suppress(NetworkUnavailable, FileNotFoundError, subprocess.TimeoutExpired):
        for line in _ip("netns", "list").splitlines():
            name = line.split()[0] if line.strip() else ""
            found = re.fullmatch(rf"{PREFIX}(\d+)-h\d+", name)
            if found and not _alive(int(found.group(1))):
                _ip("netns", "delete", name)
                removed.append(name)
        for line in _ip("-o", "link", "show", "type", "bridge").splitlines():
            found = re.search(rf"\d+: ({BRIDGE_PREFIX}(\d+)):", line)
            if found and not _alive(int(found.group(2))):
                _ip("link", "delete", found.group(1))
                removed.append(found.group(1))
    return removed


def _free_subnet() -> str:
    taken = set(re.findall(rf"inet {re.escape(SUBNETS)}\.(\d+)\.", _ip("-4", "-o", "addr")))
    free = [n for n in range(256) if str(n) not in taken]
    if not free:
        raise NetworkUnavailable(f"every /24 of {SUBNETS}.0.0/16 is in use on this machine")
    return f"{SUBNETS}.{random.choice(free)}"  # noqa: S311 - picks a subnet, not a secret


def owned_names(pid: int, hosts: int) -> tuple[str, list[str]]:
    """The bridge and the namespaces a run with process id `pid` makes."""
    return f"{BRIDGE_PREFIX}{pid}", [f"{PREFIX}{pid}-h{i + 1}" for i in range(hosts)]


def existing() -> tuple[set[str], set[str]]:
    """The namespaces and links on this machine now."""
    namespaces = {line.split()[0] for line in _ip("netns", "list").splitlines() if line.strip()}
    links = set(re.findall(r"^\d+: ([^:@]+)", _ip("-o", "link", "show"), re.MULTILINE))
    return namespaces, links


def _build(hosts: int, made: list[str]) -> HostNetwork:
    if os.geteuid() != 0:
        raise NetworkUnavailable("network namespaces need root")
    if shutil.which("ip") is None:
        raise NetworkUnavailable("iproute2's `ip` is not installed")
    pid = os.getpid()
    bridge, namespaces = owned_names(pid, hosts)
    subnet = _free_subnet()
    _ip("link", "add", bridge, "type", "bridge")
    made.append(bridge)
    _ip("addr", "add", f"{subnet}.1/24", "dev", bridge)
    _ip("link", "set", bridge, "up")
    addresses: list[str] = []
    for i, namespace in enumerate(namespaces, start=1):
        outside, inside, address = f"lpat{pid}h{i}", f"lpat{pid}n{i}", f"{subnet}.{10 + i}"
        _ip("netns", "add", namespace)
        made.append(namespace)
        _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
        made.append(outside)  # goes with its namespace; deleted here if that was not reached
        _ip("link", "set", outside, "master", bridge, "up")
        _ip("link", "set", inside, "netns", namespace)
        _ip("-n", namespace, "addr", "add", f"{address}/24", "dev", inside)
        _ip("-n", namespace, "link", "set", inside, "up")
        _ip("-n", namespace, "link", "set", "lo", "up")
        addresses.append(address)
    return HostNetwork(
        namespaces=True,
        service_address=f"{subnet}.1",
        host_addresses=addresses,
        launchers=[("ip", "netns", "exec", namespace) for namespace in namespaces],
        subnet=f"{subnet}.0/24",
    )


def _tear_down(made: list[str]) -> None:
    for name in reversed(made):
        if name.startswith(PREFIX):
            with suppress(NetworkUnavailable, subprocess.TimeoutExpired):
                _ip("netns", "delete", name)
        else:
            with suppress(NetworkUnavailable, subprocess.TimeoutExpired):
                _ip("link", "delete", name)


@contextmanager
def host_network(hosts: int, allow_namespaces: bool = True) -> Iterator[HostNetwork]:
    """The hosts' network, torn down afterwards whatever happens."""
    made: list[str] = []
    try:
        if not allow_namespaces:
            raise NetworkUnavailable("namespaces switched off (--no-namespaces)")
        sweep_stale()
        network = _build(hosts, made)
    except (NetworkUnavailable, FileNotFoundError, subprocess.TimeoutExpired) as error:
        _tear_down(made)
        made.clear()
        network = HostNetwork(
            namespaces=False,
            service_address="127.0.0.1",
            host_addresses=["127.0.0.1"] * hosts,
            launchers=[()] * hosts,
            why_loopback=str(error),
        )
    try:
        yield network
    finally:
        _tear_down(made)
