"""Bodies that are not JSON the gateway accepts answer 400 BAD_USER_INPUT, and like every
other request they leave an audit row, a log line and an `x-request-id`.

Each refusal has its twin just inside the rule. Below HTTP, `app.http.json_body.parse` is
tested on its own, the nesting limit at MAX_DEPTH and one past it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from app.http.json_body import (
    MAX_DEPTH,
    NotAcceptableJson,
    _check,
    _no_constant,
    _unique_members,
    parse,
)
from tests.http.test_audit import rows

pytestmark = pytest.mark.anyio

QUERY = "query Q($v: String) { __typename }"


def nested(depth: int) -> str:
    """A body `depth` levels deep: the body is level 1, `variables` 2, then arrays."""
    arrays = depth - 2
    return f'{{"query": "{{ __typename }}", "variables": {{"v": {"[" * arrays}{"]" * arrays}}}}}'


HOSTILE: dict[str, bytes] = {
    "3000-nested-arrays-in-variables": nested(3002).encode(),
    "one-level-past-the-limit": nested(MAX_DEPTH + 1).encode(),
    "invalid-utf-8": b'{"query": "{ __typename }", "operationName": "\xff"}',
    "utf-16": '{"query": "{ __typename }"}'.encode("utf-16"),
    "utf-8-byte-order-mark": b"\xef\xbb\xbf" + b'{"query": "{ __typename }"}',
    "nan": b'{"query": "{ __typename }", "variables": {"v": NaN}}',
    "infinity": b'{"query": "{ __typename }", "variables": {"v": Infinity}}',
    "minus-infinity": b'{"query": "{ __typename }", "variables": {"v": -Infinity}}',
    "number-too-large-for-a-double": b'{"query": "{ __typename }", "variables": {"v": 1e400}}',
    "integer-of-5000-digits": b'{"query": "{ __typename }", "variables": {"v": '
    + b"9" * 5000
    + b"}}",
    "lone-high-surrogate": b'{"query": "{ __typename }", "operationName": "\\ud800"}',
    "lone-low-surrogate-in-a-key": b'{"query": "{ __typename }", "variables": {"\\udc00": 1}}',
    "query-named-twice": b'{"query": "{ __typename }", "query": "{ lpa { uid } }"}',
    "duplicate-key-in-variables": b'{"query": "{ __typename }", "variables": {"v": 1, "v": 2}}',
    "truncated": b'{"query": "{ __typename }"',
}

ACCEPTABLE: dict[str, bytes] = {
    "nested-to-the-limit": nested(MAX_DEPTH).encode(),
    "largest-double": b'{"query": "{ __typename }", "variables": {"v": 1.7976931348623157e308}}',
    "surrogate-pair": b'{"query": "{ __typename }", "variables": {"v": "\\ud83d\\ude00"}}',
    "utf-8-text": '{"query": "{ __typename }", "variables": {"v": "Siân"}}'.encode(),
    "same-key-in-two-objects": b'{"query": "{ __typename }", "variables": {"query": "x"}}',
}


@pytest.fixture
def send(http: httpx.AsyncClient, token: Callable[[str], str]) -> Callable[[bytes], Any]:
    async def post(body: bytes) -> httpx.Response:
        return await http.post(
            "/graphql",
            content=body,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {token('opg.poas.sirius')}",
            },
        )

    return post


def test_the_deep_body_fits_in_the_body_limit() -> None:
    assert len(HOSTILE["3000-nested-arrays-in-variables"]) < 7 * 1024


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
async def test_unacceptable_json_is_400_with_audit_row_log_line_and_request_id(
    app: Starlette,
    send: Callable[[bytes], Any],
    caplog: pytest.LogCaptureFixture,
    body: bytes,
) -> None:
    with caplog.at_level(logging.INFO, logger="lpa_gateway.request"):
        response = await send(body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    request_id = response.headers["x-request-id"]
    [row] = await rows(app)
    assert (row["request_id"], row["client"], row["decision"], row["reason"]) == (
        request_id,
        "opg.poas.sirius",
        "denied",
        "bad_user_input",
    )
    lines = [r for r in caplog.records if getattr(r, "request_id", None) == request_id]
    assert [(r.getMessage(), r.status) for r in lines] == [("request", 400)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("body", ACCEPTABLE.values(), ids=ACCEPTABLE.keys())
async def test_the_twins_just_inside_the_rules_are_answered(
    send: Callable[[bytes], Any], body: bytes
) -> None:
    response = await send(body)
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"__typename": "Query"}}


# --- the parser on its own ----------------------------------------------------------------


def test_nesting_at_the_limit_parses_and_one_past_it_is_refused() -> None:
    at_limit = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse(at_limit.encode()) is not None
    with pytest.raises(NotAcceptableJson, match="deeper"):
        parse(f"[{at_limit}]".encode())
    objects = '{"a": ' * MAX_DEPTH + "1" + "}" * MAX_DEPTH
    assert parse(objects.encode()) is not None
    with pytest.raises(NotAcceptableJson, match="deeper"):
        parse(f'{{"b": {objects}}}'.encode())


@pytest.mark.parametrize("depth", [100, 3000, 30_000])
def test_any_depth_is_refused_without_a_recursion_error(depth: int) -> None:
    with pytest.raises(NotAcceptableJson, match="deeper"):
        parse(("[" * depth + "]" * depth).encode())


def test_a_refusal_never_quotes_the_body() -> None:
    for body in HOSTILE.values():
        with pytest.raises(NotAcceptableJson) as refused:
            parse(body)
        assert "__typename" not in str(refused.value)


def test_parse_gives_what_json_gives_for_acceptable_bodies() -> None:
    for body in ACCEPTABLE.values():
        assert parse(body) == json.loads(body)


def test_a_float_too_large_for_a_double_is_refused_with_or_without_an_exponent() -> None:
    for number in (b"1e400", b"-1e400", b"1" * 400 + b".5", b"-" + b"9" * 400 + b".0"):
        with pytest.raises(NotAcceptableJson, match="too large for a double"):
            parse(b'{"v": ' + number + b"}")


def test_brackets_inside_strings_are_not_nesting() -> None:
    body = json.dumps({"query": "[" * (2 * MAX_DEPTH), "v": ["{" * MAX_DEPTH]}).encode()
    assert parse(body) == json.loads(body)


# --- the parser against the one before it, which walked every value ----------------------


def walked(body: bytes) -> Any:
    """What `parse` answered when it walked every value it had parsed."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise NotAcceptableJson("The body is not UTF-8.") from None
    try:
        value = json.loads(text, object_pairs_hook=_unique_members, parse_constant=_no_constant)
    except NotAcceptableJson:
        raise
    except RecursionError:
        raise NotAcceptableJson(f"The body nests deeper than {MAX_DEPTH} levels.") from None
    except ValueError:
        raise NotAcceptableJson("The body is not valid JSON.") from None
    _check(value)
    return value


def outcome(read: Callable[[bytes], Any], body: bytes) -> tuple[str, Any]:
    try:
        return ("value", read(body))
    except NotAcceptableJson as refused:
        return ("refused", str(refused))


# Lone surrogates included: st.text leaves them out, whatever its alphabet.
CHARACTERS = st.characters(codec="utf-8") | st.characters(categories=["Cs"])
TEXT = st.lists(CHARACTERS, max_size=8).map("".join)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(JSON_VALUES, st.integers(0, MAX_DEPTH + 2), st.booleans())
def test_parse_answers_as_the_walk_over_every_value_did(
    value: Any, depth: int, ascii_only: bool
) -> None:
    text = "[" * depth + json.dumps(value, ensure_ascii=ascii_only) + "]" * depth
    body = text.encode("utf-8", "surrogatepass")  # a raw surrogate: bytes that are not UTF-8
    assert outcome(parse, body) == outcome(walked, body)
