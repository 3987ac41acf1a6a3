"""Proof by difference: every document a client may send, with valid, invalid and hostile
variables, answered by graphql-core and by its compiled plan, byte for byte, with the same
audit row. Sources: every trusted document (schema/documents/), every GraphiQL example, every
docs/clients example, and documents generated from each client's view (hypothesis-graphql).

Mutations: the two gateways share one database, so a mutation accepted by the first would
change what the second sees; mutation documents are compared with invalid and hostile
variables only (refused before or by their resolvers, changing nothing), and accepted
mutations are left to graphql-core (the compiler builds no plan for them; see compiler.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from graphql import OperationDefinitionNode, OperationType, parse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema

from app.authz.manifests import load_manifest, manifest_path
from app.http.graphiql_examples import examples_for
from app.settings import DEFAULT_DOCUMENTS_DIR
from tests.plan_twins import Twins
from tests.plan_variables import variable_sets

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "clients"
SCHEMA_DIR = ROOT / "schema"
DOC_EXAMPLE = re.compile(r"```graphql\n(.*?)```\s*```json\n(.*?)```", re.DOTALL)
CLIENTS = ("opg.poas.use", "opg.poas.makeregister", "opg.poas.sirius", "developer")


def documents(client: str) -> list[tuple[str, dict[str, Any] | None]]:
    """Each document text of a client with the variables its source gives, if any."""
    found: list[tuple[str, dict[str, Any] | None]] = [
        (text, None)
        for text in load_manifest(manifest_path(DEFAULT_DOCUMENTS_DIR, client)).values()
    ]
    found += [(e.query, e.variables) for e in examples_for(client)]
    page = DOCS / f"{client}.md"
    if page.exists():
        found += [(q, json.loads(v)) for q, v in DOC_EXAMPLE.findall(page.read_text())]
    return found


def operations(text: str) -> list[OperationDefinitionNode]:
    return [d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode)]


async def compare(twins: Twins, client: str, body: dict[str, Any], pairs: list[Any]) -> None:
    core, planned = await twins.both(client, body)
    assert (planned.status, planned.content_type, planned.content) == (
        core.status,
        core.content_type,
        core.content,
    ), (client, body)
    pairs.append((core.request_id, planned.request_id, body))


async def same_audit_rows(twins: Twins, pairs: list[Any]) -> None:
    rows = await twins.audit_rows()
    for core_id, planned_id, body in pairs:
        assert rows[planned_id] == rows[core_id], body


@pytest.mark.parametrize("client", CLIENTS)
async def test_every_document_and_example_answers_the_same(pair: Twins, client: str) -> None:
    pairs: list[Any] = []
    for text, given_variables in documents(client):
        for operation in operations(text):
            name = operation.name.value if operation.name else None
            sets = variable_sets(pair.planned.state.gateway.views[client].schema, operation)
            if operation.operation == OperationType.MUTATION:
                sets = sets[1:]  # not the valid set: see the module's docstring
            elif given_variables is not None:
                sets.insert(0, given_variables)
            for variables in sets:
                body = {"query": text, "variables": variables, "operationName": name}
                await compare(pair, client, body, pairs)
    assert len(pairs) >= 20
    await same_audit_rows(pair, pairs)


async def test_trusted_queries_have_their_plans_from_start_up(pair: Twins) -> None:
    """Without this the test above could compare graphql-core with itself."""
    planned = 0
    for client, registry in pair.planned.state.gateway.documents.items():
        for document in registry.trusted.values():
            for operation in operations(document.text):
                name = operation.name.value if operation.name else None
                plan = document.plans.get(name)
                introspects = re.search(r"\b__(schema|type)\b", document.text) is not None
                if operation.operation == OperationType.QUERY and not introspects:
                    assert plan is not None, (client, name)
                    planned += 1
                else:
                    assert plan is None, (client, name)
    assert planned >= 10


@pytest.mark.parametrize("client", ["opg.poas.use", "opg.poas.makeregister", "opg.poas.sirius"])
async def test_generated_documents_answer_the_same(pair: Twins, client: str, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("generated documents exercise the GraphQL layer; one database is enough")
    from tests.security.test_fuzz import SCALARS

    sdl = (SCHEMA_DIR / f"{client}.graphql").read_text()
    generated: list[str] = []

    @hypothesis_settings(
        max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(st.data())
    def collect(data: st.DataObject) -> None:
        generated.append(str(data.draw(from_schema(sdl, custom_scalars=SCALARS))))

    collect()
    pairs: list[Any] = []
    for text in generated:
        await compare(pair, client, {"query": text}, pairs)
    assert len(pairs) >= 20
    views = pair.planned.state.gateway.views[client]
    assert views.plans is not None
    assert len(views.plans) > 0  # ad-hoc plans were built and used
    await same_audit_rows(pair, pairs)
