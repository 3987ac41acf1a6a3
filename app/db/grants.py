"""What each PostgreSQL role may do, as SQL: the owning role and the gateway's runtime role.

Invariant: the runtime role holds exactly what the gateway uses and owns nothing. The
append-only tables (`changes`, `outbox`, `audit_events`) take no UPDATE or DELETE from it, and
their triggers, which only an owner or a superuser can switch off, refuse them anyway. The
gateway never reads its own audit trail. `lpa_numbers` takes DELETE: a UID whose LPA is
refused gives its number back (app/db/repository/store.py).

Derived from the tables in app/db/models.py, so a new table is granted the common set
(`SELECT, INSERT, UPDATE`) unless it is listed here as an exception.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .models import Base

COMMON = ("SELECT", "INSERT", "UPDATE")
EXCEPTIONS: Mapping[str, tuple[str, ...]] = {
    "changes": ("SELECT", "INSERT"),
    "outbox": ("SELECT", "INSERT"),
    "audit_events": ("INSERT",),
    "lpa_numbers": ("SELECT", "INSERT", "DELETE"),
    "fees": ("SELECT",),  # the schedule is written by migrations only
}
SCHEMA = "public"
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class RoleNameError(ValueError):
    """A role name the gateway will not put into SQL."""


def table_privileges() -> dict[str, tuple[str, ...]]:
    """Every table of the gateway, and the privileges the runtime role needs on it."""
    return {t.name: EXCEPTIONS.get(t.name, COMMON) for t in Base.metadata.sorted_tables}


def sequences() -> list[str]:
    """The sequences behind the ids of the tables the runtime role inserts into
    (PostgreSQL names them `<table>_<column>_seq`)."""
    inserts = {name for name, privileges in table_privileges().items() if "INSERT" in privileges}
    return [
        f"{t.name}_{t.autoincrement_column.name}_seq"
        for t in Base.metadata.sorted_tables
        if t.autoincrement_column is not None and t.name in inserts
    ]


def role_name(name: str) -> str:
    if not _ROLE_NAME.fullmatch(name):
        raise RoleNameError(
            f"role name {name!r} must be lower-case letters, digits and underscores (at most 63)"
        )
    return name


def before_migrate_sql(owner: str, runtime: str) -> list[str]:
    """Once per database, as a superuser connected to it: the two roles and the schema."""
    owner, runtime = role_name(owner), role_name(runtime)
    if owner == runtime:
        raise RoleNameError("the owning role and the runtime role must differ")
    return [
        f'CREATE ROLE "{owner}" LOGIN;',
        f'CREATE ROLE "{runtime}" LOGIN;',
        f'GRANT USAGE, CREATE ON SCHEMA {SCHEMA} TO "{owner}";',
        f'GRANT USAGE ON SCHEMA {SCHEMA} TO "{runtime}";',
    ]


def after_migrate_sql(runtime: str) -> list[str]:
    """After every `migrate`, as the owner: exactly the runtime role's privileges, nothing
    left over from an earlier release."""
    runtime = role_name(runtime)
    return [
        "BEGIN;",
        f'REVOKE ALL ON ALL TABLES IN SCHEMA {SCHEMA} FROM "{runtime}";',
        f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA {SCHEMA} FROM "{runtime}";',
        *(
            f'GRANT {", ".join(privileges)} ON TABLE {SCHEMA}."{name}" TO "{runtime}";'
            for name, privileges in table_privileges().items()
        ),
        *(f'GRANT USAGE ON SEQUENCE {SCHEMA}."{name}" TO "{runtime}";' for name in sequences()),
        "COMMIT;",
    ]
