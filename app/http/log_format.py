"""Log records as one JSON object per line (production) or one readable line (development).

Only named fields leave a record: time, level, logger, message and the request fields below,
when a call passes them with `extra=`. An exception is shown as its type and stack frames;
its message is left out in JSON, because exception messages can quote the values that caused
them. The readable format is for a developer's own machine and keeps the whole traceback.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime
from typing import Any, Final

import orjson

FIELDS: Final = (
    "request_id",
    "client",
    "operation",
    "root_field",
    "document_id",
    "outcome",
    "reason",
    "status",
    "duration_ms",
    "method",
    "path",
)


# What orjson would write its own way (dates, dataclasses) goes to `default`, as in the stdlib.
_AS_THE_STDLIB: Final = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    given = record.__dict__  # `extra=` fields are set there, as attributes of the record
    return {name: given[name] for name in FIELDS if name in given}


def _json(entry: dict[str, Any]) -> str:
    try:
        return orjson.dumps(entry, default=str, option=_AS_THE_STDLIB).decode()
    except TypeError:  # a lone surrogate, an integer past 64 bits: the stdlib writes those
        return json.dumps(entry, default=str, ensure_ascii=False, separators=(",", ":"))


_second: tuple[int, str] = (-1, "")  # the last whole second written, as text


def _iso_millis(created: float) -> str:
    """`datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")`, with the
    text of the last whole second remembered: records come many to a second."""
    global _second
    whole = int(created)
    micros = round((created - whole) * 1e6)  # as datetime rounds: half to even
    if micros >= 1_000_000:
        whole, micros = whole + 1, micros - 1_000_000
    second, text = _second
    if second != whole:
        text = datetime.fromtimestamp(whole, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        _second = (whole, text)
    return f"{text}.{micros // 1000:03d}+00:00"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _iso_millis(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info and record.exc_info[0] is not None:
            kind, _, trace = record.exc_info
            entry["exception"] = kind.__name__
            entry["stack"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(trace)
            ]
        return _json(entry)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802  # stdlib name
        line = super().formatMessage(record)
        if record.name == "uvicorn.access":  # its message already says method, path, status
            return line
        extras = " ".join(f"{name}={value}" for name, value in _fields(record).items())
        return f"{line} {extras}" if extras else line
