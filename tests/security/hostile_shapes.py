"""Documents shaped to make validation work hard, each filled up to a token and a byte
budget: fragment ladders and diamonds (the work doubles per level if a fragment is walked at
every spread), wide fan-outs (pairs of fields or fragments grow with the square), and many
operations sharing fragment chains.

Shared by the counting test (tests/security/test_validation_work.py), the catalogue and
`make bench`, which times the worst of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from graphql import Source, TokenKind
from graphql.language import Lexer

UID = '"M-1234-5678-9018"'
QUERY = f"query {{ lpaStatus(uid: {UID}) {{ "


@dataclass(frozen=True, slots=True)
class Shape:
    """A document `head + inner(0) + ... + inner(n-1) + middle + outer(0) + ... + tail(n)`,
    n as large as the budgets allow."""

    name: str
    head: str
    unit: Callable[[str, int], tuple[str, str]]  # (name prefix, i) -> (inner, outer)
    middle: str
    tail: Callable[[str, int], str]


def _ladder(width: int) -> Shape:
    return Shape(
        f"ladder x{width}",
        QUERY + "...{p}0 } } ",
        lambda p, i: ("", f"fragment {p}{i} on LpaStatus {{ " + f"...{p}{i + 1} " * width + "} "),
        "",
        lambda p, n: f"fragment {p}{n} on LpaStatus {{ isRegistered }}",
    )


def _diamond_level(p: str, i: int) -> tuple[str, str]:
    return (
        "",
        f"fragment {p}{i} on LpaStatus {{ ...{p}{i}a ...{p}{i}b }} "
        f"fragment {p}{i}a on LpaStatus {{ ...{p}{i + 1} isRegistered }} "
        f"fragment {p}{i}b on LpaStatus {{ ...{p}{i + 1} isCancelled }} ",
    )


def _no_tail(_p: str, _n: int) -> str:
    return ""


SHAPES = (
    _ladder(2),
    _ladder(3),
    Shape(
        "diamond",
        QUERY + "...{p}0 } } ",
        _diamond_level,
        "",
        lambda p, n: f"fragment {p}{n} on LpaStatus {{ lpaType }}",
    ),
    Shape("one field repeated", QUERY, lambda p, i: (f"{p}: isRegistered ", ""), "} }", _no_tail),
    Shape(
        "one fragment spread repeatedly",
        QUERY,
        lambda p, i: (f"...{p} ", ""),
        "} } ",
        lambda p, n: f"fragment {p} on LpaStatus {{ isRegistered }}",
    ),
    Shape(
        "fragments spread side by side",
        QUERY,
        lambda p, i: (f"...{p}{i} ", f"fragment {p}{i} on LpaStatus {{ isRegistered }} "),
        "} } ",
        _no_tail,
    ),
    Shape(
        "one root field repeated",
        "{ ",
        lambda p, i: (f"{p}: lpaStatus(uid: {UID}) {{ isRegistered }} ", ""),
        "}",
        _no_tail,
    ),
    Shape(
        "operations sharing a fragment chain",
        "",
        lambda p, i: (
            f"query {p}{i}q {{ ...{p}{i} }} ",
            f"fragment {p}{i} on Query {{ ...{p}{i + 1} }} ",
        ),
        "",
        lambda p, n: f"fragment {p}{n} on Query {{ __typename }}",
    ),
)


def tokens(text: str) -> int:
    """Tokens as parse's max_tokens counts them (comments included)."""
    lexer, count = Lexer(Source(text)), 0
    while lexer.advance().kind is not TokenKind.EOF:
        count += 1
    return count


def build(shape: Shape, prefix: str, max_tokens: int, max_bytes: int) -> str:
    """The largest document of `shape` within both budgets (at least one unit)."""
    head = shape.head.replace("{p}", prefix)
    inner: list[str] = []
    outer: list[str] = []
    used = tokens(head) + tokens(shape.middle)
    size = len(head) + len(shape.middle)
    while True:
        n = len(inner)
        unit = shape.unit(prefix, n)
        tail = shape.tail(prefix, n + 1)
        cost, length = tokens(unit[0]) + tokens(unit[1]), len(unit[0]) + len(unit[1])
        if inner and (
            used + cost + tokens(tail) > max_tokens or size + length + len(tail) > max_bytes
        ):
            break
        inner.append(unit[0])
        outer.append(unit[1])
        used, size = used + cost, size + length
    return head + "".join(inner) + shape.middle + "".join(outer) + shape.tail(prefix, len(inner))
