"""OpenTelemetry tracing (LPA_GATEWAY_OTEL=true): a span per request with the client and the
operation, database spans beneath it, and no personal value anywhere in any span."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from app.cli import main
from app.http.app import create_app
from app.http.tracing import TracingUnavailable, require_tracing
from app.settings import Settings
from tests.factories import CREATE_LPA, LPA_STATUS
from tests.http.test_audit import PERSONAL, distinctive_lpa

pytestmark = pytest.mark.anyio

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
TRACEPARENT = f"00-{TRACE_ID}-b7ad6b7169203331-01"
DONOR_CHECK = """
query DonorCheck($uid: LpaUid!, $dob: Date!, $postcode: String!) {
  donorIdentityMatches(uid: $uid, dateOfBirth: $dob, postcode: $postcode)
}
"""


@asynccontextmanager
async def traced(
    settings: Settings, exporter: InMemorySpanExporter
) -> AsyncIterator[httpx.AsyncClient]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(settings, tracer_provider=provider)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://localhost"
        ) as http,
    ):
        yield http


def everything_in(spans: tuple[ReadableSpan, ...]) -> str:
    return "\n".join(span.to_json() for span in spans)


def request_spans(spans: tuple[ReadableSpan, ...]) -> list[ReadableSpan]:
    return [s for s in spans if s.name.startswith("graphql ")]


async def test_a_request_makes_a_span_with_client_and_operation_and_no_personal_data(
    settings: Settings, token: Callable[[str], str]
) -> None:
    exporter = InMemorySpanExporter()
    async with traced(replace(settings, otel=True), exporter) as http:
        make = {"Authorization": f"Bearer {token('opg.poas.makeregister')}"}
        use = {"Authorization": f"Bearer {token('opg.poas.use')}"}
        variables = {"input": distinctive_lpa(), "key": "k1"}
        created = await http.post(
            "/graphql",
            json={"query": CREATE_LPA, "variables": variables},
            headers={**make, "traceparent": TRACEPARENT},
        )
        uid = created.json()["data"]["createLpa"]["uid"]
        check = {"uid": uid, "dob": "1951-07-19", "postcode": "QX9 9ZZ"}
        await http.post("/graphql", json={"query": DONOR_CHECK, "variables": check}, headers=use)
        inline = '{ lpaStatus(uid: "Zebedee Quintavalle 1951-07-19 QX9 9ZZ") { isRegistered } }'
        await http.post("/graphql", json={"query": inline}, headers=use)

    spans = exporter.get_finished_spans()
    create, donor_check, inlined = request_spans(spans)
    assert create.name == "graphql createLpa"
    assert create.attributes is not None
    assert create.attributes["lpa_gateway.client"] == "opg.poas.makeregister"
    assert create.attributes["lpa_gateway.operation"] == "Create"
    assert create.attributes["lpa_gateway.outcome"] == "allowed"
    assert create.attributes["lpa_gateway.request_id"] == created.headers["x-request-id"]
    assert create.attributes["http.response.status_code"] == 200
    assert format(create.context.trace_id, "032x") == TRACE_ID  # continues the caller's trace
    assert donor_check.attributes is not None
    assert donor_check.attributes["lpa_gateway.root_field"] == "donorIdentityMatches"
    assert inlined.attributes is not None
    assert inlined.attributes["lpa_gateway.reason"] == "invalid-document"

    database = [s for s in spans if s.parent is not None and s not in (create, donor_check)]
    assert any(s.parent and s.parent.span_id == create.context.span_id for s in database)
    assert any(
        "INSERT" in s.name or "INSERT" in json.dumps(dict(s.attributes or {})) for s in database
    )
    text = everything_in(spans)
    for value in PERSONAL:
        assert value not in text, value


async def test_an_internal_error_marks_the_span_without_its_message(
    settings: Settings, token: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def explode(*_: Any, **__: Any) -> None:
        raise RuntimeError("Zebedee Quintavalle 1951-07-19")

    monkeypatch.setattr("app.db.repository.caller.status_row", explode)
    exporter = InMemorySpanExporter()
    async with traced(replace(settings, otel=True), exporter) as http:
        await http.post(
            "/graphql",
            json={"query": LPA_STATUS, "variables": {"uid": "M-1234-5678-9018"}},
            headers={"Authorization": f"Bearer {token('opg.poas.use')}"},
        )
    [span] = request_spans(exporter.get_finished_spans())
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description is None
    assert span.attributes is not None
    assert span.attributes["lpa_gateway.outcome"] == "error"
    assert "Zebedee" not in everything_in(exporter.get_finished_spans())


async def test_tracing_off_makes_no_span(settings: Settings, token: Callable[[str], str]) -> None:
    exporter = InMemorySpanExporter()
    async with traced(settings, exporter) as http:
        await http.post(
            "/graphql",
            json={"query": LPA_STATUS, "variables": {"uid": "M-1234-5678-9018"}},
            headers={"Authorization": f"Bearer {token('opg.poas.use')}"},
        )
    assert exporter.get_finished_spans() == ()


def test_tracing_without_opentelemetry_installed_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def must_not_serve(*_: Any, **__: Any) -> None:
        raise AssertionError("serve started without OpenTelemetry")

    monkeypatch.setattr("uvicorn.run", must_not_serve)
    monkeypatch.setenv("LPA_GATEWAY_DEV_KEYS_DIR", str(tmp_path / "dev-keys"))
    monkeypatch.setitem(sys.modules, "app.http.otel", None)
    with pytest.raises(TracingUnavailable, match=r"lpa-gateway\[otel\]"):
        require_tracing(Settings(otel=True))
    require_tracing(Settings(otel=False))

    monkeypatch.setenv("LPA_GATEWAY_OTEL", "true")
    assert main(["serve", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "lpa-gateway[otel]" in err
