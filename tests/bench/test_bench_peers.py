"""`make bench PEERS=1` without running npm or Node: the make step and its install script (with
a stand-in npm), the pinned versions, the bench's arguments, and how each peer is started and
what it is sent."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse, print_ast

from bench import peer_servers
from bench.operations import OPERATIONS
from bench.peer_servers import PEERS, Peer, PeersUnavailable
from bench.run import _plan, main
from bench.seed import Seeded

ROOT = Path(__file__).resolve().parents[2]
STATUS = next(op for op in OPERATIONS if op.name == "lpaStatus")
SEEDED = Seeded(1, ["M-7890-0400-4000"], ["M-7890-0400-4000"], [], 0.0)


def rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - reproducible bodies, not secrets


def make_dry_run(*variables: str) -> str:
    make = shutil.which("make")
    assert make is not None
    done = subprocess.run(  # noqa: S603 - make, fixed arguments
        [make, "-n", "bench", "QUICK=1", *variables],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout


def test_make_bench_runs_nothing_of_npm_unless_peers_is_asked_for() -> None:
    plain = make_dry_run()
    assert "peers/install.sh" not in plain
    assert "npm" not in plain
    assert "--peers" not in plain
    assert "python -m bench --quick" in plain

    with_peers = make_dry_run("PEERS=1")
    assert "sh bench/peers/install.sh" in with_peers
    assert "python -m bench --quick --peers" in with_peers
    assert "peers/install.sh" not in make_dry_run("PEERS=0")


def test_the_bench_arguments_for_peers() -> None:
    assert _plan([]).peers is False
    plan = _plan(["--peers", "--quick"])
    assert plan.peers is True
    assert 1 in plan.workers
    assert _plan(["--peers", "--only", "lpaStatus,createLpa", "--workers", "1"]).peers


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--peers", "--workers", "2"], "--peers runs at one worker: --workers must include 1"),
        (["--peers", "--only", "createLpa"], "the peers serve lpaStatus only"),
    ],
)
def test_peers_refuse_a_run_they_could_not_join(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        _plan(argv)
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err


def test_the_bench_stops_in_one_line_before_starting_anything_when_peers_are_not_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(peer_servers, "INSTALLED", tmp_path / "nothing-here")
    monkeypatch.setattr(peer_servers, "node_binary", lambda: "/usr/bin/node")
    assert main(["--peers", "--quick"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "peer is not installed" in captured.err
    assert "`make bench PEERS=1` installs it" in captured.err


def test_without_node_the_peers_say_so_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(PeersUnavailable, match=r"needs Node\.js 20 or newer"):
        peer_servers.node_binary()


def test_installed_peers_pass_the_check(tmp_path: Path) -> None:
    for peer in PEERS:
        (tmp_path / peer.name / "node_modules").mkdir(parents=True)
    peer_servers.check_installed(tmp_path)
    shutil.rmtree(tmp_path / "mercurius")
    with pytest.raises(PeersUnavailable, match="the mercurius peer is not installed"):
        peer_servers.check_installed(tmp_path)


@pytest.mark.parametrize("peer", PEERS, ids=lambda p: p.name)
def test_each_peer_is_one_node_process_given_the_database_port_and_its_own_packages(
    peer: Peer, tmp_path: Path
) -> None:
    argv = peer.argv("/opt/node")
    assert argv[0] == "/opt/node"
    assert len(argv) == 2
    assert Path(argv[1]).is_file()
    assert Path(argv[1]).parent == ROOT / "bench" / "peers"
    env = peer.env("postgresql://postgres@127.0.0.1:5999/bench", 4321, {"HOME": "/h"}, tmp_path)
    assert env["HOME"] == "/h"
    assert env["NODE_PATH"] == str(tmp_path / peer.name / "node_modules")
    assert env["BENCH_PEER_DSN"] == "postgresql://postgres@127.0.0.1:5999/bench"
    assert env["BENCH_PEER_PORT"] == "4321"
    assert env["BENCH_PEER_POOL_SIZE"] == str(peer_servers.POOL_SIZE)
    script = Path(argv[1]).read_text()
    for variable in ("BENCH_PEER_DSN", "BENCH_PEER_PORT", "BENCH_PEER_POOL_SIZE"):
        assert variable in script
    assert "/health/ready" in script  # what bench/servers.py waits for


@pytest.mark.parametrize("peer", PEERS, ids=lambda p: p.name)
def test_a_peer_is_sent_the_gateways_variables_and_selection_in_its_own_document(
    peer: Peer,
) -> None:
    assert peer.serves(STATUS)
    assert not any(peer.serves(op) for op in OPERATIONS if op is not STATUS)
    variables = STATUS.variables(SEEDED, rng(2), count=5)
    bodies = [json.loads(b) for b in peer.bodies(STATUS, variables)]
    assert [b["variables"] for b in bodies] == variables
    assert {b["operationName"] for b in bodies} == {"LpaStatus"}
    [theirs] = parse(bodies[0]["query"]).definitions
    [ours] = parse(STATUS.document).definitions
    assert isinstance(theirs, OperationDefinitionNode)
    assert isinstance(ours, OperationDefinitionNode)
    assert print_ast(theirs.selection_set) == print_ast(ours.selection_set)


def test_the_mercurius_peer_declares_the_gateways_scalar_so_it_takes_the_same_text() -> None:
    mercurius = next(p for p in PEERS if p.name == "mercurius")
    assert mercurius.documents["lpaStatus"] == STATUS.document
    script = (ROOT / "bench" / "peers" / "mercurius.js").read_text()
    assert "scalar LpaUid" in script
    assert "jit: 1" in script


def test_the_peers_run_the_floors_status_sql() -> None:
    from bench.floor import STATUS as FLOOR_SQL

    script = (ROOT / "bench" / "peers" / "mercurius.js").read_text()
    declared = script.split("const STATUS =", 1)[1].split("\n\n", 1)[0]
    pieces = re.findall(r"'([^']*)'|\"([^\"]*)\"", declared)
    assert "".join(single or double for single, double in pieces) == FLOOR_SQL
    sql = (ROOT / "bench" / "peers" / "postgraphile.sql").read_text()
    assert "WHERE lpas.uid = $1 AND status IN ('registered', 'cancelled')" in sql


@pytest.mark.parametrize("peer", PEERS, ids=lambda p: p.name)
def test_each_peers_versions_are_pinned_by_its_committed_lock(peer: Peer) -> None:
    folder = ROOT / "bench" / "peers" / peer.name
    manifest = json.loads((folder / "package.json").read_text())
    lock = json.loads((folder / "package-lock.json").read_text())
    assert lock["packages"][""]["dependencies"] == manifest["dependencies"]
    for name, version in manifest["dependencies"].items():
        assert version[0].isdigit(), f"{name} {version}: an exact version, not a range"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    assert set(peer.versions()) == set(peer.packages)
    assert peer.versions() == {n: manifest["dependencies"][n] for n in peer.packages}


# The install script, run against a copy of bench/peers/ with a stand-in npm.

STAND_IN_NPM = """#!/bin/sh
echo "$@" >> "$NPM_CALLS"
[ "$NPM_FAILS" = 1 ] && { echo "npm ERR! something" >&2; exit 1; }
while [ "$1" != "--prefix" ]; do shift; done
mkdir -p "$2/node_modules"
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of bench/peers/ where install.sh expects it, and a stand-in npm on PATH."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "bench" / "peers", copy / "bench" / "peers")
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "npm").write_text(STAND_IN_NPM)
    (tools / "npm").chmod(0o755)
    return copy


