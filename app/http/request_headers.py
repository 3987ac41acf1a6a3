"""The headers POST /graphql reads, found in one pass over the request's raw headers.

Starlette's `Headers` walks the whole list again for each name asked for; the endpoint asks
for five. ASGI servers hand header names lower-cased, as `Headers` also assumes. For a name
given more than once, the first value counts, as `Headers.get` answers; the credential
headers keep every value, `Authorization` ones first, as `Headers.getlist` gave them, so that
`bearer_token` can refuse a request that carries more than one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

CREDENTIALS = (b"authorization", b"x-jwt-authorization")


@dataclass(slots=True)
class RequestHeaders:
    host: str | None = None
    content_type: str | None = None
    content_length: str | None = None
    credentials: list[str] = field(default_factory=list)


def request_headers(raw: Iterable[tuple[bytes, bytes]]) -> RequestHeaders:
    found = RequestHeaders()
    jwt: list[str] = []
    for name, value in raw:
        if name == b"host":
            if found.host is None:
                found.host = value.decode("latin-1")
        elif name == b"content-type":
            if found.content_type is None:
                found.content_type = value.decode("latin-1")
        elif name == b"content-length":
            if found.content_length is None:
                found.content_length = value.decode("latin-1")
        elif name == b"authorization":
            found.credentials.append(value.decode("latin-1"))
        elif name == b"x-jwt-authorization":
            jwt.append(value.decode("latin-1"))
    found.credentials += jwt
    return found
