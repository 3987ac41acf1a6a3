"""The operations settings: GraphiQL, metrics token, tracing, log format and level."""

from __future__ import annotations

import pytest

from app.settings import Settings, SettingsError

PRODUCTION = {"LPA_GATEWAY_ENV": "production", "LPA_GATEWAY_DATABASE_URL": "sqlite+aiosqlite://"}
TOKEN = "t" * 32


def test_defaults_follow_the_environment() -> None:
    development = Settings.from_env({})
    production = Settings.from_env(PRODUCTION)
    assert (development.graphiql_enabled, production.graphiql_enabled) == (True, False)
    assert (development.json_logs, production.json_logs) == (False, True)
    assert development.metrics_token is None
    assert production.metrics_token is None
    assert development.otel is production.otel is False
    assert development.log_level == "INFO"


@pytest.mark.parametrize(
    ("environ", "graphiql", "json_logs"),
    [
        ({"LPA_GATEWAY_GRAPHIQL": "true"}, True, True),
        ({"LPA_GATEWAY_GRAPHIQL": "false"}, False, True),
        ({"LPA_GATEWAY_LOG_FORMAT": "text"}, False, False),
    ],
)
def test_production_can_switch_graphiql_on_and_logs_to_text(
    environ: dict[str, str], graphiql: bool, json_logs: bool
) -> None:
    settings = Settings.from_env({**PRODUCTION, **environ})
    assert (settings.graphiql_enabled, settings.json_logs) == (graphiql, json_logs)


def test_development_can_switch_graphiql_off_and_logs_to_json() -> None:
    settings = Settings.from_env(
        {"LPA_GATEWAY_GRAPHIQL": "false", "LPA_GATEWAY_LOG_FORMAT": "json"}
    )
    assert (settings.graphiql_enabled, settings.json_logs) == (False, True)


def test_the_metrics_token_is_read_and_never_shown() -> None:
    settings = Settings.from_env({"LPA_GATEWAY_METRICS_TOKEN": TOKEN})
    assert settings.metrics_token == TOKEN
    assert TOKEN not in repr(settings)


def test_tracing_and_log_level() -> None:
    settings = Settings.from_env({"LPA_GATEWAY_OTEL": "true", "LPA_GATEWAY_LOG_LEVEL": "debug"})
    assert settings.otel is True
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("METRICS_TOKEN", "short", "at least 32 characters"),
        ("GRAPHIQL", "yes", "true or false"),
        ("OTEL", "1", "true or false"),
        ("LOG_FORMAT", "xml", "'json' or 'text'"),
        ("LOG_LEVEL", "TRACE", "one of DEBUG"),
    ],
)
def test_bad_values_are_refused_without_echoing_them(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message) as refused:
        Settings.from_env({f"LPA_GATEWAY_{name}": value})
    assert f"LPA_GATEWAY_{name}" in str(refused.value)
    assert value not in str(refused.value).replace(f"LPA_GATEWAY_{name}", "")
