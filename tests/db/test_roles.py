"""The owning role and the runtime role of docs/operations.md, made from `lpa-gateway grants`:
the owner migrates, the runtime role serves every write and read path, and start-up refuses
a runtime role that lacks a privilege, naming it."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import anyio
import asyncpg
import pytest
from sqlalchemy.engine import make_url

from app.cli import main
from app.http.app import StartupRefused, create_app
from app.settings import Settings
from tests.factories import LPA_STATUS
from tests.production import production
from tests.roles import Roles, run_sql
from tests.updates import SIRIUS, USE, registered_lpa

pytestmark = pytest.mark.postgres_only

LPA = "query Read($uid: LpaUid!) { lpa(uid: $uid) { uid status history { changeType } } }"
DONOR_MATCHES = (
    "query Match($uid: LpaUid!) "
    '{ donorIdentityMatches(uid: $uid, dateOfBirth: "1999-09-09", postcode: "ZZ1 1ZZ") }'
)


@pytest.fixture
def settings(roles: Roles, dev_keys_dir: Path) -> Settings:
    """The gateway connected as the runtime role (the `app`, `http` and `gql` fixtures use it)."""
    return Settings(env="development", database_url=roles.runtime_url, dev_keys_dir=dev_keys_dir)


@pytest.mark.anyio
async def test_the_runtime_role_serves_every_write_and_read_path(gql, app) -> None:  # type: ignore[no-untyped-def]
    uid, version = await registered_lpa(gql)  # createLpa, signatures, status changes

    status = (await gql(USE, LPA_STATUS, {"uid": uid})).json()
    assert status["data"]["lpaStatus"]["isRegistered"] is True
    record = (await gql(SIRIUS, LPA, {"uid": uid})).json()
    assert record["data"]["lpa"]["status"] == "REGISTERED", record
    assert len(record["data"]["lpa"]["history"]) == version
    match = (await gql(USE, DONOR_MATCHES, {"uid": uid})).json()  # spends oracle budget
    assert match == {"data": {"donorIdentityMatches": False}}


def test_the_runtime_role_owns_nothing_and_cannot_rewrite_history(roles: Roles) -> None:
    with pytest.raises(Exception, match="permission denied for table changes"):
        run_sql(roles.runtime_url, "UPDATE changes SET change_type = change_type")
    with pytest.raises(Exception, match="permission denied for table audit_events"):
        run_sql(roles.runtime_url, "SELECT count(*) FROM audit_events")
    with pytest.raises(Exception, match="must be owner of table changes"):
        run_sql(roles.runtime_url, "ALTER TABLE changes DISABLE TRIGGER ALL")


@pytest.mark.parametrize(
    ("revoke", "named"),
    [
        ("REVOKE DELETE ON lpa_numbers FROM {runtime}", "DELETE on table lpa_numbers"),
        ("REVOKE INSERT ON audit_events FROM {runtime}", "INSERT on table audit_events"),
        (
            "REVOKE USAGE ON SEQUENCE changes_id_seq FROM {runtime}",
            "USAGE on sequence changes_id_seq",
        ),
        ("REVOKE UPDATE ON lpas FROM {runtime}", "UPDATE on table lpas"),
    ],
)
def test_start_up_refuses_a_runtime_role_missing_a_privilege_and_names_it(
    roles: Roles, dev_keys_dir: Path, revoke: str, named: str
) -> None:
    run_sql(roles.owner_url, revoke.format(runtime=roles.runtime))
    app = create_app(Settings(database_url=roles.runtime_url, dev_keys_dir=dev_keys_dir))

    async def start() -> None:
        async with app.router.lifespan_context(app):
            pass

    with pytest.raises(StartupRefused) as refused:
        asyncio.run(start())
    message = str(refused.value)
    assert message == (
        f"database role {roles.runtime} lacks {named}; `lpa-gateway grants` prints what it needs"
    )


def test_migrate_as_the_runtime_role_is_refused_in_one_line(
    roles: Roles, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run_sql(roles.owner_url, "DROP TABLE alembic_version")  # so migrate has to create tables
    monkeypatch.setenv("LPA_GATEWAY_DATABASE_URL", roles.runtime_url)
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "refused a privilege this needs (permission denied for schema public)" in err


def audit_queries() -> list[str]:
    """The SQL examples of docs/operations.md, "Reading the audit log", one statement each."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    section = doc.split("\n## Reading the audit log\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sql\n(.*?)```", section, re.DOTALL)
    return [s.strip() for block in blocks for s in block.split(";\n") if s.strip()]


@pytest.mark.anyio
async def test_the_audit_queries_of_the_docs_run_as_the_owner(gql, demo, roles: Roles) -> None:  # type: ignore[no-untyped-def]
    uid = "M-8437-7464-3309"  # the demo LPA the queries name
    assert (await gql(USE, LPA_STATUS, {"uid": uid})).status_code == 200
    assert (await gql(SIRIUS, LPA, {"uid": uid})).status_code == 200
    queries = audit_queries()
    assert len(queries) >= 7  # every example of the section, however many it grows to
    dsn = make_url(roles.owner_url).set(drivername="postgresql").render_as_string(False)
    conn = await asyncpg.connect(dsn)
    try:
        for _ in range(50):  # reads are audited in batches, within a second
            if await conn.fetchval("SELECT count(*) FROM audit_events") >= 2:
                break
            await anyio.sleep(0.1)
        answers = [await conn.fetch(query) for query in queries]
    finally:
        await conn.close()
    who_read_it, what_sirius_did = answers[0], answers[1]
    assert {row["client"] for row in who_read_it} >= {USE, SIRIUS}
    assert [row["operation_name"] for row in what_sirius_did] == ["Read"]


def test_a_role_holding_more_than_it_needs_serves_with_one_warning(
    roles: Roles, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(production(roles.owner_url, tmp_path))  # the owner owns every table

    async def start() -> None:
        async with app.router.lifespan_context(app):
            pass

    asyncio.run(start())
    warnings = [r.getMessage() for r in caplog.records if r.name == "lpa_gateway.startup"]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"database role {roles.owner} holds more than the gateway needs")
    assert "can switch the append-only triggers off" in warnings[0]
