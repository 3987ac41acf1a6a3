"""Shared fixtures: a fresh, migrated database per test, on SQLite and on PostgreSQL.

Every test that asks for `database_url` runs once per backend. PostgreSQL runs when
LPA_GATEWAY_TEST_POSTGRES_URL names a server (an admin database URL, e.g.
postgresql+asyncpg://postgres@127.0.0.1:5432/postgres); if it is set but unreachable the tests
error rather than skip. Each run migrates one template database per backend, and each test
gets its own copy, dropped afterwards.
"""

from __future__ import annotations

import gc
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url
from starlette.applications import Starlette

from app.authz.tokens import mint_dev_token
from app.db.migrate import upgrade
from app.http.app import create_app
from app.settings import Settings
from tests.copies import Copies, drop_database
from tests.factories import SUBS
from tests.roles import Roles, in_process_cli, operator_roles, run_sql
from tests.spy import ResolverSpy

POSTGRES_ADMIN_URL = os.environ.get("LPA_GATEWAY_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_ADMIN_URL else [])]
RUN_ID = uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def _pg_url(database: str) -> str:
    assert POSTGRES_ADMIN_URL is not None
    return make_url(POSTGRES_ADMIN_URL).set(database=database).render_as_string(hide_password=False)


def pg_admin(*statements: str) -> None:
    """Each statement on its own, as `CREATE DATABASE` must be. `run_sql` speaks plain asyncpg
    on the simple query protocol: it names no statement, so it never draws on asyncpg's
    process-wide statement counter, which a pooler test resets while the copies' thread
    (tests/copies.py) may be running statements here."""
    assert POSTGRES_ADMIN_URL is not None
    for statement in statements:
        run_sql(POSTGRES_ADMIN_URL, statement)


class Templates(dict[str, str]):
    """Each backend's migrated template (a SQLite file, a PostgreSQL database's name), and on
    PostgreSQL the copies of it made ahead (tests/copies.py)."""

    copies: Copies | None = None


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    made = Templates()
    sqlite_file = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite+aiosqlite:///{sqlite_file}")
    made["sqlite"] = str(sqlite_file)
    if POSTGRES_ADMIN_URL:
        name = f"lpa_gw_template_{RUN_ID}"
        pg_admin(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
        upgrade(_pg_url(name))
        made["postgresql"] = name
        made.copies = Copies(name, f"lpa_gw_{RUN_ID}", pg_admin)
    yield made
    if made.copies is not None:
        made.copies.close()
        pg_admin(drop_database(made["postgresql"]))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Once every test module is imported, what exists now (modules, the schema, hypothesis)
    is frozen out of the collector's way, as a production worker freezes its start-up
    (app/http/collector.py). Each test builds a gateway, whose survivors made the collector
    walk the whole heap once a test or so, for 0.2 to 0.35 s each on CI's machine."""
    _freeze()


def pytest_runtest_setup(item: pytest.Item) -> None:
    if gc.get_freeze_count() == 0:  # a production worker's exit unfroze everything
        _freeze()


def _freeze() -> None:
    gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`postgres_only` tests run only on PostgreSQL: their SQLite variants are deselected, and
    without LPA_GATEWAY_TEST_POSTGRES_URL they skip, saying why (CI always sets it)."""
    keep, dropped = [], []
    for item in items:
        params = getattr(item, "callspec", None)
        on_sqlite = params is not None and params.params.get("backend") == "sqlite"
        if item.get_closest_marker("postgres_only") and on_sqlite:
            if POSTGRES_ADMIN_URL:
                dropped.append(item)
                continue
            item.add_marker(pytest.mark.skip(reason="needs LPA_GATEWAY_TEST_POSTGRES_URL"))
        keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture
def database_url(backend: str, templates: Templates, tmp_path: Path) -> Iterator[str]:
    """A migrated database of this test's own."""
    with migrated_database(backend, templates, tmp_path / "gateway.sqlite3") as url:
        yield url


@contextmanager
def migrated_database(backend: str, templates: Templates, sqlite_file: Path) -> Iterator[str]:
    """A copy of the migrated template, dropped afterwards (PostgreSQL)."""
    if backend == "sqlite":
        shutil.copy(templates["sqlite"], sqlite_file)
        yield f"sqlite+aiosqlite:///{sqlite_file}"
        return
    assert templates.copies is not None
    name = templates.copies.take()
    try:
        yield _pg_url(name)
    finally:
        templates.copies.drop(name)


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database, for migration tests."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"lpa_gw_{RUN_ID}_empty_{uuid.uuid4().hex[:10]}"
    pg_admin(f'CREATE DATABASE "{name}"')
    yield _pg_url(name)
    pg_admin(drop_database(name))


@pytest.fixture(scope="session")
def dev_keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dev-keys")


@pytest.fixture
def settings(database_url: str, dev_keys_dir: Path) -> Settings:
    return Settings(env="development", database_url=database_url, dev_keys_dir=dev_keys_dir)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        yield client


@pytest.fixture
def token(settings: Settings) -> Callable[[str], str]:
    def make(client: str) -> str:
        return mint_dev_token(settings, client, SUBS[client])

    return make


@pytest.fixture
def gql(http: httpx.AsyncClient, token: Callable[[str], str]) -> Callable[..., object]:
    """POST one operation as `client`, the way that client's service would."""

    async def call(
        client: str, query: str, variables: dict[str, object] | None = None
    ) -> httpx.Response:
        body: dict[str, object] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return await http.post(
            "/graphql", json=body, headers={"Authorization": f"Bearer {token(client)}"}
        )

    return call


@pytest.fixture
def spy(app: Starlette) -> ResolverSpy:
    """Records every resolver that runs, in every client view of `app`."""
    recorder = ResolverSpy()
    recorder.install([view.schema for view in app.state.gateway.views.values()])
    return recorder


@pytest.fixture
async def demo(app: Starlette) -> list[dict[str, object]]:
    from app.db.demo import seed_demo

    return await seed_demo(app.state.gateway.engine)


@pytest.fixture
def roles(
    empty_database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Roles]:
    """The owning and the runtime role of docs/operations.md, made with `lpa-gateway grants`
    on a fresh database that the owner migrated (PostgreSQL; tests/roles.py)."""
    with operator_roles(empty_database_url, in_process_cli(capsys, monkeypatch)) as made:
        yield made
