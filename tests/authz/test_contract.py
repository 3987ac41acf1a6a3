"""The committed SDL is the contract: stale files fail, breaking changes need a reviewed entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.authz.contract import (
    ACCEPTED,
    FULL,
    breaking_changes,
    contract_files,
    unaccepted_breaking_changes,
)
from app.authz.policy import load_policy
from app.cli import main
from app.graphql.schema import build_schema

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"
LIVE = contract_files(load_policy(), build_schema()._schema)


@pytest.mark.parametrize("name", sorted(LIVE))
def test_committed_sdl_is_current(name: str) -> None:
    committed = SCHEMA_DIR / name
    assert committed.exists(), f"run `make schema` to write schema/{name}"
    # Built again here, not at import, so that what the test sees is what the code builds now
    # (mutation testing swaps code in after the tests are collected).
    live = contract_files(load_policy(), build_schema()._schema)
    assert committed.read_text() == live[name], f"schema/{name} is stale: run `make schema`"


def test_every_client_has_a_committed_view() -> None:
    clients = set(load_policy().clients)
    assert {p.stem for p in SCHEMA_DIR.glob("*.graphql")} == clients | {"schema"}


def test_no_unreviewed_breaking_change_against_the_committed_sdl() -> None:
    assert unaccepted_breaking_changes(SCHEMA_DIR, LIVE) == []


def test_views_advertise_no_policy_internals() -> None:
    for name, sdl in LIVE.items():
        assert "@" not in sdl, name  # no directives naming permission classes


def test_find_breaking_changes_sees_a_removed_field() -> None:
    old = LIVE[FULL]
    new = old.replace("  isCancelled: Boolean!\n", "")
    assert breaking_changes(old, new) == ["FIELD_REMOVED: Field LpaStatus.isCancelled was removed."]
    assert breaking_changes(new, old) == []  # adding a field breaks nobody


@pytest.fixture
def committed_with_extra_field(tmp_path: Path) -> Path:
    """A committed SDL that still has a field the live schema has dropped."""
    folder = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, folder)
    path = folder / FULL
    path.write_text(
        path.read_text().replace(
            "  isCancelled: Boolean!\n", "  isCancelled: Boolean!\n  isRevoked: Boolean!\n"
        )
    )
    return folder


def test_export_refuses_an_unreviewed_breaking_change(
    committed_with_extra_field: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export-schema", "--out", str(committed_with_extra_field)]) == 2
    err = capsys.readouterr().err
    assert "schema.graphql: FIELD_REMOVED: Field LpaStatus.isRevoked was removed." in err
    assert "isRevoked" in (committed_with_extra_field / FULL).read_text()  # left untouched


def test_export_accepts_a_reviewed_breaking_change(committed_with_extra_field: Path) -> None:
    (committed_with_extra_field / ACCEPTED).write_text(
        "[[accepted]]\n"
        'change = "FIELD_REMOVED: Field LpaStatus.isRevoked was removed."\n'
        'reason = "No client ever read it."\n'
        'reviewed_by = "caseworker-systems team"\n'
    )
    assert main(["export-schema", "--out", str(committed_with_extra_field)]) == 0
    assert "isRevoked" not in (committed_with_extra_field / FULL).read_text()


def test_an_acceptance_without_a_reviewer_is_refused(committed_with_extra_field: Path) -> None:
    (committed_with_extra_field / ACCEPTED).write_text(
        '[[accepted]]\nchange = "FIELD_REMOVED: Field LpaStatus.isRevoked was removed."\n'
    )
    assert main(["export-schema", "--out", str(committed_with_extra_field)]) == 2
