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
    add_revoked(folder / FULL)
    return folder


def add_revoked(path: Path) -> None:
    """Give the committed LpaStatus a field `isRevoked` the live schema does not have."""
    path.write_text(
        path.read_text().replace(
            "  isCancelled: Boolean!\n", "  isCancelled: Boolean!\n  isRevoked: Boolean!\n"
        )
    )


def test_export_refuses_an_unreviewed_breaking_change(
    committed_with_extra_field: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export-schema", "--out", str(committed_with_extra_field)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "schema.graphql: FIELD_REMOVED: Field LpaStatus.isRevoked was removed.\n"
    assert captured.err.startswith("error: 1 unreviewed breaking change(s)")
    assert captured.err.count("\n") == 1
    assert "isRevoked" in (committed_with_extra_field / FULL).read_text()  # left untouched


def test_export_accepts_a_reviewed_breaking_change(committed_with_extra_field: Path) -> None:
    (committed_with_extra_field / ACCEPTED).write_text(
        "[[accepted]]\n"
        'view = "schema"\n'
        'change = "FIELD_REMOVED: Field LpaStatus.isRevoked was removed."\n'
        'reason = "No client ever read it."\n'
        'reviewed_by = "caseworker-systems team"\n'
    )
    assert main(["export-schema", "--out", str(committed_with_extra_field)]) == 0
    assert "isRevoked" not in (committed_with_extra_field / FULL).read_text()


def test_an_acceptance_without_a_reviewer_is_refused(committed_with_extra_field: Path) -> None:
    (committed_with_extra_field / ACCEPTED).write_text(
        '[[accepted]]\nview = "schema"\n'
        'change = "FIELD_REMOVED: Field LpaStatus.isRevoked was removed."\n'
    )
    assert main(["export-schema", "--out", str(committed_with_extra_field)]) == 2


REVOKED = "FIELD_REMOVED: Field LpaStatus.isRevoked was removed."


def acceptance(view: str) -> str:
    return (
        f'[[accepted]]\nview = "{view}"\nchange = "{REVOKED}"\n'
        'reason = "Only its own review counts."\nreviewed_by = "a reviewer"\n'
    )


@pytest.fixture
def two_views_lose_a_field(committed_with_extra_field: Path) -> Path:
    """The same field vanishes from the full SDL and from the case-management view."""
    add_revoked(committed_with_extra_field / "opg.poas.sirius.graphql")
    return committed_with_extra_field


def test_an_acceptance_covers_only_the_view_it_names(
    two_views_lose_a_field: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = two_views_lose_a_field
    (folder / ACCEPTED).write_text(acceptance("schema"))
    assert main(["export-schema", "--out", str(folder)]) == 2
    assert capsys.readouterr().out == f"opg.poas.sirius.graphql: {REVOKED}\n"
    assert "isRevoked" in (folder / "opg.poas.sirius.graphql").read_text()

    (folder / ACCEPTED).write_text(acceptance("schema") + "\n" + acceptance("opg.poas.sirius"))
    assert main(["export-schema", "--out", str(folder)]) == 0
    assert "isRevoked" not in (folder / "opg.poas.sirius.graphql").read_text()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (acceptance("opg.poas.nobody"), "view 'opg.poas.nobody' is neither a client nor 'schema'"),
        (
            acceptance("schema").replace('view = "schema"\n', ""),
            "each [[accepted]] needs view, change, reason, reviewed_by",
        ),
    ],
    ids=["unknown-view", "no-view"],
)
def test_an_acceptance_naming_no_view_or_an_unknown_one_is_refused(
    two_views_lose_a_field: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    (two_views_lose_a_field / ACCEPTED).write_text(text)
    assert main(["export-schema", "--out", str(two_views_lose_a_field)]) == 2
    assert capsys.readouterr().err == f"error: {ACCEPTED}: {message}\n"
    assert "isRevoked" in (two_views_lose_a_field / "opg.poas.sirius.graphql").read_text()
