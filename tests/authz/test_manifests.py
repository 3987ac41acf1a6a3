"""Manifests: hash -> exact text, checked on load, written in one canonical form. No database."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from app.authz.manifests import (
    ManifestError,
    document_hash,
    load_manifest,
    manifest_text,
)

TEXT = "query Flags($uid: LpaUid!) { lpaStatus(uid: $uid) { isRegistered } }\n"
KEY = hashlib.sha256(TEXT.encode()).hexdigest()


def test_the_hash_is_the_sha256_of_the_exact_utf8_text() -> None:
    assert document_hash(TEXT) == KEY
    assert document_hash(TEXT.rstrip("\n")) != KEY  # one byte less is another document
    assert (
        document_hash("# café\n{ __typename }")
        == hashlib.sha256("# café\n{ __typename }".encode()).hexdigest()
    )


def test_a_manifest_loads_as_hash_to_text(tmp_path: Path) -> None:
    path = tmp_path / "opg.poas.use.json"
    path.write_text(manifest_text({KEY: TEXT}))
    assert load_manifest(path) == {KEY: TEXT}
    assert load_manifest(tmp_path / "absent.json") == {}


def test_the_canonical_form_is_sorted_by_hash_and_stable() -> None:
    other = "{ __typename }"
    written = manifest_text({KEY: TEXT, document_hash(other): other})
    assert list(json.loads(written)) == sorted([KEY, document_hash(other)])
    assert written == manifest_text(dict(reversed(list(json.loads(written).items()))))
    assert written.endswith("}\n")
    assert '\n  "' in written  # two-space indent: one line per document


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        ("[]", "expected an object"),
        (json.dumps({KEY.upper(): TEXT}), "not a lowercase hex SHA-256"),
        (json.dumps({KEY[:63]: TEXT}), "not a lowercase hex SHA-256"),
        (json.dumps({KEY + "0": TEXT}), "not a lowercase hex SHA-256"),
        (json.dumps({"sha256:" + KEY: TEXT}), "not a lowercase hex SHA-256"),
        (json.dumps({KEY: 1}), "is not a string"),
        (json.dumps({KEY: TEXT + " "}), "is not the SHA-256 of its document"),
    ],
)
def test_a_malformed_manifest_is_refused_naming_the_file(
    tmp_path: Path, content: str | bytes, message: str
) -> None:
    path = tmp_path / "opg.poas.use.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(ManifestError, match=re.escape(message)) as raised:
        load_manifest(path)
    assert str(raised.value).startswith("opg.poas.use.json: ")
