"""PgBouncer in front of the topology's primary, in transaction or session mode.

The gateway asks PostgreSQL for `statement_timeout` as a start-up parameter, which PgBouncer
does not pass on: it is told to ignore it (or it would refuse every connection), and the run
sets the timeout on the database itself instead (`ALTER DATABASE ... SET statement_timeout`),
as an operator behind a pooler does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.reliability.cluster import Cluster, free_port, server_directory
from tests.reliability.daemons import Daemon, running, tool

MODES = ("transaction", "session")
POOL_SIZE = 150  # server connections per database: every host's pools fit, in session mode


def _ini(primary: Cluster, mode: str, port: int, addresses: tuple[str, ...], base: Path) -> str:
    return f"""[databases]
* = host=127.0.0.1 port={primary.port}

[pgbouncer]
listen_addr = {",".join(addresses)}
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {base / "userlist.txt"}
pool_mode = {mode}
max_client_conn = 2000
default_pool_size = {POOL_SIZE}
ignore_startup_parameters = statement_timeout
admin_users = postgres
"""


@contextmanager
def pgbouncer(
    primary: Cluster, mode: str, addresses: tuple[str, ...], work: Path
) -> Iterator[Daemon]:
    """PgBouncer listening on `addresses`, stopped and its files removed afterwards."""
    if mode not in MODES:
        raise ValueError(f"pool mode must be one of {', '.join(MODES)}")
    with server_directory("lpa-pgbouncer-") as (base, run_as):
        port = free_port()
        (base / "userlist.txt").write_text('"postgres" ""\n')
        (base / "pgbouncer.ini").write_text(_ini(primary, mode, port, addresses, base))
        daemon = Daemon(
            name=f"pgbouncer ({mode} mode)",
            command=[tool("pgbouncer"), str(base / "pgbouncer.ini")],
            port=port,
            log_path=work / "pgbouncer.log",
            user=run_as,  # PgBouncer refuses to run as root
        )
        with running(daemon):
            yield daemon
