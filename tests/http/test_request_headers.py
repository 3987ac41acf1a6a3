"""The headers POST /graphql reads, in one pass: what Starlette's `Headers` answered."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import Headers

from app.http.request_headers import request_headers

NAMES = st.sampled_from(
    [b"host", b"content-type", b"content-length", b"authorization", b"x-jwt-authorization",
     b"accept", b"x-request-id", b"authorization-x", b"hostx"]
)  # fmt: skip
VALUES = st.binary(max_size=12)


@given(st.lists(st.tuples(NAMES, VALUES), max_size=10))
def test_one_pass_answers_what_starlette_headers_answer(raw: list[tuple[bytes, bytes]]) -> None:
    theirs = Headers(raw=raw)
    ours = request_headers(raw)
    assert ours.host == theirs.get("host")
    assert ours.content_type == theirs.get("content-type")
    assert ours.content_length == theirs.get("content-length")
    assert ours.credentials == theirs.getlist("authorization") + theirs.getlist(
        "x-jwt-authorization"
    )


def test_two_credentials_are_both_kept_for_the_refusal() -> None:
    raw = [(b"x-jwt-authorization", b"Bearer b"), (b"authorization", b"Bearer a")]
    assert request_headers(raw).credentials == ["Bearer a", "Bearer b"]
