from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from .create_lpa import create_lpa
from .lpa_status import lpa_status
from .scalars import SCALAR_MAP
from .validate_lpa import validate_lpa


@strawberry.type
class Query:
    lpa_status = strawberry.field(resolver=lpa_status)
    validate_lpa = strawberry.field(resolver=validate_lpa)


@strawberry.type
class Mutation:
    create_lpa = strawberry.mutation(resolver=create_lpa)


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALAR_MAP),
    )
