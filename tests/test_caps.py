"""Each cap is defined once (app/domain/caps.py) and the GraphQL bounds, the column widths
and the corrections agree with it."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import String, Text, Uuid

from app.db.models import Base
from app.domain import caps
from app.domain.changes import correction
from app.graphql.bounds import LIST_CAPS, STRING_CAPS

COLUMN_OF = {"idempotencyKey": "key"}  # inputs stored under another name


def _column(name: str) -> str:
    return COLUMN_OF.get(name) or re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def column_widths() -> dict[str, set[int | None]]:
    """Every text column's width by column name, across the tables (None: unbounded)."""
    widths: dict[str, set[int | None]] = {}
    for table in Base.metadata.tables.values():
        for column in table.c:
            if isinstance(column.type, Text):
                widths.setdefault(column.name, set()).add(None)
            elif isinstance(column.type, String) and column.type.length is not None:
                widths.setdefault(column.name, set()).add(column.type.length)
    return widths


# Actor UIDs arrive as text and are stored as UUIDs (`actors.id`), never as text.
AS_UUID = {"uid"}


def test_every_capped_input_is_stored_in_columns_of_the_same_width() -> None:
    widths = column_widths()
    wrong = {}
    for name, cap in STRING_CAPS.items():
        if name in AS_UUID:
            continue
        stored = widths.get(_column(name), set())
        expected = {None} if cap == caps.TEXT else {cap}
        if stored != expected:
            wrong[name] = (cap, stored)
    assert wrong == {}


def test_corrections_are_capped_by_the_column_widths() -> None:
    widths = column_widths()
    person = {name: widths[name] for name in correction._WIDTHS}
    assert person == {name: {cap} for name, cap in correction._WIDTHS.items()}
    address = {name: {cap} for name, cap in correction._ADDRESS_WIDTHS.items()}
    assert {name: widths[name] for name in correction._ADDRESS_WIDTHS} == address


def test_list_bounds_allow_what_the_rules_allow() -> None:
    assert LIST_CAPS["peopleToNotify"] >= caps.PEOPLE_TO_NOTIFY
    assert LIST_CAPS["signatories"] >= caps.SIGNATORIES
    assert LIST_CAPS["changes"] == caps.ATTORNEY_CHANGES


def test_an_actor_uid_is_capped_at_the_length_of_a_uuid() -> None:
    assert isinstance(Base.metadata.tables["actors"].c.id.type, Uuid)
    assert STRING_CAPS["uid"] == caps.UID == len(str(uuid.uuid4()))
