"""Errors the gateway answers with, each with a stable `extensions.code`.

    GatewayError
    ├── BadUserInput           BAD_USER_INPUT     malformed document, variables or arguments
    ├── Forbidden              FORBIDDEN          the client may not do this
    ├── Conflict               CONFLICT           the data changed underneath the request
    ├── IdempotencyKeyReused   IDEMPOTENCY_KEY_REUSED  same key, different payload
    ├── RateLimited            RATE_LIMITED       a budget is spent
    ├── Timeout                TIMEOUT            the request or a statement ran too long
    └── Unavailable            UNAVAILABLE        the database is out of reach: retry later,
                                                  with the same idempotency key for a mutation
    (a database constraint)    CONFLICT           generic: no SQL, no values
    (any other exception)      INTERNAL           masked: its text never leaves the process

A database failure that `app.db.availability` recognises as the database being out of reach
(refused, dropped or timed-out connections, a server restarting or in crash recovery, an
exhausted pool) is answered as UNAVAILABLE, not INTERNAL, with a fixed message.

UNAUTHENTICATED is answered by the HTTP layer before any GraphQL work.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from graphql import GraphQLError
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.db.availability import database_unavailable

INTERNAL_MESSAGE = "Internal server error."
UNAVAILABLE_MESSAGE = "The database is unavailable; retry (a mutation with its idempotency key)."
_SUGGESTION = re.compile(r"\s*Did you mean .*\?\.?$", re.DOTALL)
# graphql-core quotes the offending input after "found"; it may be personal data, so the
# message is cut there and keeps only the type, the location and the reason.
_FOUND_VALUE = re.compile(r"[;,.]?\s+found:?\s.*$", re.DOTALL | re.IGNORECASE)
_ENUM_VALUE = re.compile(r"Value .* does not exist in ('[^']*' enum)", re.DOTALL)
_REPRESENT_VALUE = re.compile(r"(cannot represent [^:']*value): .*?('\.)?$", re.DOTALL)
_INVALID_VALUE = re.compile(r" got invalid value .*?(?=(?: at '[^']*')?;|$)", re.DOTALL)


class GatewayError(Exception):
    code: ClassVar[str] = "INTERNAL"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadUserInput(GatewayError):
    code = "BAD_USER_INPUT"


class Forbidden(GatewayError):
    code = "FORBIDDEN"


class Conflict(GatewayError):
    code = "CONFLICT"


class IdempotencyKeyReused(GatewayError):
    code = "IDEMPOTENCY_KEY_REUSED"


class RateLimited(GatewayError):
    code = "RATE_LIMITED"


class Timeout(GatewayError):
    code = "TIMEOUT"


CONSTRAINT_MESSAGE = "The change conflicts with the stored data."
TIMEOUT_MESSAGE = "The request took too long and was stopped."
_QUERY_CANCELED = "57014"  # PostgreSQL: statement_timeout reached


def known_failure(error: BaseException) -> GatewayError | None:
    """The stable error a database failure stands for, when it has one."""
    if isinstance(error, IntegrityError):
        return Conflict(CONSTRAINT_MESSAGE)
    if _sqlstate(error) == _QUERY_CANCELED:
        return Timeout(TIMEOUT_MESSAGE)
    return None


def _sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a driver error, raised directly (prepared statements) or wrapped by
    SQLAlchemy."""
    driver_error = error.orig if isinstance(error, DBAPIError) else error
    for candidate in (driver_error, getattr(driver_error, "__cause__", None)):
        state = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if state:
            return str(state)
    return None


class Unavailable(GatewayError):
    code = "UNAVAILABLE"

    def __init__(self, message: str = UNAVAILABLE_MESSAGE) -> None:
        super().__init__(message)


def as_gateway_error(error: BaseException | None) -> GatewayError | None:
    """The stable error `error` stands for, or None for an unexpected (INTERNAL) one."""
    if error is None or isinstance(error, GatewayError):
        return error
    known = known_failure(error)
    if known is not None:
        return known
    if database_unavailable(error):
        return Unavailable()
    return None


def error_body(message: str, code: str) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code}}


def scrub(message: str) -> str:
    """The message without suggestions of other names and without any quoted input value."""
    cut = _FOUND_VALUE.sub("", message)
    if cut != message:
        cut += "."
    cut = _INVALID_VALUE.sub(" got an invalid value", cut)
    cut = _ENUM_VALUE.sub(r"Value does not exist in \1", cut)
    cut = _REPRESENT_VALUE.sub(r"\1\2", cut)
    return _SUGGESTION.sub("", cut)


def format_request_error(error: GraphQLError) -> dict[str, Any]:
    """A parse, validation or variable error: the client's document is at fault."""
    body = error_body(scrub(error.message), BadUserInput.code)
    if error.locations:
        body["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    return body


def format_execution_error(error: GraphQLError) -> tuple[dict[str, Any], bool]:
    """The error as the client sees it, and whether it was an unexpected (masked) one."""
    original = error.original_error
    known = as_gateway_error(original)
    if known is not None:
        body, masked = error_body(known.message, known.code), False
    elif original is None or error.path is None:
        # raised before execution (variable coercion): the request is at fault
        body, masked = format_request_error(error), False
    else:
        body, masked = error_body(INTERNAL_MESSAGE, "INTERNAL"), True
    if error.path is not None:
        body["path"] = list(error.path)
    return body, masked
