"""Start-up refuses a database role that lacks a privilege the gateway uses.

Without this a missing grant shows up only as `INTERNAL` answers to the requests that need it.
A role that holds more than it needs (an owner, a superuser) serves, with one warning in
production: it could switch the append-only triggers off. Production cannot start without
the database anyway; development may (health says 503 until it answers), and then the check
waits for the next start.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.availability import database_unavailable
from app.db.privileges import role_report

from .refused import StartupRefused

logger = logging.getLogger("lpa_gateway.startup")


async def refuse_missing_privileges(engine: AsyncEngine, *, production: bool) -> None:
    try:
        async with engine.connect() as conn:
            report = await role_report(conn)
    except Exception as error:
        if production or not database_unavailable(error):
            raise
        logger.warning("database unreachable at start-up: its role's privileges are unchecked")
        return
    if report is None:  # SQLite: no roles to check
        return
    if report.missing:
        more = len(report.missing) - 1
        raise StartupRefused(
            f"database role {report.role} lacks {report.missing[0]}"
            + (f" (and {more} more)" if more else "")
            + "; `lpa-gateway grants` prints what it needs"
        )
    if production and report.surplus:
        logger.warning(
            "database role %s holds more than the gateway needs (%s): it can switch the "
            "append-only triggers off",
            report.role,
            ", ".join(report.surplus[:3]) + (", ..." if len(report.surplus) > 3 else ""),
        )
