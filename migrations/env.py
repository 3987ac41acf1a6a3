"""Alembic environment: async engine, batch mode so the same migrations run on SQLite."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from app.db.engine import engine_for_url
from app.db.models import Base
from app.db.types import UTCDateTime
from app.settings import Settings

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    url = config.attributes.get("database_url")
    return str(url) if url else Settings.from_env().database_url


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Migrations stay independent of the app's Python types: UTCDateTime is a plain
    # timezone-aware DateTime in the database.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    engine = engine_for_url(database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_with)
            await connection.commit()
    finally:  # a refused migration leaves no connection behind
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
asyncio.run(run_online())
