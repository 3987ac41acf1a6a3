"""Every string and list a client sends is bounded by what it means.

Names are at most 100 characters, free text 10,000, and so on: the caps are keyed by the
input field or argument name, and a test checks that every string and list input of the
schema has one. Values over a cap are refused with BAD_USER_INPUT naming where, never what.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLResolveInfo,
    get_nullable_type,
)

from app.domain import caps

from .errors import BadUserInput

STRING_CAPS: dict[str, int] = {
    "firstNames": caps.NAME,
    "lastName": caps.NAME,
    "name": caps.NAME,
    "otherNamesKnownBy": caps.NAME,
    "professionalTitle": caps.NAME,
    "line1": caps.ADDRESS_LINE,
    "line2": caps.ADDRESS_LINE,
    "line3": caps.ADDRESS_LINE,
    "town": caps.ADDRESS_LINE,
    "postcode": caps.POSTCODE,
    "country": caps.COUNTRY,
    "email": caps.EMAIL,
    "mobile": caps.PHONE,
    "phone": caps.PHONE,
    "companyNumber": caps.COMPANY_NUMBER,
    "restrictionsAndConditions": caps.TEXT,
    "howAttorneysMakeDecisionsDetails": caps.TEXT,
    "howReplacementAttorneysMakeDecisionsDetails": caps.TEXT,
    "howReplacementAttorneysStepInDetails": caps.TEXT,
    "idempotencyKey": caps.IDEMPOTENCY_KEY,
    "reference": caps.PAYMENT_REFERENCE,
    "previousApplicationNumber": caps.APPLICATION_NUMBER,
    "source": caps.ANOMALY_SOURCE,
    "code": caps.PROBLEM_CODE,
    "uid": caps.UID,
}
LIST_CAPS: dict[str, int] = {
    "attorneys": caps.ATTORNEYS_GIVEN,
    "trustCorporations": caps.TRUST_CORPORATIONS_GIVEN,
    "peopleToNotify": caps.PEOPLE_TO_NOTIFY_GIVEN,
    "signatories": caps.SIGNATORIES_GIVEN,
    "decisions": caps.ATTORNEY_CHANGES,
    "changes": caps.ATTORNEY_CHANGES,
}
FALLBACK_STRING_CAP = caps.NAME  # fail closed for a string input nobody gave a cap


class InputBounds:
    """graphql-core middleware: checks the arguments of every field that takes any.

    Each argument's check is worked out once, from its type, the first time it is given
    (`bound`), and kept for the argument's life."""

    ARGUMENTS_ONLY = True  # nothing to do for a field given no arguments: plans skip it there

    def __init__(self) -> None:
        # id of a schema's GraphQLArgument -> (the argument, kept alive so the id stays its
        # own, and its check); a schema's arguments are few and live as long as it does
        self._checks: dict[int, tuple[GraphQLArgument, Check]] = {}

    def resolve(
        self, next_: Callable[..., Any], root: Any, info: GraphQLResolveInfo[Any], **args: Any
    ) -> Any:
        if args:
            definition = info.parent_type.fields[info.field_name]
            for name, value in args.items():
                self._check(definition.args[name], name)(value, name)
        return next_(root, info, **args)

    def _check(self, argument: GraphQLArgument, name: str) -> Check:
        known = self._checks.get(id(argument))
        if known is None:
            known = self._checks[id(argument)] = (argument, bound(argument.type, name))
        return known[1]


# A check takes a value and its place: the argument's name, or (the parent's place, then an
# input field's name or a list index), spelt out only when the value is refused
Check = Callable[[Any, Any], None]


def spelt(where: Any) -> str:
    """`input.attorneys[2].firstNames` for `((("input", "attorneys"), 2), "firstNames")`."""
    if isinstance(where, str):
        return where
    parent, step = where
    return f"{spelt(parent)}[{step}]" if isinstance(step, int) else f"{spelt(parent)}.{step}"


def bound(type_: Any, name: str) -> Check:
    """The check of a value of `type_` given under `name` (an argument's or input field's):
    a list's length by LIST_CAPS and each item's; an input object's fields', each by its own
    name; a string's length by STRING_CAPS (FALLBACK_STRING_CAP for a name with none)."""
    inner = get_nullable_type(type_)
    if isinstance(inner, GraphQLList):
        return _list(bound(inner.of_type, name), LIST_CAPS.get(name, 0))
    if isinstance(inner, GraphQLInputObjectType):
        return _object(inner)
    return _string(STRING_CAPS.get(name, FALLBACK_STRING_CAP))


def _list(item: Check, cap: int) -> Check:
    def check(value: Any, where: Any) -> None:
        if value is None:
            return
        if len(value) > cap:
            raise BadUserInput(f"{spelt(where)} has more than {cap} items")
        for index, one in enumerate(value):
            item(one, (where, index))

    return check


def _object(type_: GraphQLInputObjectType) -> Check:
    fields: dict[str, Check] = {}  # filled on first use: an input type may hold itself

    def check(value: Any, where: Any) -> None:
        if value is None:
            return
        for key, item in value.items():
            field = fields.get(key)
            if field is None:
                field = fields[key] = bound(type_.fields[key].type, key)
            field(item, (where, key))

    return check


def _string(cap: int) -> Check:
    def check(value: Any, where: Any) -> None:
        if isinstance(value, str) and len(value) > cap:
            raise BadUserInput(f"{spelt(where)} is longer than {cap} characters")

    return check
