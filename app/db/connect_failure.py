"""One line for an operator when a command or start-up cannot use the database.

Names the database (its URL without the password) and what went wrong, never a statement's
parameters. Anything not recognised here is a bug, and keeps its traceback.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url

from .availability import database_unavailable, error_chain

# SQLSTATE -> what it means for whoever runs the command.
_STATES = {
    "3D000": "does not exist",
    "28000": "refused the login (no such role, or not allowed to connect)",
    "28P01": "refused the login (wrong password)",
    "42501": "refused a privilege this needs",  # e.g. migrate as a role that cannot CREATE
}


def describe(error: BaseException, database_url: str) -> str | None:
    """What went wrong, in one line, or None when `error` is not about reaching the database."""
    where = make_url(database_url).render_as_string(hide_password=True)
    for cause in error_chain(error):
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str) and state in _STATES:
            detail = f" ({_first_line(cause)})" if state == "42501" else ""
            return f"the database at {where} {_STATES[state]}{detail}"
    if database_unavailable(error):
        return f"cannot reach the database at {where}"
    return None


def _first_line(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
