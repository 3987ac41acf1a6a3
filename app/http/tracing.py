"""Tracing, off unless LPA_GATEWAY_OTEL=true: then one OpenTelemetry span per GraphQL request.

The span carries the client, the operation name, its root field, the outcome and the request
id; never the document, its variables or the query string. Switched off, every call here is a
no-op and OpenTelemetry is not even imported. Switched on, it needs the `otel` extra
(`pip install 'lpa-gateway[otel]'`); see app/http/otel.py.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from app.settings import Settings

Attributes = Mapping[str, str | int | float]


class TracingUnavailable(RuntimeError):
    """LPA_GATEWAY_OTEL=true, but OpenTelemetry is not installed."""


class RequestSpan(Protocol):
    recording: bool  # False: `finish` does nothing, so its attributes need not be built

    def finish(self, name: str, attributes: Attributes, failed: bool) -> None: ...


class Tracing(Protocol):
    def request_span(self, headers: Mapping[str, str]) -> AbstractContextManager[RequestSpan]: ...

    def close(self) -> None: ...


class _NoSpan:
    recording = False

    def finish(self, name: str, attributes: Attributes, failed: bool) -> None:
        return None


class _NoSpanContext:
    """One for every request: a generator-based context manager per request costs more."""

    def __init__(self) -> None:
        self.span = _NoSpan()

    def __enter__(self) -> RequestSpan:
        return self.span

    def __exit__(self, *_: object) -> None:
        return None


_NO_SPAN = _NoSpanContext()


class NoTracing:
    def request_span(self, headers: Mapping[str, str]) -> AbstractContextManager[RequestSpan]:
        return _NO_SPAN

    def close(self) -> None:
        return None


def require_tracing(settings: Settings) -> None:
    """Fail with one clear line when tracing is on but OpenTelemetry is missing."""
    if settings.otel:
        _otel_module()


def start_tracing(settings: Settings, engine: AsyncEngine, provider: Any = None) -> Tracing:
    """`provider`, an OpenTelemetry TracerProvider, replaces the OTLP exporter (tests)."""
    if not settings.otel:
        return NoTracing()
    otel = _otel_module()
    return otel.OtelTracing(provider or otel.otlp_provider(), engine)  # type: ignore[no-any-return]


def _otel_module() -> Any:
    try:
        return importlib.import_module(f"{__package__}.otel")
    except ImportError as error:
        raise TracingUnavailable(
            "LPA_GATEWAY_OTEL=true needs OpenTelemetry: pip install 'lpa-gateway[otel]'"
        ) from error
