"""The committed contract: the full SDL and one SDL per client view, under `schema/`.

A change to the policy or the schema shows up in review as a diff of these files. Breaking
changes against the committed SDL (graphql-core's `find_breaking_changes`) are refused unless
`schema/accepted-breaking-changes.toml` lists each one with who reviewed it and why, for the
view it breaks: an entry names its view (a client id, or `schema` for the full SDL) and accepts
the change there only, so taking a field from one client is never waved through by a review of
another client's view.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from graphql import (
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
    print_schema,
)

from .policy import Policy, PolicyError
from .views import build_view

FULL = "schema.graphql"
ACCEPTED = "accepted-breaking-changes.toml"
_ACCEPTANCE = ("view", "change", "reason", "reviewed_by")
SUFFIX = ".graphql"


def render(schema: GraphQLSchema) -> str:
    return print_schema(schema) + "\n"


def contract_files(policy: Policy, full: GraphQLSchema) -> dict[str, str]:
    files = {FULL: render(full)}
    for client in policy.clients.values():
        files[f"{client.id}.graphql"] = render(build_view(full, client))
    return files


def breaking_changes(old_sdl: str, new_sdl: str) -> list[str]:
    old, new = build_schema(old_sdl), build_schema(new_sdl)
    return sorted(f"{c.type.name}: {c.description}" for c in find_breaking_changes(old, new))


def accepted_breaking_changes(folder: Path, views: set[str]) -> set[tuple[str, str]]:
    """The (file, change) pairs reviewed in `folder`'s acceptance file. `views` are the
    contract's file names; an entry naming any other view is refused."""
    path = folder / ACCEPTED
    if not path.exists():
        return set()
    entries = tomllib.loads(path.read_text()).get("accepted", [])
    accepted = set()
    for entry in entries:
        if not all(isinstance(entry.get(k), str) and entry[k] for k in _ACCEPTANCE):
            raise PolicyError(f"{path.name}: each [[accepted]] needs {', '.join(_ACCEPTANCE)}")
        file = entry["view"] + SUFFIX
        if file not in views:
            raise PolicyError(
                f"{path.name}: view {entry['view']!r} is neither a client nor 'schema'"
            )
        accepted.add((file, entry["change"]))
    return accepted


def unaccepted_breaking_changes(folder: Path, files: dict[str, str]) -> list[str]:
    accepted = accepted_breaking_changes(folder, set(files))
    found: list[str] = []
    for name, sdl in files.items():
        committed = folder / name
        if committed.exists():
            found.extend(
                f"{name}: {change}"
                for change in breaking_changes(committed.read_text(), sdl)
                if (name, change) not in accepted
            )
    return found
