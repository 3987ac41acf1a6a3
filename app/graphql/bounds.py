"""Every string and list a client sends is bounded by what it means.

Names are at most 100 characters, free text 10,000, and so on: the caps are keyed by the
input field or argument name, and a test checks that every string and list input of the
schema has one. Values over a cap are refused with BAD_USER_INPUT naming where, never what.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
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
    """graphql-core middleware: checks the arguments of every field that takes any."""

    ARGUMENTS_ONLY = True  # nothing to do for a field given no arguments: plans skip it there

    def resolve(
        self, next_: Callable[..., Any], root: Any, info: GraphQLResolveInfo[Any], **args: Any
    ) -> Any:
        if args:
            definition = info.parent_type.fields[info.field_name]
            for name, value in args.items():
                _check(value, definition.args[name].type, name, name)
        return next_(root, info, **args)


def _check(value: Any, type_: Any, name: str, where: str) -> None:
    if value is None:
        return
    inner = get_nullable_type(type_)
    if isinstance(inner, GraphQLList):
        if len(value) > LIST_CAPS.get(name, 0):
            raise BadUserInput(f"{where} has more than {LIST_CAPS.get(name, 0)} items")
        for index, item in enumerate(value):
            _check(item, inner.of_type, name, f"{where}[{index}]")
    elif isinstance(inner, GraphQLInputObjectType):
        for key, item in value.items():
            _check(item, inner.fields[key].type, key, f"{where}.{key}")
    elif isinstance(value, str):
        cap = STRING_CAPS.get(name, FALLBACK_STRING_CAP)
        if len(value) > cap:
            raise BadUserInput(f"{where} is longer than {cap} characters")
