"""OpenTelemetry for the gateway: an OTLP exporter configured by the standard environment
(OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS,
OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, ...), a server span per request that continues
the caller's W3C `traceparent`, and database spans from SQLAlchemy when its instrumentation
is installed.

Imported only when LPA_GATEWAY_OTEL=true. The SQLAlchemy instrumentation is one per process:
it is switched on with the first app and off when that app closes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from sqlalchemy.ext.asyncio import AsyncEngine

from .tracing import Attributes, RequestSpan

TRACER_NAME = "lpa-gateway"
log = logging.getLogger("lpa_gateway.tracing")


def otlp_provider() -> TracerProvider:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    name = os.environ.get("OTEL_SERVICE_NAME") or "lpa-gateway"
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


class _Span:
    recording = True

    def __init__(self, span: Span) -> None:
        self.span = span

    def finish(self, name: str, attributes: Attributes, failed: bool) -> None:
        self.span.update_name(name)
        self.span.set_attributes(dict(attributes))
        if failed:
            self.span.set_status(Status(StatusCode.ERROR))  # no description: it could quote values


class OtelTracing:
    def __init__(self, provider: TracerProvider, engine: AsyncEngine) -> None:
        self.provider = provider
        self.tracer = provider.get_tracer(TRACER_NAME)
        self.instrumentor = _instrument_sqlalchemy(provider, engine)

    @contextmanager
    def request_span(self, headers: Mapping[str, str]) -> Iterator[RequestSpan]:
        carrier = {name: headers[name] for name in ("traceparent", "tracestate") if name in headers}
        parent = TraceContextTextMapPropagator().extract(carrier)
        with self.tracer.start_as_current_span(
            "graphql",
            context=parent,
            kind=SpanKind.SERVER,
            record_exception=False,  # an exception message could quote personal values
            set_status_on_exception=False,
        ) as span:
            yield _Span(span)

    def close(self) -> None:
        if self.instrumentor is not None:
            self.instrumentor.uninstrument()
        self.provider.shutdown()


def _instrument_sqlalchemy(provider: TracerProvider, engine: AsyncEngine) -> Any:
    try:
        from opentelemetry.instrumentation.sqlalchemy import (
            SQLAlchemyInstrumentor,
        )
    except ImportError:
        log.warning("opentelemetry-instrumentation-sqlalchemy is missing: no database spans")
        return None
    instrumentor = SQLAlchemyInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        log.warning("SQLAlchemy is already instrumented in this process: no database spans")
        return None
    # Its dependency check declares SQLAlchemy < 2.1 and refuses 2.1; the engine events it
    # hooks (before/after_cursor_execute, checkout, checkin) are unchanged in 2.1, and the
    # OpenTelemetry tests here check that its spans appear and hold no parameters.
    instrumentor.instrument(
        engine=engine.sync_engine, tracer_provider=provider, skip_dep_check=True
    )
    return instrumentor
