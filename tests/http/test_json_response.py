"""JSON answers: orjson writes the bytes Starlette's JSONResponse writes, or the stdlib does."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette import responses

from app.http.json_response import JSONResponse

ROOT = Path(__file__).resolve().parents[2]

LEAVES = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.text()
FLOATS = st.floats(allow_nan=False, allow_infinity=False)


def values(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=20,
    )


def starlette_bytes(content: Any) -> bytes:
    return bytes(responses.JSONResponse(content).body)


@given(values(LEAVES))
def test_the_same_bytes_as_starlette(content: Any) -> None:
    assert bytes(JSONResponse(content).body) == starlette_bytes(content)


@given(values(LEAVES | FLOATS))
def test_the_same_values_as_starlette_floats_included(content: Any) -> None:
    assert json.loads(JSONResponse(content).body) == json.loads(starlette_bytes(content))


def test_a_float_exponent_is_written_unpadded() -> None:
    # 1e-07 in the stdlib: the same number. No answer has a float: the schema has no Float.
    assert bytes(JSONResponse([1e-7, 1e16, 0.1]).body) == b"[1e-7,1e+16,0.1]"
    assert "Float" not in (ROOT / "schema" / "schema.graphql").read_text()


@pytest.mark.parametrize(
    "content",
    [
        {"errors": [{"message": "Mañana, Cymraeg: ŵ ŷ, 名前", "extensions": {"code": "X"}}]},
        {"big": 2**64, "small": -(2**63) - 1},  # past 64 bits: the stdlib writes them
        {1: "a key that is not a string", None: "nor this"},
        [1e16, 0.1, -0.0, 123456789.123456789],
    ],
)
def test_what_orjson_refuses_or_writes_otherwise_is_written_as_starlette_does(
    content: Any,
) -> None:
    assert bytes(JSONResponse(content).body) == starlette_bytes(content)


@pytest.mark.parametrize(
    "content",
    [{"lone": "\ud800"}, {"moment": datetime(2026, 1, 5, tzinfo=UTC)}, {"set": {1}}],
)
def test_what_starlette_refuses_is_refused(content: Any) -> None:
    with pytest.raises((TypeError, ValueError)) as theirs:
        starlette_bytes(content)
    with pytest.raises(type(theirs.value)):
        JSONResponse(content)


def test_not_a_number_is_null_where_starlette_refuses_it() -> None:
    # The one difference, documented in app/http/json_response.py.
    assert bytes(JSONResponse({"x": math.nan}).body) == b'{"x":null}'
    with pytest.raises(ValueError, match="Out of range float values"):
        starlette_bytes({"x": math.nan})
    assert JSONResponse({}).headers["content-type"] == "application/json"
