"""The migrations build exactly the models' schema, on SQLite and PostgreSQL, and undo cleanly."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError

from app.bundled import MIGRATIONS_DIR
from app.db.engine import engine_for_url
from app.db.migrate import downgrade, upgrade
from app.db.models import Base


def _run(url: str, fn: Any) -> Any:
    async def main() -> Any:
        engine = engine_for_url(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(fn)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _tables(url: str) -> set[str]:
    return set(_run(url, lambda sync: inspect(sync).get_table_names()))


def test_upgrade_head_on_an_empty_database_creates_every_table(empty_database_url: str) -> None:
    assert _tables(empty_database_url) == set()
    upgrade(empty_database_url)
    assert _tables(empty_database_url) == set(Base.metadata.tables) | {"alembic_version"}


def test_autogenerate_finds_no_difference_from_the_models(empty_database_url: str) -> None:
    upgrade(empty_database_url)

    def diff(sync: Any) -> list[Any]:
        context = MigrationContext.configure(sync, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    assert _run(empty_database_url, diff) == []


def test_downgrade_base_removes_everything(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    downgrade(empty_database_url)
    assert _tables(empty_database_url) == {"alembic_version"}
    upgrade(empty_database_url)  # and it can come back
    assert "lpas" in _tables(empty_database_url)


def test_fee_schedule_is_seeded_by_migration(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    rows = _run(
        empty_database_url,
        lambda sync: sync.exec_driver_sql(
            "SELECT fee_type, amount_pence FROM fees WHERE effective_from = '2025-11-17'"
        ).all(),
    )
    assert sorted(rows) == [("full", 9200), ("half", 4600), ("quarter", 2300)]


def test_migration_files_are_dated() -> None:
    names = [p.name for p in (MIGRATIONS_DIR / "versions").glob("*.py")]
    assert names
    for name in names:
        assert re.fullmatch(r"20\d{6}_[0-9a-f]+_\w+\.py", name), name


BEFORE_DOCUMENT_ID = "9a4c2e71b8d3"


def _audit_columns(url: str) -> set[str]:
    return {c["name"] for c in _run(url, lambda sync: inspect(sync).get_columns("audit_events"))}


def _audit_rewrite_refused(url: str) -> bool:
    def attempt(sync: Any) -> bool:
        sync.exec_driver_sql(
            "INSERT INTO audit_events (occurred_at, kind, request_id, decision, lpa_uids, "
            "duration_ms) VALUES ('2026-12-02 00:00:00+00:00', 'request', 'r', 'allowed', '[]', 1)"
        )
        try:
            with sync.begin_nested():
                sync.exec_driver_sql("UPDATE audit_events SET decision = 'denied'")
        except DBAPIError:
            return True
        return False

    return bool(_run(url, attempt))


def test_the_document_id_column_comes_and_goes_and_the_audit_stays_append_only(
    empty_database_url: str,
) -> None:
    upgrade(empty_database_url)
    assert "document_id" in _audit_columns(empty_database_url)
    assert _audit_rewrite_refused(empty_database_url)
    downgrade(empty_database_url, BEFORE_DOCUMENT_ID)
    assert "document_id" not in _audit_columns(empty_database_url)
    assert {"document_hash", "decision"} <= _audit_columns(empty_database_url)
    assert _audit_rewrite_refused(empty_database_url)
    upgrade(empty_database_url)
    assert "document_id" in _audit_columns(empty_database_url)
