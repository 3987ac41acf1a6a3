"""However a request ends, it leaves an audit row, a log line and an `x-request-id`, and a
failure answers the masked INTERNAL JSON body, never a bare text page.

Each stage of the endpoint is made to raise in turn (its function replaced by one that raises
an exception carrying a canary), and the same request is checked for all of it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from app.http import graphql_endpoint
from app.http.trail import Trail
from tests.http.test_audit import rows, written

pytestmark = pytest.mark.anyio

CLIENT = "opg.poas.sirius"
CANARY = "canary-3f1c-do-not-leak"
MASKED = {"errors": [{"message": "Internal server error.", "extensions": {"code": "INTERNAL"}}]}


def boom(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError(CANARY)


async def async_boom(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError(CANARY)


def _view(app: Starlette) -> Any:
    return app.state.gateway.views[CLIENT]


# stage -> (the object, the attribute replaced, the replacement)
STAGES: dict[str, Callable[[Starlette], tuple[Any, str, Any]]] = {
    "host-check": lambda app: (app.state.hosts, "allows", boom),
    "authentication": lambda app: (app.state.gateway.tokens, "identity", boom),
    "rate-limit": lambda app: (app.state.gateway.rates, "admit", async_boom),
    "body-read": lambda app: (graphql_endpoint, "_read_limited", async_boom),
    "json-parse": lambda app: (graphql_endpoint, "parse_json", boom),
    "validation": lambda app: (_view(app).executor, "prepare", boom),
    "operation-outline": lambda app: (Trail, "saw_valid_document", boom),
    # the probe has a compiled plan: graphql-core's executor.run is the same stage for a
    # document without one (tests/graphql/test_plan_fallback.py)
    "execution": lambda app: (graphql_endpoint, "execute_plan", async_boom),
    "answer": lambda app: (Trail, "allow", boom),
}


async def post(http: httpx.AsyncClient, token: Callable[[str], str]) -> httpx.Response:
    return await http.post(
        "/graphql",
        json={"query": "query Probe { __typename }"},
        headers={"Authorization": f"Bearer {token(CLIENT)}"},
    )


def lines_of(caplog: pytest.LogCaptureFixture, request_id: str) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if request_id in r.getMessage() or (getattr(r, "request_id", None) == request_id)
    ]


Probe = Callable[[Any, str, Any], Awaitable[tuple[httpx.Response, list[logging.LogRecord]]]]


@pytest.fixture
def probe(
    http: httpx.AsyncClient,
    token: Callable[[str], str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> Probe:
    """Replace `target.name`, send the probe, and give its answer and its log records."""

    async def send(
        target: Any, name: str, replacement: Any
    ) -> tuple[httpx.Response, list[logging.LogRecord]]:
        monkeypatch.setattr(target, name, replacement)
        with caplog.at_level(logging.INFO, logger="lpa_gateway"):
            response = await post(http, token)
        return response, lines_of(caplog, response.headers["x-request-id"])

    return send


@pytest.mark.parametrize("stage", STAGES.values(), ids=STAGES.keys())
async def test_a_failure_at_any_stage_is_masked_audited_logged_and_numbered(
    app: Starlette, probe: Probe, stage: Callable[[Starlette], tuple[Any, str, Any]]
) -> None:
    response, lines = await probe(*stage(app))

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.json() == MASKED
    assert CANARY not in response.text
    request_id = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)

    [row] = await rows(app)
    assert (row["request_id"], row["reason"]) == (request_id, "internal-error")

    failure = [r for r in lines if r.levelno == logging.ERROR]
    assert len(failure) == 1
    assert failure[0].exc_info is not None
    assert CANARY in str(failure[0].exc_info[1])
    [line] = [r for r in lines if r.getMessage() == "request"]
    assert (line.status, line.outcome) == (500, "error")  # type: ignore[attr-defined]


async def test_the_same_request_without_a_failure_is_answered(
    app: Starlette, http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    """The control: nothing but the replaced function makes the requests above fail."""
    response = await post(http, token)
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}
    [row] = await rows(app)
    assert (row["request_id"], row["decision"]) == (response.headers["x-request-id"], "allowed")


async def test_a_failed_audit_write_withholds_the_answer_masked_logged_and_numbered(
    app: Starlette, probe: Probe
) -> None:
    """The audit stage itself: its row is what failed, so none is written; the answer is
    withheld, and the log line and request id remain."""
    response, lines = await probe(app.state.gateway.audit, "add", boom)
    assert (response.status_code, response.json()) == (500, MASKED)
    assert await written(app) == []
    assert any(r.levelno == logging.ERROR and r.exc_info for r in lines)
    [line] = [r for r in lines if r.getMessage() == "request"]
    assert line.status == 500  # type: ignore[attr-defined]


async def test_failing_metrics_never_change_the_answer(app: Starlette, probe: Probe) -> None:
    """Reporting comes last: the log line is written before metrics, and a metrics failure
    is logged, the answer and its audit row untouched."""
    response, lines = await probe(app.state.metrics, "request", boom)
    assert response.status_code == 200
    [row] = await rows(app)
    assert row["request_id"] == response.headers["x-request-id"]
    assert [r.getMessage() for r in lines if r.levelno == logging.INFO] == ["request"]
    assert any(r.levelno == logging.ERROR and r.exc_info for r in lines)


async def test_a_client_gone_mid_body_is_audited_as_such_and_is_no_error(
    app: Starlette, token: Callable[[str], str], caplog: pytest.LogCaptureFixture
) -> None:
    """A client that disconnects before its body is complete (wrk stopping with requests in
    flight) asked nothing: its row says so, and nothing is logged as an error."""
    messages = [
        {"type": "http.request", "body": b'{"query": "query Probe {', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {token(CLIENT)}".encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    with caplog.at_level(logging.INFO, logger="lpa_gateway"):
        await app(scope, receive, send)

    [start] = [m for m in sent if m["type"] == "http.response.start"]
    assert start["status"] == 400
    [row] = await rows(app)
    assert (row["client"], row["decision"], row["reason"]) == (
        CLIENT,
        "denied",
        "client-disconnected",
    )
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
