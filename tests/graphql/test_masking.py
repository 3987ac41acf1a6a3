"""Unexpected errors are masked: the client sees INTERNAL and nothing of the exception."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.factories import LPA_STATUS

pytestmark = pytest.mark.anyio

CANARY = "canary-7f3a SELECT * FROM lpas WHERE donor = 'Jane'"


async def test_an_exception_inside_a_resolver_never_reaches_the_client(
    gql: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def explode(*_: Any, **__: Any) -> None:
        raise RuntimeError(CANARY)

    monkeypatch.setattr("app.db.repository.caller.status_row", explode)
    with caplog.at_level(logging.ERROR, logger="lpa_gateway.request"):
        response = await gql("opg.poas.use", LPA_STATUS, {"uid": "M-1234-5678-9018"})

    assert response.status_code == 200
    assert response.json() == {
        "data": {"lpaStatus": None},
        "errors": [
            {
                "message": "Internal server error.",
                "extensions": {"code": "INTERNAL"},
                "path": ["lpaStatus"],
            }
        ],
    }
    assert "canary" not in response.text
    request_id = response.headers["x-request-id"]
    assert any(request_id in r.getMessage() for r in caplog.records)  # operators can find it
