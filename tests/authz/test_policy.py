"""The policy is data a reviewer can read, and every mistake in it stops start-up, naming the
file and the line."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.authz.check import check_policy, policy_problems
from app.authz.policy import PolicyError, load_policy
from app.cli import main
from app.graphql.schema import build_schema
from app.settings import DEFAULT_POLICY_DIR

FULL = build_schema()._schema


@pytest.fixture
def variant(tmp_path: Path) -> Callable[[str, str, str], Path]:
    def make(file: str, old: str, new: str) -> Path:
        folder = tmp_path / "permissions"
        shutil.copytree(DEFAULT_POLICY_DIR, folder)
        path = folder / file
        text = path.read_text()
        assert old in text, old
        path.write_text(text.replace(old, new, 1))
        return folder

    return make


def test_the_committed_policy_covers_the_schema() -> None:
    assert policy_problems(load_policy(), FULL) == []


def line_of(folder: Path, file: str, needle: str) -> int:
    lines = (folder / file).read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_an_unknown_field_is_an_error_naming_file_and_line(variant: Any) -> None:
    folder = variant("opg.poas.use.toml", '"LpaStatus.lpaType",', '"LpaStatus.lpaTpye",')
    problems = policy_problems(load_policy(folder), FULL)
    line = line_of(folder, "opg.poas.use.toml", "lpaTpye")
    assert f"opg.poas.use.toml:{line}: grants.fields names LpaStatus.lpaTpye" in problems[0]


def test_an_unknown_type_is_an_error(variant: Any) -> None:
    folder = variant("opg.poas.use.toml", '"LpaStatus.lpaType",', '"Secret.lpaType",')
    assert any("names Secret.lpaType" in p for p in policy_problems(load_policy(folder), FULL))


def test_an_operation_listed_as_a_field_is_an_error(variant: Any) -> None:
    folder = variant("opg.poas.use.toml", "fields = [\n", 'fields = [\n  "Query.lpaStatus",\n')
    problems = policy_problems(load_policy(folder), FULL)
    assert any("grants.fields names Query.lpaStatus" in p for p in problems)


def test_an_argument_without_its_field_is_an_error(variant: Any) -> None:
    folder = variant(
        "opg.poas.use.toml",
        '  "Query.lpaStatus.uid",\n',
        '  "Query.lpaStatus.uid",\n  "Query.validateLpa.uid",\n',
    )
    problems = policy_problems(load_policy(folder), FULL)
    assert any("Query.validateLpa.uid, but not its field" in p for p in problems)


def test_a_field_without_its_required_argument_is_an_error(variant: Any) -> None:
    folder = variant("opg.poas.use.toml", '  "Query.lpaStatus.uid",\n', "")
    problems = policy_problems(load_policy(folder), FULL)
    assert any("Query.lpaStatus.uid is required by a granted field" in p for p in problems)


def test_a_reached_type_with_no_granted_field_is_an_error(variant: Any) -> None:
    folder = variant("opg.poas.makeregister.toml", '  "Problem.source",\n  "Problem.code",\n', "")
    (folder / "opg.poas.sirius.toml").write_text((folder / "opg.poas.sirius.toml").read_text())
    problems = policy_problems(load_policy(folder), FULL)
    assert any("reaches Problem but grants none of its fields" in p for p in problems)


def test_every_reached_type_with_no_granted_field_is_named_in_one_message(variant: Any) -> None:
    folder = variant(
        "opg.poas.makeregister.toml",
        '  "Validity.valid",\n  "Validity.problems",\n  "Problem.source",\n  "Problem.code",\n',
        "",
    )
    problems = policy_problems(load_policy(folder), FULL)
    assert any("reaches Problem, Validity but grants none of its fields" in p for p in problems)


def test_a_schema_coordinate_with_no_rule_fails_the_coverage_gate(variant: Any) -> None:
    folder = variant("opg.poas.use.toml", '  "LpaStatus.registrationDate",\n', "")
    text = (folder / "opg.poas.sirius.toml").read_text()
    (folder / "opg.poas.sirius.toml").write_text(
        text.replace('  "LpaStatus.registrationDate",\n', "")
    )
    problems = policy_problems(load_policy(folder), FULL)
    assert problems == [
        "LpaStatus.registrationDate (fields) has no rule: grant it to a client or list it in "
        "_withheld.toml"
    ]
    (folder / "_withheld.toml").write_text('withheld = ["LpaStatus.registrationDate"]\n')
    assert policy_problems(load_policy(folder), FULL) == []


def test_withholding_a_granted_coordinate_is_an_error(variant: Any) -> None:
    folder = variant("_withheld.toml", "withheld = []", 'withheld = ["LpaStatus.lpaType"]')
    problems = policy_problems(load_policy(folder), FULL)
    assert problems == ["_withheld.toml: withholds LpaStatus.lpaType, but a client is granted it"]


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("opg.poas.use.toml", 'rows = "registered-or-cancelled"', 'rows = "some"', "client.rows"),
        ("opg.poas.use.toml", "depth = 3", "depth = 7", "limits.depth may only tighten"),
        ("opg.poas.use.toml", "depth = 3", "depth = 0", "limits.depth must be a positive"),
        ("opg.poas.use.toml", "[limits]", "[limits]\nspeed = 3", "[limits] takes only"),
        ("opg.poas.use.toml", 'id = "opg.poas.use"', 'id = "opg.poas.usr"', "match the file"),
        ("opg.poas.use.toml", "[grants]", "[grants]\nwrite = []", "unknown grant kind"),
        ("opg.poas.use.toml", "inputs = []", "inputs = 3", "grants.inputs must be a list"),
        ("opg.poas.use.toml", 'documents = "trusted"', 'documents = "some"', "client.documents"),
        ("opg.poas.use.toml", 'documents = "trusted"', "documents = true", "client.documents"),
        ("opg.poas.use.toml", 'documents = "trusted"', 'documents = "ANY"', "client.documents"),
        (
            "developer.toml",
            '["development"]',
            '["development", "production"]',
            "grants.everything is for development-only clients",
        ),
        (
            "opg.poas.use.toml",
            '["development", "production"]',
            '["staging"]',
            "client.environments",
        ),
    ],
)
def test_malformed_policy_files_are_refused(
    variant: Any, file: str, old: str, new: str, message: str
) -> None:
    folder = variant(file, old, new)
    with pytest.raises(PolicyError, match=re.escape(message)):
        load_policy(folder)


def test_the_shipped_policy_trusts_use_and_makeregister_only(variant: Any) -> None:
    shipped = {c.id: c.documents for c in load_policy().clients.values()}
    assert shipped == {
        "opg.poas.use": "trusted",
        "opg.poas.makeregister": "trusted",
        "opg.poas.sirius": "any",
        "developer": "any",
    }
    unsaid = variant("opg.poas.sirius.toml", 'documents = "any"', "")
    assert load_policy(unsaid).clients["opg.poas.sirius"].documents == "trusted"  # deny first


def test_check_policy_command(
    variant: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-policy"]) == 0
    assert "policy covers the schema" in capsys.readouterr().out

    folder = variant("opg.poas.use.toml", '"LpaStatus.lpaType",', '"LpaStatus.nope",')
    monkeypatch.setenv("LPA_GATEWAY_POLICY_DIR", str(folder))
    assert main(["check-policy"]) == 2
    captured = capsys.readouterr()
    assert "LpaStatus.nope" in captured.out
    assert captured.err == "error: the policy does not match the schema: 1 problem(s)\n"


def test_start_up_refuses_a_policy_that_does_not_match(variant: Any) -> None:
    folder = variant("opg.poas.use.toml", '"LpaStatus.lpaType",', '"LpaStatus.nope",')
    with pytest.raises(PolicyError, match="does not match the schema"):
        check_policy(load_policy(folder), FULL)


def test_a_missing_required_argument_names_the_file_and_the_line_of_its_field(
    variant: Any,
) -> None:
    folder = variant("opg.poas.use.toml", '  "Query.lpaStatus.uid",\n', "")
    problems = policy_problems(load_policy(folder), FULL)
    line = _line_of(folder / "opg.poas.use.toml", '"Query.lpaStatus"')
    assert (
        f"opg.poas.use.toml:{line}: Query.lpaStatus.uid is required by a granted field but "
        "not granted"
    ) in problems


def test_a_missing_required_input_field_names_the_file(variant: Any) -> None:
    folder = variant("opg.poas.makeregister.toml", '  "AddressInput.line1",\n', "")
    problems = policy_problems(load_policy(folder), FULL)
    # No line names the input type alone, so the file is named without a line.
    assert (
        "opg.poas.makeregister.toml: AddressInput.line1 is required by a granted input but "
        "not granted"
    ) in problems


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)
