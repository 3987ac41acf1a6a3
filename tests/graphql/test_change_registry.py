"""Every mutation but createLpa carries one registered change type, and every registered
change type has its mutation."""

from __future__ import annotations

from app.domain.changes import REGISTRY
from app.graphql.schema import build_schema


def test_the_mutations_are_the_registered_change_types_and_create_lpa() -> None:
    mutations = set(build_schema()._schema.mutation_type.fields)
    assert mutations == {*REGISTRY, "createLpa"}
