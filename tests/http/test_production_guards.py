"""Production refuses development conveniences: demo data and development keys."""

from __future__ import annotations

import gc
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.authz.keys import KeyConfigError
from app.db.demo import seed_demo
from app.http.app import StartupRefused, create_app
from app.http.collector import YOUNG_THRESHOLD
from app.settings import Settings

pytestmark = pytest.mark.anyio


def keys_file(tmp_path: Path) -> Path:
    public = Ed25519PrivateKey.generate().public_key()
    (tmp_path / "use.pub.pem").write_bytes(
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    path = tmp_path / "client-keys.toml"
    path.write_text(
        '[clients."opg.poas.use"]\nalgorithm = "EdDSA"\naudience = "urn:opg:lpa-gateway"\n'
        'keys = [{ kid = "2026-11", public_key_file = "use.pub.pem" }]\n'
    )
    return path


def production(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        env="production",
        database_url=database_url,
        client_keys_file=keys_file(tmp_path),
        dev_keys_dir=tmp_path / "no-dev-keys",
        allowed_hosts=("localhost",),
    )


async def test_production_starts_on_a_database_without_demo_data(
    database_url: str, tmp_path: Path
) -> None:
    app = create_app(production(database_url, tmp_path))
    async with app.router.lifespan_context(app):
        assert app.state.gateway.settings.is_production


async def test_a_production_worker_settles_the_collector_and_restores_it_on_exit(
    database_url: str, tmp_path: Path, settings: Settings
) -> None:
    before, frozen = gc.get_threshold(), gc.get_freeze_count()  # the suite freezes its own
    app = create_app(production(database_url, tmp_path))
    async with app.router.lifespan_context(app):
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *before[1:])
        assert gc.get_freeze_count() > frozen  # start-up objects are out of the collector's way
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    development = create_app(settings)
    async with development.router.lifespan_context(development):
        assert gc.get_threshold() == before  # development and tests keep the defaults


async def test_production_refuses_to_start_with_demo_data(
    database_url: str, tmp_path: Path, settings: Settings
) -> None:
    dev_app = create_app(settings)
    async with dev_app.router.lifespan_context(dev_app):
        await seed_demo(dev_app.state.gateway.engine)

    app = create_app(production(database_url, tmp_path))
    with pytest.raises(StartupRefused, match="demo"):
        async with app.router.lifespan_context(app):
            pass


def keys_file_with_developer(tmp_path: Path) -> Path:
    path = keys_file(tmp_path)
    path.write_text(
        path.read_text() + '\n[clients."developer"]\nalgorithm = "EdDSA"\naudience = "gw"\n'
        'keys = [{ kid = "1", public_key_file = "use.pub.pem" }]\n'
    )
    return path


async def test_production_refuses_the_developer_client_without_the_switch(
    database_url: str, tmp_path: Path
) -> None:
    settings = replace(
        production(database_url, tmp_path), client_keys_file=keys_file_with_developer(tmp_path)
    )
    app = create_app(settings)
    with pytest.raises(KeyConfigError, match="do not exist in production: developer"):
        async with app.router.lifespan_context(app):
            pass


async def test_production_serves_the_developer_client_only_when_switched_on(
    database_url: str, tmp_path: Path
) -> None:
    settings = replace(
        production(database_url, tmp_path),
        client_keys_file=keys_file_with_developer(tmp_path),
        allow_developer_client=True,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        assert "developer" in app.state.gateway.views
