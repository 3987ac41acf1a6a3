"""The consumer contract: every trusted document still passes its client's view and limits.

`lpa-gateway documents check` runs `document_problems` over every client of the policy (in
every environment), so a policy or schema change that would break a client's registered
operation fails CI. `add_document` is `lpa-gateway documents add`: it refuses a document that
would fail the check, and keeps the manifest in its canonical form.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graphql import GraphQLSchema

from app.authz.manifests import (
    ManifestError,
    document_hash,
    document_id,
    load_manifest,
    manifest_clients,
    manifest_path,
    manifest_text,
)
from app.authz.policy import Policy

from .client_view import ClientView, client_view
from .trusted import describe


class DocumentRefused(ValueError):
    """`documents add` will not add this document; the message says why."""


@dataclass(frozen=True, slots=True)
class Checked:
    documents: int  # trusted documents checked
    problems: list[str]


def document_errors(view: ClientView, text: str) -> str | None:
    """Why `text` would be refused to this view (the executor's own rules), or None."""
    prepared = view.executor.prepare(text)
    return None if prepared.document is not None else describe(prepared.errors)


def document_problems(policy: Policy, full: GraphQLSchema, folder: Path) -> Checked:
    problems = [
        f"{client}.json: no client of that name in the policy"
        for client in manifest_clients(folder)
        if client not in policy.clients
    ]
    count = 0
    for client in policy.clients.values():
        path = manifest_path(folder, client.id)
        try:
            texts = load_manifest(path)
        except ManifestError as error:
            problems.append(str(error))
            continue
        if texts and path.read_text(encoding="utf-8") != manifest_text(texts):
            problems.append(f"{path.name}: not in canonical form (sorted by hash, indent 2)")
        view = client_view(full, client)
        for key, text in sorted(texts.items()):
            count += 1
            errors = document_errors(view, text)
            if errors is not None:
                problems.append(f"{path.name}: {document_id(key)} fails its view: {errors}")
    return Checked(count, problems)


def add_document(policy: Policy, full: GraphQLSchema, folder: Path, client: str, text: str) -> str:
    """Add `text` to `client`'s manifest; answer its id (adding a document twice is a no-op)."""
    if client not in policy.clients:
        raise DocumentRefused(f"unknown client {client!r}")
    errors = document_errors(client_view(full, policy.clients[client]), text)
    if errors is not None:
        raise DocumentRefused(f"the document fails {client}'s view: {errors}")
    path = manifest_path(folder, client)
    texts = load_manifest(path)
    key = document_hash(text)
    texts[key] = text
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(manifest_text(texts), encoding="utf-8")
    return document_id(key)
