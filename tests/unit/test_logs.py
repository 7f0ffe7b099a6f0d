"""Log formats: one JSON object per line (or text), the caller's fields carried, the request id added."""

from __future__ import annotations

import io
import json
import logging
import re
import sys

import pytest

from referral_service.logs import (
    QUIET_LIBRARY_LOGGERS,
    JsonFormatter,
    RequestIdFilter,
    TextFormatter,
    configure_logging,
    make_handler,
    wants_json,
)
from referral_service.request_context import request_id_var

RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def record(
    message: str = "delivery %s sent", *args, level: int = logging.INFO, exc_info=None, **extra
) -> logging.LogRecord:
    logger = logging.getLogger("referral_service.webhooks.dispatcher")
    return logger.makeRecord(logger.name, level, __file__, 1, message, args or ("d-1",), exc_info, extra=extra)


def test_json_line_has_the_standard_fields_and_every_extra_field() -> None:
    line = JsonFormatter().format(record(delivery_id=42, endpoint_id="e-7", duration_ms=1.5, key_id=None))
    assert "\n" not in line
    data = json.loads(line)
    assert RFC3339_UTC.fullmatch(data.pop("time"))
    assert data == {
        "level": "INFO",
        "logger": "referral_service.webhooks.dispatcher",
        "message": "delivery d-1 sent",
        "delivery_id": 42,
        "endpoint_id": "e-7",
        "duration_ms": 1.5,
        "key_id": None,
    }


def test_json_line_carries_the_traceback_and_leaves_out_uvicorn_colour_codes() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        exc_info = sys.exc_info()
    data = json.loads(
        JsonFormatter().format(
            record("failed %s", level=logging.ERROR, exc_info=exc_info, color_message="\x1b[31mfailed")
        )
    )
    assert data["level"] == "ERROR"
    assert "RuntimeError: boom" in data["exc_info"]
    assert "color_message" not in data


def test_text_line_appends_the_extra_fields() -> None:
    line = TextFormatter().format(record(delivery_id=42, endpoint_id="e-7"))
    assert re.fullmatch(
        r"\S+Z INFO referral_service\.webhooks\.dispatcher: delivery d-1 sent delivery_id=42 endpoint_id=e-7", line
    ), line


def test_records_written_during_a_request_carry_its_id() -> None:
    stream = io.StringIO()
    handler = make_handler("json", stream)
    logger = logging.getLogger("test.request_id_filter")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("outside a request")
        token = request_id_var.set("req-123")
        try:
            logger.warning("inside")
            logger.warning("explicit", extra={"request_id": "given"})
        finally:
            request_id_var.reset(token)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert "request_id" not in lines[0]
    assert lines[1]["request_id"] == "req-123"
    assert lines[2]["request_id"] == "given"
    assert any(isinstance(f, RequestIdFilter) for f in handler.filters)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_auto_is_json_unless_a_person_is_watching() -> None:
    assert wants_json("auto", io.StringIO()) is True
    assert wants_json("auto", _Terminal()) is False
    assert wants_json("json", _Terminal()) is True
    assert wants_json("text", io.StringIO()) is False
    assert isinstance(make_handler("auto", io.StringIO()).formatter, JsonFormatter)
    assert isinstance(make_handler("auto", _Terminal()).formatter, TextFormatter)


@pytest.fixture
def fresh_root():
    """The root logger, emptied by the test itself (pytest adds its capture handlers to it when the
    test starts), and everything put back afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level, {name: logging.getLogger(name).level for name in QUIET_LIBRARY_LOGGERS}
    saved_flags = logging.logProcesses, logging.logMultiprocessing, logging.logThreads
    try:
        yield root
    finally:
        root.handlers, level, quiet = saved
        root.setLevel(level)
        for name, value in quiet.items():
            logging.getLogger(name).setLevel(value)
        logging.logProcesses, logging.logMultiprocessing, logging.logThreads = saved_flags


def test_configure_logging_installs_one_handler_and_keeps_libraries_quiet(fresh_root) -> None:
    fresh_root.handlers = []
    configure_logging("json", "info")
    configure_logging("text", "warning")  # again: replaces its own handler
    assert len(fresh_root.handlers) == 1
    assert isinstance(fresh_root.handlers[0].formatter, TextFormatter)
    assert fresh_root.level == logging.WARNING
    for name in QUIET_LIBRARY_LOGGERS:  # httpx logs subscriber URLs at INFO
        assert logging.getLogger(name).level == logging.WARNING


def test_configure_logging_leaves_someone_elses_handlers_alone(fresh_root) -> None:
    theirs = logging.NullHandler()
    fresh_root.handlers = [theirs]
    fresh_root.setLevel(logging.ERROR)
    configure_logging("json", "debug")
    assert fresh_root.handlers == [theirs] and fresh_root.level == logging.ERROR
    assert logging.getLogger("httpx").level == logging.WARNING