def install(
    repo: Path, fails: bool = False, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": path or f"{repo.parent / 'bin'}:{os.environ['PATH']}",
        "NPM_CALLS": str(repo.parent / "npm-calls"),
        "NPM_FAILS": "1" if fails else "0",
    }
    return subprocess.run(  # noqa: S603 - the script under test
        ["/bin/sh", str(repo / "bench" / "peers" / "install.sh")],
        env=env, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


def npm_calls(repo: Path) -> list[str]:
    calls = repo.parent / "npm-calls"
    return calls.read_text().splitlines() if calls.exists() else []


def test_install_runs_npm_ci_once_per_peer_and_again_only_when_a_lock_changes(repo: Path) -> None:
    done = install(repo)
    assert done.returncode == 0, done.stderr
    assert npm_calls(repo) == [
        f"ci --prefix var/peers/{name} --no-audit --no-fund --loglevel=error"
        for name in ("postgraphile", "mercurius")
    ]
    for name in ("postgraphile", "mercurius"):
        assert (repo / "var" / "peers" / name / "node_modules").is_dir()
        pinned = repo / "bench" / "peers" / name / "package-lock.json"
        assert (repo / "var" / "peers" / name / "package-lock.json").read_bytes() == (
            pinned.read_bytes()
        )

    assert install(repo).returncode == 0
    assert len(npm_calls(repo)) == 2  # installed and unchanged: npm is not run

    lock = repo / "bench" / "peers" / "mercurius" / "package-lock.json"
    lock.write_text(lock.read_text().replace('"requires": true', '"requires": true '))
    assert install(repo).returncode == 0
    assert npm_calls(repo)[2:] == [
        "ci --prefix var/peers/mercurius --no-audit --no-fund --loglevel=error"
    ]


def test_an_install_npm_refuses_fails_in_one_line_and_is_tried_again_next_time(
    repo: Path,
) -> None:
    done = install(repo, fails=True)
    assert done.returncode == 1
    assert done.stderr == (
        "bench: npm could not install the postgraphile peer; see var/peers/postgraphile-npm.log\n"
    )
    assert "npm ERR! something" in (repo / "var" / "peers" / "postgraphile-npm.log").read_text()
    assert install(repo).returncode == 0
    assert len(npm_calls(repo)) == 3  # the failed one, then both


def test_install_without_npm_fails_in_one_line(repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    for tool in ("dirname", "cmp", "cp", "rm", "mkdir"):
        found = shutil.which(tool)
        assert found is not None
        (bare / tool).symlink_to(found)
    done = install(repo, path=str(bare))
    assert done.returncode == 1
    assert done.stderr == "bench: PEERS=1 needs Node.js 20 or newer and npm on PATH\n"
    assert npm_calls(repo) == []
