"""Trusted documents: each client's manifest, parsed and validated against its own view once,
at start-up.

Invariants:
- a client can name only the documents of its own manifest; another client's document is, to
  it, exactly an unknown one;
- a trusted document meets the same rules and limits as ad-hoc text (its client's executor
  validates both). One that fails stays registered with its errors, so a request naming it is
  answered as if it had sent the text; start-up logs it and `lpa-gateway documents check` fails;
- ad-hoc documents are accepted from a client whose policy says `documents = "any"`, and in
  development from every client (start-up says so).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode

from app.authz.manifests import document_id, load_manifest, manifest_path
from app.settings import Settings

from .client_view import ClientView
from .executor import Prepared
from .plans.compiler import Plan

log = logging.getLogger("lpa_gateway.documents")


@dataclass(frozen=True, slots=True)
class TrustedDocument:
    """One document of one client's manifest, prepared once for that client's view. Whatever
    else is worked out once per (document, view), such as a compiled plan, belongs here."""

    id: str  # sha256:<hex>
    text: str
    prepared: Prepared  # the parsed, validated document, or why it fails
    # a compiled plan per operation name (None: the document's only operation); a name
    # missing here runs through graphql-core (app/graphql/plans/compiler.py says which)
    plans: Mapping[str | None, Plan] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.prepared.document is not None


@dataclass(frozen=True, slots=True)
class ClientDocuments:
    client: str
    trusted: Mapping[str, TrustedDocument]  # by hex SHA-256
    ad_hoc: bool  # whether documents outside the manifest are accepted

    def get(self, hex_hash: str) -> TrustedDocument | None:
        return self.trusted.get(hex_hash)

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(document.text for document in self.trusted.values())


def client_documents(view: ClientView, texts: Mapping[str, str], ad_hoc: bool) -> ClientDocuments:
    trusted = {key: _trusted(view, document_id(key), text) for key, text in texts.items()}
    return ClientDocuments(view.policy.id, trusted, ad_hoc)


def _trusted(view: ClientView, id_: str, text: str) -> TrustedDocument:
    prepared = view.executor.prepare(text)
    plans: dict[str | None, Plan] = {}
    if prepared.document is not None and view.plans is not None:
        for name in operation_names(prepared.document):
            plan = view.plans.build(prepared.document, name)
            if plan is not None:
                plans[name] = plan
    return TrustedDocument(id_, text, prepared, plans)


def operation_names(document: DocumentNode) -> list[str | None]:
    """The names a request may give to run an operation of a document."""
    names: list[str | None] = [
        d.name.value
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode) and d.name
    ]
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return [None, *names] if len(operations) == 1 else names


def trusted_documents(
    views: Mapping[str, ClientView], settings: Settings
) -> dict[str, ClientDocuments]:
    """The registry of the running clients, built at start-up."""
    registry = {
        client: client_documents(
            view,
            load_manifest(manifest_path(settings.documents_dir, client)),
            ad_hoc=view.policy.documents == "any" or not settings.is_production,
        )
        for client, view in views.items()
    }
    for documents in registry.values():
        for document in documents.trusted.values():
            if not document.valid:
                log.error(
                    "trusted document %s of %s fails its view: %s",
                    document.id,
                    documents.client,
                    describe(document.prepared.errors),
                )
    trusted_only = sorted(c for c, v in views.items() if v.policy.documents == "trusted")
    if not settings.is_production and trusted_only:
        log.warning(
            "development: every client may also send ad-hoc documents; in production %s "
            "may send only their trusted documents",
            ", ".join(trusted_only),
        )
    return registry


def describe(errors: tuple[GraphQLError, ...]) -> str:
    return "; ".join(error.message for error in errors)
