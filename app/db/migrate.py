from __future__ import annotations

from alembic import command
from alembic.config import Config

from app.bundled import MIGRATIONS_DIR


def alembic_config(database_url: str) -> Config:
    # Built here rather than read from pyproject.toml, which an installed wheel does not have;
    # pyproject's [tool.alembic] serves the `alembic` command in a checkout (new revisions).
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)
