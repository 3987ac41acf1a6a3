"""docs/operations.md names the tests that run its steps and the files an operator edits:
each must exist, so the page cannot point at something renamed or gone."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "operations.md"
PATH = re.compile(r"`((?:tests|app|schema|permissions|docs)/[\w./-]+\.(?:py|toml|md|graphql))`")


def test_every_file_the_page_names_exists() -> None:
    named = set(PATH.findall(DOC.read_text()))
    assert len(named) > 10
    assert sorted(p for p in named if not (ROOT / p).exists()) == []


def test_the_review_names_the_client_docs_and_examples_and_the_tests_that_check_them() -> None:
    review = DOC.read_text().split("## Changing the policy, through review", 1)[1]
    review = review.split("\n## ", 1)[0]
    for named in (
        "docs/clients/<client>.md",
        "app/http/examples/<client>.toml",
        "tests/test_client_docs.py",
        "tests/http/test_graphiql_examples.py",
        'view = "opg.poas.use"',
    ):
        assert named in review
