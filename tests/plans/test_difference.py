"""Proof by difference: every document a client may send, with valid, invalid and hostile
variables, answered by graphql-core and by its compiled plan, byte for byte, with the same
audit row. Sources: every trusted document (schema/documents/), every GraphiQL example, every
docs/clients example, and documents generated from each client's view (hypothesis-graphql).

Queries run on two gateways sharing one database. Mutations change it, so they run on two
gateways with a database each, seeded alike, in the same order: each mutation changes both the
same way (new UIDs come from a sequence), and the answers and audit rows must still match.
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
from hypothesis_graphql import mutations, queries

from app.authz.manifests import load_manifest, manifest_path
from app.http.graphiql_examples import examples_for
from app.settings import DEFAULT_DOCUMENTS_DIR
from tests.plan_twins import Twins
from tests.plan_variables import variable_sets
from tests.security.test_fuzz import SCALARS

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


async def every_operation(twins: Twins, client: str, kind: OperationType) -> int:
    pairs: list[Any] = []
    for text, given_variables in documents(client):
        for operation in operations(text):
            if operation.operation != kind:
                continue
            name = operation.name.value if operation.name else None
            sets = variable_sets(twins.planned.state.gateway.views[client].schema, operation)
            if given_variables is not None:
                sets.insert(0, given_variables)
            for variables in sets:
                body = {"query": text, "variables": variables, "operationName": name}
                await compare(twins, client, body, pairs)
    await same_audit_rows(twins, pairs)
    return len(pairs)


@pytest.mark.parametrize("client", CLIENTS)
async def test_every_query_document_and_example_answers_the_same(pair: Twins, client: str) -> None:
    assert await every_operation(pair, client, OperationType.QUERY) >= 20


@pytest.mark.parametrize("client", ["opg.poas.makeregister", "opg.poas.sirius"])
async def test_every_mutation_document_and_example_answers_the_same(
    apart: Twins, client: str
) -> None:
    assert await every_operation(apart, client, OperationType.MUTATION) >= 20


async def test_trusted_queries_have_their_plans_from_start_up(pair: Twins) -> None:
    """Without this the test above could compare graphql-core with itself."""
    planned = 0
    for client, registry in pair.planned.state.gateway.documents.items():
        for document in registry.trusted.values():
            for operation in operations(document.text):
                name = operation.name.value if operation.name else None
                plan = document.plans.get(name)
                introspects = re.search(r"\b__(schema|type)\b", document.text) is not None
                if introspects:
                    assert plan is None, (client, name)
                else:
                    assert plan is not None, (client, name)
                    planned += 1
    assert planned >= 10


def generated(client: str, kind: OperationType) -> list[str]:
    sdl = (SCHEMA_DIR / f"{client}.graphql").read_text()
    strategy = queries if kind == OperationType.QUERY else mutations
    found: list[str] = []

    @hypothesis_settings(
        max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(st.data())
    def collect(data: st.DataObject) -> None:
        found.append(str(data.draw(strategy(sdl, custom_scalars=SCALARS))))

    collect()
    return found


async def every_generated(twins: Twins, client: str, kind: OperationType) -> None:
    pairs: list[Any] = []
    for text in generated(client, kind):
        await compare(twins, client, {"query": text}, pairs)
    assert len(pairs) >= 20
    plans = twins.planned.state.gateway.views[client].plans
    assert plans is not None
    assert len(plans) > 0  # ad-hoc plans were built and used
    await same_audit_rows(twins, pairs)


GENERATED = ["opg.poas.use", "opg.poas.makeregister", "opg.poas.sirius"]


@pytest.mark.parametrize("client", GENERATED)
async def test_generated_queries_answer_the_same(pair: Twins, client: str, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("generated documents exercise the GraphQL layer; one database is enough")
    await every_generated(pair, client, OperationType.QUERY)


@pytest.mark.parametrize("client", ["opg.poas.makeregister", "opg.poas.sirius"])
async def test_generated_mutations_answer_the_same(apart: Twins, client: str, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("generated documents exercise the GraphQL layer; one database is enough")
    await every_generated(apart, client, OperationType.MUTATION)
