"""The pooler and read-replica settings: defaults, accepted values and refusals."""

from __future__ import annotations

import pytest

from app.settings import Settings, SettingsError

REPLICA = "postgresql+asyncpg://gateway@replica.internal/lpa"


def test_by_default_no_pooler_and_no_replica() -> None:
    settings = Settings.from_env({})
    assert settings.database_pooler == "none"
    assert settings.read_database_url is None
    assert settings.max_replica_lag_seconds == 5


def test_a_transaction_pooler_and_a_replica_are_taken() -> None:
    settings = Settings.from_env(
        {
            "LPA_GATEWAY_DATABASE_POOLER": "transaction",
            "LPA_GATEWAY_READ_DATABASE_URL": REPLICA,
            "LPA_GATEWAY_MAX_REPLICA_LAG_SECONDS": "1",
        }
    )
    assert settings.database_pooler == "transaction"
    assert settings.read_database_url == REPLICA
    assert settings.max_replica_lag_seconds == 1


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_POOLER", "session", "DATABASE_POOLER must be 'none' or 'transaction'"),
        ("READ_DATABASE_URL", "sqlite+aiosqlite:///r.db", "READ_DATABASE_URL must be a PostgreSQL"),
        ("MAX_REPLICA_LAG_SECONDS", "0", "MAX_REPLICA_LAG_SECONDS must be positive"),
        ("MAX_REPLICA_LAG_SECONDS", "soon", "MAX_REPLICA_LAG_SECONDS must be a whole number"),
    ],
)
def test_bad_values_are_refused_naming_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message) as refused:
        Settings.from_env({f"LPA_GATEWAY_{name}": value})
    assert value not in str(refused.value)  # the message names the variable, never its value
