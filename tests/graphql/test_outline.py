"""The operation outline is worked out once per cached document and operation name, with the
names a caller may send bounded."""

from __future__ import annotations

import pytest
from graphql import DocumentNode, build_schema

from app.graphql import executor
from app.graphql.executor import MAX_OUTLINES, Executor
from app.graphql.outline import NO_OPERATION, Outline

SCHEMA = build_schema("type Query { a: Int b: Int } type Mutation { c: Int }")


def test_outlines_name_the_operation_and_its_root_field() -> None:
    prepared = Executor(SCHEMA, max_tokens=1000).prepare(
        "query A { a } mutation C { c } fragment F on Query { a b } query Both { ...F }"
    )
    assert prepared.outline("A") == Outline("A", mutation=False, root_field="a")
    assert prepared.outline("C") == Outline("C", mutation=True, root_field="c")
    assert prepared.outline("Both") == Outline("Both", mutation=False, root_field="multiple")
    assert prepared.outline(None) == NO_OPERATION  # several operations and no name: none
    assert prepared.outline("Nope") == NO_OPERATION


def test_operation_names_remembered_per_document_are_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str | None] = []
    real = executor.outline

    def counting(document: DocumentNode, name: str | None) -> Outline:
        calls.append(name)
        return real(document, name)

    monkeypatch.setattr(executor, "outline", counting)
    prepared = Executor(SCHEMA, max_tokens=1000).prepare("{ a }")
    names = [f"N{i}" for i in range(MAX_OUTLINES + 1)]
    for name in names:
        assert prepared.outline(name) == NO_OPERATION
    for name in names:
        prepared.outline(name)  # the first MAX_OUTLINES are remembered, the one past is not
    assert calls == [*names, names[-1]]
