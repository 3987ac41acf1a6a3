"""A client's trusted documents, shown as GraphiQL tabs after its saved examples.

Each client's trusted documents are committed as `schema/documents/<client>.json`: an object
mapping the hex SHA-256 of each document's exact text to that text. A client without a
manifest has none to show. The file is read on every page load (development only), so a
document added while the server runs shows up on the next visit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from graphql import GraphQLError, parse, print_ast

DOCUMENTS_DIR: Final[Path] = Path(__file__).resolve().parents[2] / "schema" / "documents"


class DocumentsError(ValueError):
    """A manifest is malformed; the message names the file."""


def trusted_documents(client: str, directory: Path | None = None) -> tuple[str, ...]:
    """The client's trusted documents in manifest order, or nothing without a manifest."""
    path = (directory or DOCUMENTS_DIR) / f"{client}.json"
    if not path.is_file():
        return ()
    try:
        raw: object = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DocumentsError(f"{path.name}: {error}") from None
    if not isinstance(raw, dict) or not all(isinstance(text, str) for text in raw.values()):
        raise DocumentsError(f"{path.name}: expected an object of document texts by hash")
    return tuple(raw.values())


def same_operations(left: str, right: str) -> bool:
    """Whether two documents differ at most in comments and layout."""
    try:
        return print_ast(parse(left)) == print_ast(parse(right))
    except GraphQLError:
        return left.strip() == right.strip()
