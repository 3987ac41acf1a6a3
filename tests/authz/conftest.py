from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
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
            async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
                yield app, c

    return start


@pytest.fixture
def full_policy() -> Any:
    return load_policy()
