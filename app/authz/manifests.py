"""Trusted-document manifests: `schema/documents/<client>.json`, one per client.

A manifest is a JSON object mapping the lowercase hex SHA-256 of each document's exact text
(UTF-8) to that text: the format GraphQL Code Generator's client preset and Relay emit. A
request names a document as `sha256:<hex>`. Files are written sorted by hash, two-space
indented, so adding a document is a one-entry diff.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Final

ID_PREFIX: Final = "sha256:"
HEX: Final = re.compile(r"[0-9a-f]{64}")


class ManifestError(ValueError):
    """A manifest is malformed, or a hash does not match its text; the message names the file."""


def document_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def document_id(hex_hash: str) -> str:
    return ID_PREFIX + hex_hash


def manifest_path(folder: Path, client: str) -> Path:
    return folder / f"{client}.json"


def manifest_text(documents: Mapping[str, str]) -> str:
    """The file's one canonical form."""
    ordered = dict(sorted(documents.items()))
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"


def load_manifest(path: Path) -> dict[str, str]:
    """The documents of one manifest, by hash; {} when the file does not exist."""
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ManifestError(f"{path.name}: not valid JSON ({error})") from None
    if not isinstance(raw, dict):
        raise ManifestError(f"{path.name}: expected an object of hash -> document text")
    for key, text in raw.items():
        if not HEX.fullmatch(key):
            raise ManifestError(f"{path.name}: {key[:80]!r} is not a lowercase hex SHA-256")
        if not isinstance(text, str):
            raise ManifestError(f"{path.name}: the document of {key} is not a string")
        if document_hash(text) != key:
            raise ManifestError(f"{path.name}: {key} is not the SHA-256 of its document")
    return raw


def manifest_clients(folder: Path) -> list[str]:
    return sorted(path.stem for path in folder.glob("*.json"))
