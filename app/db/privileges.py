"""Does the gateway's database role hold what it needs? Asked once, at start-up.

PostgreSQL only: SQLite has no roles (whoever can write the file can do anything), so there
the answer is always "nothing missing". A superuser holds everything, so nothing is missing
for it either; `surplus` tells the operator it could switch the append-only triggers off.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from .grants import SCHEMA, sequences, table_privileges

CHECKED = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")


@dataclass(frozen=True, slots=True)
class RoleReport:
    role: str
    missing: list[str]  # e.g. "DELETE on table lpa_numbers", in the order `grants` prints
    surplus: list[str]  # what it holds beyond that: ownership, superuser, other privileges


async def role_report(conn: AsyncConnection) -> RoleReport | None:
    """None on SQLite; otherwise what the connected role lacks and holds beyond its needs."""
    if conn.dialect.name != "postgresql":
        return None
    role, superuser, schema_usage = (await conn.execute(_ROLE, {"schema": SCHEMA})).one()
    missing = [] if schema_usage else [f"USAGE on schema {SCHEMA}"]
    surplus = ["superuser"] if superuser else []
    needs = table_privileges()
    held: dict[str, set[str]] = {}
    rows = await conn.execute(
        _TABLES, {"tables": [_qualified(n) for n in needs], "privileges": list(CHECKED)}
    )
    for name, privilege, exists, has in rows:
        if exists:
            held.setdefault(name, set()).update([privilege] if has else [])
    for name, needed in needs.items():
        if name not in held:
            missing.append(f"table {name} (run `lpa-gateway migrate`)")
            continue
        missing.extend(f"{p} on table {name}" for p in needed if p not in held[name])
        surplus.extend(f"{p} on table {name}" for p in CHECKED if p in held[name] - set(needed))
    rows = await conn.execute(_SEQUENCES, {"sequences": [_qualified(n) for n in sequences()]})
    missing.extend(f"USAGE on sequence {name}" for name, exists, has in rows if exists and not has)
    return RoleReport(str(role), missing, surplus)


def _qualified(name: str) -> str:
    return f'{SCHEMA}."{name}"'


_ROLE = text(
    "SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),"
    " has_schema_privilege(:schema, 'USAGE')"
)
_TABLES = text(
    "SELECT btrim(split_part(t, '.', 2), '\"'), p, to_regclass(t) IS NOT NULL,"
    " CASE WHEN to_regclass(t) IS NULL THEN false ELSE has_table_privilege(t, p) END"
    " FROM unnest(CAST(:tables AS text[])) AS t"
    " CROSS JOIN unnest(CAST(:privileges AS text[])) AS p"
)
_SEQUENCES = text(
    "SELECT btrim(split_part(s, '.', 2), '\"'), to_regclass(s) IS NOT NULL,"
    " CASE WHEN to_regclass(s) IS NULL THEN false ELSE has_sequence_privilege(s, 'USAGE') END"
    " FROM unnest(CAST(:sequences AS text[])) AS s"
)
