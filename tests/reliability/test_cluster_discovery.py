"""Finding the machine's PostgreSQL server binaries, or saying clearly that they are absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability import cluster


def test_absent_binaries_are_named_with_where_they_were_looked_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(cluster, "SEARCH", (str(tmp_path / "nowhere-*/bin"),))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("LPA_GATEWAY_PG_BIN", raising=False)
    with pytest.raises(cluster.ClusterUnavailable, match=r"initdb and pg_ctl were not found"):
        cluster.find_bin_dir()


def test_an_explicit_directory_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for tool in ("initdb", "pg_ctl"):
        (tmp_path / tool).write_text("#!/bin/sh\n")
    monkeypatch.setenv("LPA_GATEWAY_PG_BIN", str(tmp_path))
    assert cluster.find_bin_dir() == tmp_path
