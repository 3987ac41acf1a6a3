"""Which document a request runs: one its client trusts, named by id, or ad-hoc text.

A request names a trusted document as `{"documentId": "sha256:<hex>"}` (GraphQL over HTTP) or
`{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}}` (Apollo), or
sends its text as `query`. Every refusal is HTTP 400 with a stable code:

    PERSISTED_QUERY_MALFORMED            an id that is not `sha256:` + 64 lowercase hex digits,
                                         or `extensions`/`persistedQuery` not an object
    PERSISTED_QUERY_VERSION_UNSUPPORTED  `persistedQuery.version` is not 1
    PERSISTED_QUERY_HASH_MISMATCH        the `query` sent, or the other id, is not the one named
    PERSISTED_QUERY_NOT_FOUND            the id is not in the client's own manifest
    PERSISTED_QUERY_REQUIRED             ad-hoc text from a client that may send trusted only

What a refusal depends on is the request and the client's own manifest, never another's, so a
client cannot learn which documents another client may send. Text whose hash is in the
manifest is the trusted document itself, sent in full, and runs as one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.authz.manifests import HEX, ID_PREFIX, document_hash
from app.graphql.trusted import ClientDocuments, TrustedDocument

APOLLO_VERSION = 1
_BAD_DOCUMENT_ID = "'documentId' must be 'sha256:' and 64 lowercase hex digits."
_BAD_SHA256_HASH = "'persistedQuery.sha256Hash' must be 64 lowercase hex digits."


@dataclass(frozen=True, slots=True)
class Chosen:
    text: str
    hash: str  # hex SHA-256 of the text
    trusted: TrustedDocument | None  # None: ad-hoc


@dataclass(frozen=True, slots=True)
class Refused:
    message: str
    code: str
    hash: str | None = None  # a well-formed id the request named, for the audit


class _Malformed(Exception):
    def __init__(self, message: str, code: str = "PERSISTED_QUERY_MALFORMED") -> None:
        self.refused = Refused(message, code)


def choose_document(payload: dict[str, Any], documents: ClientDocuments) -> Chosen | Refused:
    try:
        named = _named_hash(payload)
    except _Malformed as error:
        return error.refused
    query = payload.get("query")
    if query is not None and not isinstance(query, str):
        return Refused("'query' must be a string.", "BAD_USER_INPUT")
    if named is not None:
        if query is not None and document_hash(query) != named:
            return Refused(
                "The query is not the document the id names.", "PERSISTED_QUERY_HASH_MISMATCH"
            )
        trusted = documents.get(named)
        if trusted is not None:
            return Chosen(trusted.text, named, trusted)
        if query is None:
            return Refused("No trusted document has this id.", "PERSISTED_QUERY_NOT_FOUND", named)
    if query is None:
        return Refused("The body must have a 'query' string or a 'documentId'.", "BAD_USER_INPUT")
    sent = document_hash(query)
    trusted = documents.get(sent)
    if trusted is not None:
        return Chosen(trusted.text, sent, trusted)
    if not documents.ad_hoc:
        return Refused(
            "This client may send trusted documents only: name one by its id.",
            "PERSISTED_QUERY_REQUIRED",
            sent,
        )
    return Chosen(query, sent, None)


def _named_hash(payload: dict[str, Any]) -> str | None:
    """The hex hash the request names, if it names one; _Malformed if it names one badly."""
    named = []
    document_id = payload.get("documentId")
    if document_id is not None:
        if not (isinstance(document_id, str) and document_id.startswith(ID_PREFIX)):
            raise _Malformed(_BAD_DOCUMENT_ID)
        named.append(_hex(document_id.removeprefix(ID_PREFIX), _BAD_DOCUMENT_ID))
    extensions = payload.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise _Malformed("'extensions' must be an object.")
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is not None:
        if not isinstance(persisted, dict):
            raise _Malformed("'persistedQuery' must be an object.")
        version = persisted.get("version")
        if type(version) is not int or version != APOLLO_VERSION:
            raise _Malformed(
                "Only persistedQuery version 1 is supported.", "PERSISTED_QUERY_VERSION_UNSUPPORTED"
            )
        named.append(_hex(persisted.get("sha256Hash"), _BAD_SHA256_HASH))
    if len(set(named)) > 1:
        raise _Malformed(
            "'documentId' and 'sha256Hash' name different documents.",
            "PERSISTED_QUERY_HASH_MISMATCH",
        )
    return named[0] if named else None


def _hex(value: Any, message: str) -> str:
    if not (isinstance(value, str) and HEX.fullmatch(value)):
        raise _Malformed(message)
    return value
