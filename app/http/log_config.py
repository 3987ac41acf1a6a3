"""Logging, configured once per process: one handler on stderr, JSON or readable.

`lpa-gateway serve` and `dev` hand `logging_config(settings)` to uvicorn as its `log_config`,
so every worker process applies the same configuration, uvicorn's own loggers included.
uvicorn's access log keeps method, path and status but never the query string, where a
careless caller could have put personal data (request bodies are never logged at all).
Loggers that could print SQL parameters are held at WARNING whatever the level.
"""

from __future__ import annotations

import logging
import logging.config
from typing import Any

from app.settings import Settings

GRAPHQL_PATH = "/graphql"
QUIET_LOGGERS = ("sqlalchemy", "aiosqlite", "asyncpg", "httpx", "httpcore")


class AccessLogFilter(logging.Filter):
    """uvicorn.access records: drop the query string, add method, path and status fields.
    A POST to /graphql is left out: the gateway's own request line says all it would, and more."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            client_addr, method, full_path, http_version, status = args
            path = str(full_path).split("?", 1)[0]
            if method == "POST" and path == GRAPHQL_PATH:
                return False
            record.args = (client_addr, method, path, http_version, status)
            record.method, record.path, record.status = method, path, status
        return True


def logging_config(settings: Settings) -> dict[str, Any]:
    level = settings.log_level
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"access": {"()": f"{__name__}.AccessLogFilter"}},
        "formatters": {
            "json": {"()": "app.http.log_format.JsonFormatter"},
            "text": {"()": "app.http.log_format.TextFormatter"},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json" if settings.json_logs else "text",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {
                "handlers": [],
                "level": level,
                "propagate": True,
                "filters": ["access"],
            },
            **{
                name: {"handlers": [], "level": "WARNING", "propagate": True}
                for name in QUIET_LOGGERS
            },
        },
    }


def configure_logging(settings: Settings) -> dict[str, Any]:
    """Apply the configuration in this process; answer it for uvicorn's workers too."""
    config = logging_config(settings)
    logging.config.dictConfig(config)
    return config
