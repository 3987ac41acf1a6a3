"""The runtime role's privileges as data: what the invariant of app/db/grants.py promises."""

from __future__ import annotations

import pytest

from app.cli import main
from app.db.grants import (
    RoleNameError,
    after_migrate_sql,
    before_migrate_sql,
    sequences,
    table_privileges,
)
from app.db.models import Base

APPEND_ONLY = ("changes", "outbox", "audit_events")


def test_every_table_is_granted_and_none_may_be_truncated() -> None:
    privileges = table_privileges()
    assert set(privileges) == {t.name for t in Base.metadata.sorted_tables}
    assert not any("TRUNCATE" in granted for granted in privileges.values())


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_history_outbox_and_audit_take_no_update_or_delete(table: str) -> None:
    assert {"UPDATE", "DELETE"}.isdisjoint(table_privileges()[table])


def test_the_gateway_writes_its_audit_trail_and_never_reads_it() -> None:
    assert table_privileges()["audit_events"] == ("INSERT",)


def test_delete_is_granted_on_lpa_numbers_only() -> None:
    assert [t for t, granted in table_privileges().items() if "DELETE" in granted] == [
        "lpa_numbers"
    ]


def test_sequences_are_those_of_tables_the_role_inserts_into() -> None:
    assert "lpas_id_seq" in sequences()
    assert "fees_id_seq" not in sequences()  # the fee schedule is read-only at run time


def test_the_after_migrate_part_revokes_first_in_one_transaction() -> None:
    sql = after_migrate_sql("lpa_gateway")
    assert sql[0] == "BEGIN;"
    assert sql[1].startswith("REVOKE ALL ON ALL TABLES")
    assert sql[-1] == "COMMIT;"
    assert 'GRANT SELECT, INSERT, DELETE ON TABLE public."lpa_numbers" TO "lpa_gateway";' in sql


@pytest.mark.parametrize(
    ("owner", "runtime"),
    [("Owner", "lpa"), ("lpa_owner", 'x"; DROP ROLE postgres; --'), ("a" * 64, "b"), ("", "b")],
)
def test_role_names_that_are_not_plain_identifiers_are_refused(owner: str, runtime: str) -> None:
    with pytest.raises(RoleNameError):
        before_migrate_sql(owner, runtime)


def test_a_plain_name_of_63_characters_is_accepted() -> None:
    assert before_migrate_sql("a" * 63, "b")[0] == f'CREATE ROLE "{"a" * 63}" LOGIN;'


@pytest.mark.parametrize("only", ["before-migrate", "after-migrate"])
def test_the_command_checks_both_names_whichever_part_it_prints(
    only: str, capsys: pytest.CaptureFixture[str]
) -> None:
    smuggled = "lpa_owner\nDROP TABLE lpas;"
    assert main(["grants", "--owner", smuggled, "--runtime", "lpa_gateway", "--only", only]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert main(["grants", "--owner", "lpa_owner", "--runtime", "lpa_gateway", "--only", only]) == 0
    assert "DROP" not in capsys.readouterr().out
