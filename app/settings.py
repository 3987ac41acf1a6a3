"""Settings, read once from `LPA_GATEWAY_*` environment variables and frozen.

Invariant: nothing secret has a default outside development. In production every key source
must be configured explicitly, and development conveniences (dev keys, demo data, the
`developer` client) are refused.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.bundled import POLICY_DIR, SCHEMA_DIR

PREFIX = "LPA_GATEWAY_"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./var/lpa-gateway.sqlite3"
DEFAULT_POLICY_DIR = POLICY_DIR  # the policy installed with the gateway
DEFAULT_DOCUMENTS_DIR = SCHEMA_DIR / "documents"  # the trusted documents installed with it


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable, never its value."""


Environment = Literal["development", "production"]
LogFormat = Literal["json", "text"]
Pooler = Literal["none", "transaction"]
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MIN_METRICS_TOKEN_LENGTH = 32
DATABASE_DRIVERS = ("postgresql+asyncpg", "sqlite+aiosqlite")


@dataclass(frozen=True, slots=True)
class Settings:
    env: Environment = "development"
    database_url: str = DEFAULT_DATABASE_URL
    dev_keys_dir: Path = Path("var/dev-keys")
    client_keys_file: Path | None = None
    policy_dir: Path = DEFAULT_POLICY_DIR
    documents_dir: Path = DEFAULT_DOCUMENTS_DIR  # the trusted documents, one manifest per client
    allow_developer_client: bool = False
    token_max_lifetime_seconds: int = 3600
    db_pool_size: int = 20
    db_connect_timeout_seconds: float = 2.0
    request_timeout_seconds: float = 10.0
    statement_timeout_ms: int = 5000
    # "transaction": a transaction-mode pooler (PgBouncer) stands between the gateway and
    # PostgreSQL, so no named prepared statement or session setting outlives a transaction.
    database_pooler: Pooler = "none"
    # Reads that may lag (app/db/replica.py) go here while it is at most
    # `max_replica_lag_seconds` behind the primary; None: every read goes to the primary.
    read_database_url: str | None = None
    max_replica_lag_seconds: int = 5
    redis_url: str | None = None
    redis_prefix: str = "lpa-gateway"
    oracle_failure_budget: int = 5
    oracle_window_seconds: int = 24 * 3600
    graphiql: bool | None = None  # None: on in development, off in production
    metrics_token: str | None = field(default=None, repr=False)  # a secret: never in repr
    otel: bool = False
    log_format: LogFormat | None = None  # None: text in development, json in production
    log_level: str = "INFO"
    # Host names the gateway answers for, besides loopback in development (app/http/hosts.py)
    allowed_hosts: tuple[str, ...] = ()

    # Test-only: mutations forget idempotency keys, so retries run twice. It exists for the
    # fault storm's negative control; production refuses it.
    unsafe_disable_idempotency: bool = False
    # run documents through their compiled plans (app/graphql/plans/) instead of graphql-core
    compiled_plans: bool = True

    def __post_init__(self) -> None:
        if self.env == "production" and self.unsafe_disable_idempotency:
            raise SettingsError(
                f"{PREFIX}UNSAFE_DISABLE_IDEMPOTENCY is a test-only setting; production refuses it"
            )

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def graphiql_enabled(self) -> bool:
        return (not self.is_production) if self.graphiql is None else self.graphiql

    @property
    def json_logs(self) -> bool:
        return (self.log_format or ("json" if self.is_production else "text")) == "json"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        read = _Reader(os.environ if environ is None else environ)
        mode = read.text("ENV") or "development"
        if mode not in ("development", "production"):
            raise SettingsError(f"{PREFIX}ENV must be 'development' or 'production'")
        database_url = read.text("DATABASE_URL")
        if mode == "production" and database_url is None:
            raise SettingsError(f"{PREFIX}DATABASE_URL is required in production")
        keys_file = read.text("CLIENT_KEYS_FILE")
        log_format = read.text("LOG_FORMAT")
        if log_format not in (None, "json", "text"):
            raise SettingsError(f"{PREFIX}LOG_FORMAT must be 'json' or 'text'")
        log_level = (read.text("LOG_LEVEL") or "INFO").upper()
        if log_level not in LOG_LEVELS:
            raise SettingsError(f"{PREFIX}LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        allowed_hosts = read.names("ALLOWED_HOSTS")
        if "*" in allowed_hosts:
            raise SettingsError(
                f"{PREFIX}ALLOWED_HOSTS lists host names (`*.example.org` for subdomains), not *"
            )
        pooler = read.text("DATABASE_POOLER") or "none"
        if pooler not in ("none", "transaction"):
            raise SettingsError(f"{PREFIX}DATABASE_POOLER must be 'none' or 'transaction'")
        read_database_url = read.text("READ_DATABASE_URL")
        if read_database_url is not None and not read_database_url.startswith("postgresql"):
            raise SettingsError(f"{PREFIX}READ_DATABASE_URL must be a PostgreSQL URL")
        metrics_token = read.text("METRICS_TOKEN")
        if metrics_token is not None and len(metrics_token) < MIN_METRICS_TOKEN_LENGTH:
            raise SettingsError(
                f"{PREFIX}METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_LENGTH} characters"
            )
        return cls(
            env=mode,  # type: ignore[arg-type]  # checked just above
            database_url=_database_url(database_url) if database_url else DEFAULT_DATABASE_URL,
            dev_keys_dir=Path(read.text("DEV_KEYS_DIR") or "var/dev-keys"),
            client_keys_file=Path(keys_file) if keys_file else None,
            policy_dir=Path(read.text("POLICY_DIR") or DEFAULT_POLICY_DIR),
            documents_dir=Path(read.text("DOCUMENTS_DIR") or DEFAULT_DOCUMENTS_DIR),
            allow_developer_client=read.switch("ALLOW_DEVELOPER_CLIENT"),
            token_max_lifetime_seconds=read.positive_int("TOKEN_MAX_LIFETIME_SECONDS", 3600),
            db_pool_size=read.positive_int("DB_POOL_SIZE", 20),
            request_timeout_seconds=read.positive_int("REQUEST_TIMEOUT_SECONDS", 10),
            statement_timeout_ms=read.positive_int("STATEMENT_TIMEOUT_MS", 5000),
            database_pooler=pooler,  # type: ignore[arg-type]  # checked just above
            read_database_url=read_database_url,
            max_replica_lag_seconds=read.positive_int("MAX_REPLICA_LAG_SECONDS", 5),
            redis_url=read.text("REDIS_URL"),
            redis_prefix=read.text("REDIS_PREFIX") or "lpa-gateway",
            oracle_failure_budget=read.positive_int("ORACLE_FAILURE_BUDGET", 5),
            oracle_window_seconds=read.positive_int("ORACLE_WINDOW_SECONDS", 24 * 3600),
            unsafe_disable_idempotency=read.switch("UNSAFE_DISABLE_IDEMPOTENCY"),
            compiled_plans=read.switch("COMPILED_PLANS", default=True),
            graphiql=read.switch("GRAPHIQL") if read.text("GRAPHIQL") else None,
            metrics_token=metrics_token,
            otel=read.switch("OTEL"),
            log_format=log_format,  # type: ignore[arg-type]  # checked just above
            log_level=log_level,
            allowed_hosts=allowed_hosts,
        )


def _database_url(raw: str) -> str:
    try:
        driver = make_url(raw).drivername
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise SettingsError(f"{PREFIX}DATABASE_URL is not a database URL") from None
    if driver not in DATABASE_DRIVERS:
        schemes = " or ".join(f"{d}://" for d in DATABASE_DRIVERS)
        raise SettingsError(f"{PREFIX}DATABASE_URL must start with {schemes}")
    return raw


@dataclass(frozen=True, slots=True)
class _Reader:
    environ: Mapping[str, str]

    def text(self, name: str) -> str | None:
        return self.environ.get(PREFIX + name) or None

    def names(self, name: str) -> tuple[str, ...]:
        """A comma-separated list, lower-cased, blanks dropped."""
        return tuple(n.strip().lower() for n in (self.text(name) or "").split(",") if n.strip())

    def switch(self, name: str, default: bool = False) -> bool:
        raw = (self.text(name) or ("true" if default else "false")).lower()
        if raw not in ("true", "false"):
            raise SettingsError(f"{PREFIX}{name} must be true or false")
        return raw == "true"

    def positive_int(self, name: str, default: int) -> int:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{PREFIX}{name} must be a whole number") from None
        if value <= 0:
            raise SettingsError(f"{PREFIX}{name} must be positive")
        return value
