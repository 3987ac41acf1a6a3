"""Every example in docs/clients/<client>.md runs, as that client, against the demo data."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs" / "clients"
EXAMPLE = re.compile(r"```graphql\n(.*?)```\s*```json\n(.*?)```", re.DOTALL)

pytestmark = pytest.mark.anyio


def examples(client: str) -> list[tuple[str, dict[str, Any]]]:
    text = (DOCS / f"{client}.md").read_text()
    return [(query, json.loads(variables)) for query, variables in EXAMPLE.findall(text)]


def test_there_is_a_page_per_client() -> None:
    from app.authz.policy import load_policy

    assert {p.stem for p in DOCS.glob("*.md")} == set(load_policy().clients)


@pytest.mark.parametrize("client", sorted(p.stem for p in DOCS.glob("*.md")))
async def test_examples_run_against_the_demo_data(
    gql: Any, demo: list[dict[str, Any]], client: str
) -> None:
    found = examples(client)
    assert found, f"docs/clients/{client}.md has no example"
    for query, variables in found:
        response = await gql(client, query, variables)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body
        assert all(value is not None for value in body["data"].values()), body
        for value in body["data"].values():
            if isinstance(value, dict) and "accepted" in value:
                assert value["accepted"] is True, value
