"""The bench's rows: each names its server and document shape, in the table and in
var/bench/last.json, and the targets read the gateway's rows only."""

from __future__ import annotations

import json

import pytest

from bench.load import LoadResult
from bench.report import Row, markdown, targets
from bench.run import Measured


def measured(rps: float, errors: int = 0, unavailable: int = 0, cpu_us: float = 150) -> Measured:
    result = LoadResult(
        requests=int(rps * 4), seconds=4.0, p50_ms=5.0, p99_ms=20.0, errors=errors,
        unavailable=unavailable, generator_cpu_s=1.0,
    )  # fmt: skip
    return Measured(result, cpu_us, 40.0, 0.1, 90.0)


FLOOR = measured(1000)


def row(
    server: str = "gateway",
    document: str = "trusted",
    *,
    rps: float,
    errors: int = 0,
    unavailable: int = 0,
) -> Row:
    return Row.of("lpaStatus", server, document, 1, measured(rps, errors, unavailable), FLOOR)


def test_a_row_carries_its_server_and_document_into_the_saved_json() -> None:
    saved = json.loads(json.dumps(row(document="ad-hoc", rps=600).as_json()))
    assert saved["operation"] == "lpaStatus"
    assert saved["server"] == "gateway"
    assert saved["document"] == "ad-hoc"
    assert saved["ratio_to_floor"] == 0.6
    assert saved["floor_rps"] == 1000.0
    peer = row(server="mercurius", document="ad-hoc", rps=2000).as_json()
    assert (peer["server"], peer["ratio_to_floor"]) == ("mercurius", 2.0)


def test_the_table_has_a_column_for_each_and_counts_errors_and_503s_per_row() -> None:
    rows = [
        row(rps=900),
        row(document="ad-hoc", rps=500, errors=3, unavailable=2),
        row(server="postgraphile", document="ad-hoc", rps=800, errors=1),
    ]
    lines = markdown(rows).splitlines()
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header[:4] == ["operation", "server", "document", "workers"]
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    assert [c[:3] for c in cells] == [
        ["lpaStatus", "gateway", "trusted"],
        ["lpaStatus", "gateway", "ad-hoc"],
        ["lpaStatus", "postgraphile", "ad-hoc"],
    ]
    errors, unavailable = header.index("errors"), header.index("503s")
    assert [(c[errors], c[unavailable]) for c in cells] == [("0", "0"), ("3", "2"), ("1", "0")]
    assert all(len(c) == len(header) for c in cells)


def verdict(lines: list[str], starts: str) -> str:
    [line] = [line for line in lines if line.startswith(f"target {starts}")]
    return line


def test_targets_judge_each_document_shape_against_its_own_ratio() -> None:
    lines = targets([row(rps=810), row(document="ad-hoc", rps=490)])
    assert verdict(lines, "lpaStatus trusted >= 0.80x").endswith("0.81 (met)")
    assert verdict(lines, "lpaStatus ad-hoc >= 0.50x").endswith("0.49 (MISSED)")
    assert verdict(lines, "lpaStatus trusted CPU <= 170").endswith("150 µs (met)")
    assert verdict(lines, "lpaStatus trusted p99 <= 30 ms").endswith("20.0 ms (met)")


def test_a_peer_row_never_meets_or_misses_a_gateway_target() -> None:
    fast_peer = row(server="mercurius", document="ad-hoc", rps=5000, errors=7, unavailable=1)
    lines = targets([row(rps=300), fast_peer])
    assert verdict(lines, "lpaStatus trusted >= 0.80x").endswith("0.30 (MISSED)")
    assert not [line for line in lines if line.startswith("target lpaStatus ad-hoc")]
    assert verdict(lines, "no 503 from the gateway").endswith(": 0 (met)")
    assert verdict(lines, "no error answer from the gateway").endswith(": 0 (met)")
    assert "WARNING: 7 error answers from the floor or the peers" in lines


@pytest.mark.parametrize(("errors", "unavailable"), [(1, 0), (0, 1)])
def test_any_gateway_error_or_503_misses_its_target(errors: int, unavailable: int) -> None:
    faulty = row(document="ad-hoc", rps=900, errors=errors, unavailable=unavailable)
    lines = targets([row(rps=900), faulty])
    assert verdict(lines, "no 503 from the gateway").endswith(
        "(MISSED)" if unavailable else "(met)"
    )
    assert verdict(lines, "no error answer from the gateway").endswith(
        "(MISSED)" if errors else "(met)"
    )
