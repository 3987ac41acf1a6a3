"""The request body as JSON the gateway accepts: I-JSON (RFC 7493), and shallow.

Invariant: whatever the bytes, `parse` returns a value or raises `NotAcceptableJson`, never
anything else (no `RecursionError`, no `UnicodeEncodeError` later on). Refused:

- bytes that are not UTF-8 (no UTF-16 or UTF-32 guessing, no byte order mark);
- `NaN`, `Infinity`, `-Infinity`, and numbers too large for a double (`1e400`);
- a string holding a lone surrogate (`"\\ud800"`): it cannot be encoded again;
- an object naming a member twice (parsers disagree on which one wins);
- nesting deeper than `MAX_DEPTH` arrays and objects (the body itself is level 1).

The parser is the stdlib's, built once. It refuses duplicate members, NaN and the infinities,
and floats too large for a double as it meets them; the rest needs a walk over the value,
done only when the bytes allow a breach: a lone surrogate can only come from a `\\u` escape
(the bytes were strict UTF-8), and nesting deeper than `MAX_DEPTH` needs more than
`MAX_DEPTH` opening brackets. orjson is not used here: it keeps the last of two members of
the same name without a word, and reads an integer past 64 bits as a float.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 32  # CreateLpaInput, the deepest input, needs 6


class NotAcceptableJson(ValueError):
    """The body is not JSON the gateway accepts; the message says which rule, never a value."""


def parse(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise NotAcceptableJson("The body is not UTF-8.") from None
    try:
        value = _DECODER.decode(text)
    except NotAcceptableJson:
        raise
    except RecursionError:  # the C scanner's own guard, long before a 64 KiB body's end
        raise NotAcceptableJson(f"The body nests deeper than {MAX_DEPTH} levels.") from None
    except ValueError:
        raise NotAcceptableJson("The body is not valid JSON.") from None
    if b"\\u" in body or body.count(b"[") + body.count(b"{") > MAX_DEPTH:
        _check(value)
    return value


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise NotAcceptableJson("The body names an object member twice.")
    return members


def _no_constant(_name: str) -> Any:
    raise NotAcceptableJson("The body holds NaN or Infinity, which JSON does not have.")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise NotAcceptableJson(_TOO_LARGE)
    return number


_TOO_LARGE = "The body holds a number too large for a double."
_DECODER = json.JSONDecoder(
    object_pairs_hook=_unique_members, parse_constant=_no_constant, parse_float=_finite
)


def _check(value: Any) -> None:
    """Depth, finite numbers and encodable strings, without recursion."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            _check_depth(depth)
            for key, member in item.items():
                _check_text(key)
                pending.append((member, depth + 1))
        elif isinstance(item, list):
            _check_depth(depth)
            pending.extend((member, depth + 1) for member in item)
        elif isinstance(item, str):
            _check_text(item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise NotAcceptableJson(_TOO_LARGE)


def _check_depth(depth: int) -> None:
    if depth > MAX_DEPTH:
        raise NotAcceptableJson(f"The body nests deeper than {MAX_DEPTH} levels.")


def _check_text(text: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise NotAcceptableJson("The body holds a lone surrogate.") from None
