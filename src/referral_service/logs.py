"""Log formats: one JSON object per line for machines, or text for people.

Every record carries `time` (RFC 3339, UTC), `level`, `logger` and `message`, then whatever the
caller passed as `extra` (the access log's `request_id`, `route`, `status`, `duration_ms`,
`key_id`; the worker's `delivery_id`, `endpoint_id`), and `request_id` of the request being
served when it was written during one. JSON is python-json-logger's formatter on orjson.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, TextIO

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.orjson import OrjsonFormatter

from referral_service.request_context import request_id_var

# LogRecord attributes that are not the caller's fields. `color_message` is uvicorn's copy of its
# message with terminal colours; `taskName` is Python 3.12's.
_NOT_FIELDS = frozenset((*RESERVED_ATTRS, "color_message", "taskName"))


def _rfc3339(created: float) -> str:
    seconds = int(created)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int((created - seconds) * 1000):03d}Z"


class JsonFormatter(OrjsonFormatter):
    """`{"time": ..., "level": ..., "logger": ..., "message": ..., <extra fields>}` on one line."""

    def __init__(self) -> None:
        super().__init__(
            "{asctime}{levelname}{name}{message}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            reserved_attrs=sorted(_NOT_FIELDS),
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _rfc3339(record.created)


class TextFormatter(logging.Formatter):
    """`<time> <level> <logger>: <message> key=value ...`, the extra fields appended."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _rfc3339(record.created)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = [f"{key}={value}" for key, value in log_fields(record).items()]
        if not fields:
            return text
        head, newline, tail = text.partition("\n")  # keep a traceback below the fields
        return f"{head} {' '.join(fields)}{newline}{tail}"


class RequestIdFilter(logging.Filter):
    """Gives every record written while a request is served that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "request_id" not in record.__dict__:
            request_id = request_id_var.get()
            if request_id is not None:
                record.request_id = request_id
        return True


def wants_json(log_format: str, stream: TextIO | None = None) -> bool:
    """`json`, `text`, or `auto`: JSON unless the stream is a terminal (someone is reading it)."""
    if log_format != "auto":
        return log_format == "json"
    stream = stream or sys.stderr
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real stream
        return True


def skip_unused_record_attributes() -> None:
    """No format here shows a record's process or thread: do not collect them for every record
    (about a microsecond of each access-log line)."""
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging.logThreads = False


def make_handler(log_format: str, stream: TextIO | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if wants_json(log_format, handler.stream) else TextFormatter())
    handler.addFilter(RequestIdFilter())
    return handler


def log_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The caller's fields of a record (its `extra`), e.g. for tests."""
    return {key: value for key, value in record.__dict__.items() if key not in _NOT_FIELDS and not key.startswith("_")}
