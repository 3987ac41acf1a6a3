"""Validation does work in proportion to the document, whatever its shape: counted (see
work_meter.py), never timed.

Ladders, diamonds and fan-outs, generated up to the token limit (1,000) and the body limit
(64 KiB), are validated:
- by a client's whole rule set, as the gateway runs it (parse, graphql-core's rules with the
  bounded overlap rule, our limits);
- by graphql-core's rules alone (with the bounded overlap rule), since our limits stop a
  hostile document before graphql-core's rules look at it, and a document within our limits
  must be bounded too.

A flat document costs about 450 counted lines per token, nearly all of it graphql-core's
visitor taking each node through its 27 rules; the overlap rule's budget (UNITS_PER_TOKEN,
about 35 lines a unit) allows up to about 600 more; reading a name costs about 5 lines per
character. The schema's own check, once per process, is done before counting.
"""

from __future__ import annotations

import string

import pytest
from graphql import OverlappingFieldsCanBeMergedRule, specified_rules
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.authz.policy import load_policy
from app.graphql.client_view import client_view
from app.graphql.executor import Executor
from app.graphql.overlap import UNITS_PER_TOKEN, BoundedOverlappingFieldsRule, bounded
from app.graphql.schema import build_schema
from app.http.graphql_endpoint import MAX_BODY_BYTES
from tests.security.hostile_shapes import QUERY, SHAPES, Shape, build, tokens
from tests.security.work_meter import WorkMeter

MAX_TOKENS = 1000
LINES_PER_DOCUMENT = 10_000  # setting up the rules: about 6,500 for `{ __typename }` ...
LINES_PER_TOKEN = 1200  # ... then all of parsing and validation ...
LINES_PER_BYTE = 8  # ... plus the lexer reading each character of a name (about 5 lines)
OUR_LINES_PER_TOKEN = 24  # app/graphql/limits.py: one walk of each definition

_executors: dict[str, Executor] = {}


def executor(rules: str) -> Executor:
    """The executor of a client, or one with graphql-core's rules alone on the developer's
    view; its schema already checked (graphql-core does it once, at the first validation)."""
    if rules not in _executors:
        full, clients = build_schema()._schema, load_policy().clients
        if rules == "graphql-core":
            schema = client_view(full, clients["developer"]).schema
            _executors[rules] = Executor(schema, max_tokens=MAX_TOKENS)
        else:
            _executors[rules] = client_view(full, clients[rules]).executor
        _executors[rules]._prepare("{ __typename }")
    return _executors[rules]


def count(rules: str, document: str) -> tuple[WorkMeter, tuple[str, ...]]:
    size = tokens(document)
    assert size <= MAX_TOKENS
    assert len(document.encode()) <= MAX_BODY_BYTES
    ceiling = LINES_PER_DOCUMENT + LINES_PER_TOKEN * size + LINES_PER_BYTE * len(document)
    meter = WorkMeter(ceiling)
    run = executor(rules)
    with meter.counting():
        prepared = run._prepare(document)
    assert meter.total <= ceiling
    assert meter.lines["app/graphql/limits.py"] <= OUR_LINES_PER_TOKEN * size
    return meter, tuple(e.message for e in prepared.errors)


RULES = ("opg.poas.use", "developer", "graphql-core")
names = st.text(string.ascii_letters + "_", min_size=0, max_size=255).map(lambda s: "F" + s)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rules=st.sampled_from(RULES),
    shape=st.sampled_from(SHAPES),
    prefix=names,
    max_tokens=st.integers(1, MAX_TOKENS),
    max_bytes=st.integers(1, MAX_BODY_BYTES),
)
@example(rules="developer", shape=SHAPES[0], prefix="F", max_tokens=1000, max_bytes=65536)
@example(rules="graphql-core", shape=SHAPES[5], prefix="F", max_tokens=1000, max_bytes=65536)
def test_validation_work_stays_within_a_multiple_of_the_tokens(
    rules: str, shape: Shape, prefix: str, max_tokens: int, max_bytes: int
) -> None:
    count(rules, build(shape, prefix, max_tokens, max_bytes))


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
@pytest.mark.parametrize("rules", ["developer", "graphql-core"])
def test_each_shape_at_the_token_limit(rules: str, shape: Shape) -> None:
    count(rules, build(shape, "F", MAX_TOKENS, MAX_BODY_BYTES))


def test_each_shape_at_the_body_limit() -> None:
    for shape in SHAPES:
        prefix = "F" * 1000
        document = build(shape, prefix, MAX_TOKENS, MAX_BODY_BYTES)
        # Full: a unit of any shape names fragments at most 8 times, and would not fit.
        assert len(document) > MAX_BODY_BYTES - 8 * len(prefix) - 200
        count("developer", document)


def ladder(levels: int) -> str:
    rungs = "".join(
        f" fragment F{i} on LpaStatus {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"{QUERY}...F0 }} }}{rungs} fragment F{levels} on LpaStatus {{ isRegistered }}"


def test_a_ladder_is_measured_once_per_fragment() -> None:
    """The ladder of the issue: 95 levels, 2**95 copies of a field, within 1,000 tokens."""
    document = ladder(95)
    assert tokens(document) <= MAX_TOKENS
    meter, errors = count("developer", document)
    assert errors == ("Query cost exceeds the limit of 5000.",)
    # Each level costs our rule the same few lines, however many copies it stands for.
    half, _ = count("developer", ladder(47))
    assert meter.lines["app/graphql/limits.py"] < 2.2 * half.lines["app/graphql/limits.py"]


def same_field(copies: int) -> str:
    return '{ lpaStatus(uid: "M-1234-5678-9018") { ' + "isRegistered " * copies + "} }"


def test_repeated_fields_are_compared_within_a_budget_per_token() -> None:
    # n copies of one field are n(n-1)/2 pairs, 2 units each, in n + 10 tokens.
    within, past = 23, 24
    assert within * (within - 1) <= UNITS_PER_TOKEN * tokens(same_field(within))
    assert past * (past - 1) > UNITS_PER_TOKEN * tokens(same_field(past))
    assert count("graphql-core", same_field(within))[1] == ()
    assert count("graphql-core", same_field(past))[1] == (
        "The document repeats fields in too many ways to check.",
    )


def test_the_overlap_rule_still_finds_conflicts() -> None:
    document = '{ lpaStatus(uid: "M-1234-5678-9018") { a: isRegistered a: isCancelled } }'
    assert count("graphql-core", document)[1] == (
        "Fields 'a' conflict because 'isRegistered' and 'isCancelled' are different fields."
        " Use different aliases on the fields to fetch both if this was intentional.",
    )


def test_the_bounded_rule_replaces_graphql_cores_and_nothing_else() -> None:
    replaced = [
        BoundedOverlappingFieldsRule if r is OverlappingFieldsCanBeMergedRule else r
        for r in specified_rules
    ]
    assert OverlappingFieldsCanBeMergedRule in specified_rules
    assert list(bounded(specified_rules)) == replaced
