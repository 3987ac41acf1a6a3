from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from app.domain.uid import InvalidUid, parse_uid


def _parse_uid(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidUid("expected a string")
    return parse_uid(value)


def _parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("expected an RFC 3339 string")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("expected a time zone offset, e.g. Z")
    return parsed.astimezone(UTC)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _parse_date(value: object) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError("expected a date as YYYY-MM-DD")
    return date.fromisoformat(value)


def _serialize_datetime(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


LpaUid = NewType("LpaUid", str)

SCALAR_MAP: dict[object, ScalarDefinition] = {
    LpaUid: strawberry.scalar(
        name="LpaUid",
        description='An LPA reference, "M-dddd-dddd-dddd" with a valid Damm check digit.',
        serialize=str,
        parse_value=_parse_uid,
    ),
    datetime: strawberry.scalar(
        name="DateTime",
        description="An RFC 3339 date-time with an offset; stored and answered in UTC.",
        serialize=_serialize_datetime,
        parse_value=_parse_datetime,
    ),
    date: strawberry.scalar(
        name="Date",
        description="A calendar date, YYYY-MM-DD.",
        serialize=date.isoformat,
        parse_value=_parse_date,
    ),
}
