from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import GraphQLSchema
from starlette.applications import Starlette

from app.authz.policy import load_policy
from app.http.app import create_app
from app.settings import DEFAULT_POLICY_DIR, Settings

Edit = Callable[[dict[str, str]], None]


@pytest.fixture
def policy_copy(tmp_path: Path) -> Callable[[Edit], Path]:
    """A copy of permissions/ with some files' text changed, for policy variants."""

    def make(edit: Edit) -> Path:
        folder = tmp_path / "permissions"
        shutil.copytree(DEFAULT_POLICY_DIR, folder, dirs_exist_ok=True)
        texts = {p.name: p.read_text() for p in folder.glob("*.toml")}
        edit(texts)
        for name, text in texts.items():
            (folder / name).write_text(text)
        return folder

    return make


@pytest.fixture
def app_with_policy(settings: Settings) -> Callable[[Path], Any]:
    @asynccontextmanager
    async def start(folder: Path) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
        app = create_app(replace(settings, policy_dir=folder))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as c:
                yield app, c

    return start


class ResolverSpy:
    """Wraps every resolver of every client view and records which fields ran."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def install(self, schemas: list[GraphQLSchema]) -> None:
        from graphql import GraphQLObjectType

        seen: set[int] = set()
        for schema in schemas:
            for named in schema.type_map.values():
                if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
                    continue
                for name, field in named.fields.items():
                    if id(field) in seen:
                        continue
                    seen.add(id(field))
                    field.resolve = self._wrap(f"{named.name}.{name}", field.resolve)

    def _wrap(self, coordinate: str, resolve: Any) -> Any:
        from graphql import default_field_resolver

        inner = resolve or default_field_resolver

        def spy(root: Any, info: Any, **args: Any) -> Any:
            self.calls.append(coordinate)
            return inner(root, info, **args)

        return spy


@pytest.fixture
def spy(app: Starlette) -> ResolverSpy:
    recorder = ResolverSpy()
    recorder.install([view.schema for view in app.state.gateway.views.values()])
    return recorder


@pytest.fixture
def full_policy() -> Any:
    return load_policy()
