"""PgBouncer in front of a PostgreSQL server, in transaction or session mode: the topology's
primary, or the test server for the HTTP suite's run through a pooler (tests/pgbouncer.py).

Without LPA_GATEWAY_DATABASE_POOLER=transaction the gateway asks PostgreSQL for
`statement_timeout` as a start-up parameter, which PgBouncer does not pass on: for that case
(session mode, `ignore_timeout`) it is told to ignore it (or it would refuse every
connection), and the run sets the timeout on the database itself instead
(`ALTER DATABASE ... SET statement_timeout`), as an operator behind a pooler does. In
transaction mode the gateway sets it per transaction and sends no start-up parameter.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.reliability.cluster import free_port, server_directory
from tests.reliability.daemons import Daemon, running, tool

MODES = ("transaction", "session")
POOL_SIZE = 150  # server connections per database: every host's pools fit, in session mode


def _ini(
    server_port: int,
    mode: str,
    port: int,
    addresses: tuple[str, ...],
    base: Path,
    *,
    pool_size: int,
    ignore_timeout: bool,
) -> str:
    ignored = "statement_timeout" if ignore_timeout else ""
    return f"""[databases]
* = host=127.0.0.1 port={server_port}

[pgbouncer]
listen_addr = {",".join(addresses)}
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {base / "userlist.txt"}
pool_mode = {mode}
max_client_conn = 2000
default_pool_size = {pool_size}
ignore_startup_parameters = {ignored}
admin_users = postgres
"""


@contextmanager
def pgbouncer(
    server_port: int,
    mode: str,
    addresses: tuple[str, ...],
    work: Path,
    *,
    pool_size: int = POOL_SIZE,
    ignore_timeout: bool = True,
) -> Iterator[Daemon]:
    """PgBouncer listening on `addresses` in front of the server on loopback `server_port`,
    with `pool_size` server connections per database; stopped and its files removed
    afterwards."""
    if mode not in MODES:
        raise ValueError(f"pool mode must be one of {', '.join(MODES)}")
    with server_directory("lpa-pgbouncer-") as (base, run_as):
        port = free_port()
        (base / "userlist.txt").write_text('"postgres" ""\n')
        ini = _ini(
            server_port,
            mode,
            port,
            addresses,
            base,
            pool_size=pool_size,
            ignore_timeout=ignore_timeout,
        )
        (base / "pgbouncer.ini").write_text(ini)
        daemon = Daemon(
            name=f"pgbouncer ({mode} mode)",
            command=[tool("pgbouncer"), str(base / "pgbouncer.ini")],
            port=port,
            log_path=work / "pgbouncer.log",
            user=run_as,  # PgBouncer refuses to run as root
        )
        with running(daemon):
            yield daemon
