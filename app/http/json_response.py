"""JSON answers written by orjson: the bytes Starlette's JSONResponse writes, at a fraction of
the cost (its json.dumps builds a new encoder for every answer).

The same bytes for every value an answer of the gateway holds (strings, integers, booleans,
nulls, lists and objects): compact separators, UTF-8 rather than `\\u` escapes, keys in
insertion order. What orjson refuses (a lone surrogate, an integer past 64 bits, a key that is
not a string, and dates and dataclasses, which orjson would write its own way) goes to the
stdlib, which writes or refuses it as Starlette does. Floats differ, and no answer holds one
(the schema has no Float): orjson writes an exponent unpadded (`1e-7` for the stdlib's
`1e-07`, the same number), and NaN and the infinities as `null` where Starlette raises.
"""

from __future__ import annotations

import json
from typing import Any, Final

import orjson
from starlette import responses

_AS_THE_STDLIB: Final = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def dumps(content: Any) -> bytes:
    try:
        return orjson.dumps(content, option=_AS_THE_STDLIB)
    except TypeError:
        return json.dumps(
            content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
        ).encode("utf-8")


class JSONResponse(responses.JSONResponse):
    def render(self, content: Any) -> bytes:
        return dumps(content)
