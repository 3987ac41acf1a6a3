"""Saved example operations per client, shown as GraphiQL tabs in development.

One TOML file per client under `examples/`, named after the client id, holding a list of
`[[example]]` tables: a `query` with exactly one named operation (the tab's title) and
optional `variables`. They name demo LPAs, whose UIDs never change, and a test runs every
one of them as its client against a seeded database.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from graphql import GraphQLError, OperationDefinitionNode, parse

EXAMPLES_DIR: Final[Path] = Path(__file__).resolve().parent / "examples"


class ExampleError(ValueError):
    """An examples file is malformed; the message names the file."""


@dataclass(frozen=True, slots=True)
class Example:
    name: str
    query: str
    variables: dict[str, Any]

    def tab(self, headers: str) -> dict[str, str]:
        """A GraphiQL tab: the query, its variables and the headers, as editor text."""
        variables = json.dumps(self.variables, indent=2) if self.variables else ""
        return {"query": self.query, "variables": variables, "headers": headers}


def example_files() -> dict[str, Path]:
    return {path.stem: path for path in sorted(EXAMPLES_DIR.glob("*.toml"))}


@cache
def examples_for(client: str) -> tuple[Example, ...]:
    path = example_files().get(client)
    return () if path is None else load_examples(path)


def load_examples(path: Path) -> tuple[Example, ...]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ExampleError(f"{path.name}: {error}") from None
    entries = raw.get("example")
    if set(raw) != {"example"} or not isinstance(entries, list) or not entries:
        raise ExampleError(f"{path.name}: expected one or more [[example]] tables and nothing else")
    examples = tuple(_example(path, entry) for entry in entries)
    names = [example.name for example in examples]
    if len(set(names)) != len(names):
        raise ExampleError(f"{path.name}: operation names must be unique")
    return examples


def _example(path: Path, entry: Any) -> Example:
    if not isinstance(entry, dict) or not set(entry) <= {"query", "variables"}:
        raise ExampleError(f"{path.name}: an example has only `query` and `variables`")
    query, variables = entry.get("query"), entry.get("variables", {})
    if not isinstance(query, str) or not isinstance(variables, dict):
        raise ExampleError(f"{path.name}: `query` is text and `variables` a table")
    try:
        json.dumps(variables)
    except TypeError:
        raise ExampleError(f"{path.name}: quote dates and times in `variables`") from None
    return Example(_operation_name(path, query), query.strip() + "\n", variables)


def _operation_name(path: Path, query: str) -> str:
    try:
        document = parse(query)
    except GraphQLError as error:
        raise ExampleError(f"{path.name}: {error.message}") from None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].name is None:
        raise ExampleError(f"{path.name}: each example holds exactly one named operation")
    return operations[0].name.value
