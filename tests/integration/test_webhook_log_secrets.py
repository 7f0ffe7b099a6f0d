"""Credentials in subscriber URLs (`?token=...`, `user:pass@`) never reach the log.

Real deliveries to a receiver on loopback (a success, retried failures, a refused connection and a
destination the egress policy refuses), with logging configured the way the CLI configures it,
and every record that reaches the root logger captured.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from referral_service.logs import configure_logging
from referral_service.webhooks.models import WebhookEndpoint

TOKEN = "SECRET-TOKEN-4f1c9a"
PASSWORD = "SECRET-PASSWORD-77d2e0"
USER = "SECRET-USER-b81f"
SECRETS = (TOKEN, PASSWORD, USER)


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _text(record: logging.LogRecord) -> str:
    text = record.getMessage()
    if record.exc_info:
        text += logging.Formatter().formatException(record.exc_info)
    return text + (record.stack_info or "")


@pytest.fixture
def cli_logging() -> Iterator[Capture]:
    """Logging as `referral-service` sets it up in a fresh process, plus a handler on the root
    logger that keeps every record reaching it. Everything is put back afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_levels = {
        name: logger.level
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    root.handlers = []  # so that basicConfig configures, as it does in a fresh process
    configure_logging()
    capture = Capture()
    root.addHandler(capture)
    try:
        yield capture
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


def _with_credentials(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{USER}:{PASSWORD}@{rest}?token={TOKEN}"


async def _set_url(app, endpoint_id: str, url: str) -> None:
    # The API refuses userinfo in a URL; endpoints saved before that rule (or by hand) may have it.
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id).values(url=url))


async def _wait_until_done(api, endpoint_id: str, timeout: float = 10.0) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        response = await api.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries")
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        if items and all(item["status"] in ("delivered", "failed") for item in items):
            return items[0]
        assert asyncio.get_running_loop().time() < deadline, f"deliveries not finished: {items}"
        await asyncio.sleep(0.05)


async def _deliver_to_urls_with_credentials(app, ombudsman, receiver, subscribe, worker) -> dict[str, dict]:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    targets = {
        "ok": receiver.url(receiver.new_path("ok")),
        "500": receiver.url(receiver.new_path("500")),
        "refused": f"http://127.0.0.1:{closed_port}/hook",
        "blocked": "http://10.0.0.1/hook",  # outside the test allow-list (127.0.0.0/8)
    }
    endpoints = {}
    for name, url in targets.items():
        # Saved with a plain URL that passes the check, then given credentials behind the API's back.
        endpoint = await subscribe(ombudsman, receiver.url("/placeholder"))
        await _set_url(app, endpoint["id"], _with_credentials(url))
        endpoints[name] = endpoint
    worker()
    for endpoint in endpoints.values():
        assert (await ombudsman.post(f"/v1/webhook-endpoints/{endpoint['id']}/test")).status_code == 202
    return {name: await _wait_until_done(ombudsman, endpoint["id"]) for name, endpoint in endpoints.items()}


async def test_no_subscriber_credential_in_any_log_line_at_info_or_above(
    app, ombudsman, receiver, subscribe, worker, cli_logging
):
    outcomes = await _deliver_to_urls_with_credentials(app, ombudsman, receiver, subscribe, worker)

    assert outcomes["ok"]["status"] == "delivered"
    assert all(outcomes[name]["status"] == "failed" for name in ("500", "refused", "blocked"))
    # The delivery really went to the URL with credentials (httpx sends its userinfo as Basic auth).
    [received] = [r for r in receiver.requests if r.answered == "ok"]
    assert base64.b64decode(received.headers["authorization"].removeprefix("Basic ")).decode() == f"{USER}:{PASSWORD}"
    leaking = [
        f"{record.levelname} {record.name}: {_text(record)}"
        for record in cli_logging.records
        if record.levelno >= logging.INFO and any(secret in _text(record) for secret in SECRETS)
    ]
    assert leaking == []


async def test_no_subscriber_credential_in_http_client_logs_even_at_debug(
    app, ombudsman, receiver, subscribe, worker, cli_logging
):
    # An operator troubleshooting turns everything up, the HTTP client's loggers included.
    for name in ("", "httpx", "httpcore", "referral_service"):
        logging.getLogger(name).setLevel(logging.DEBUG)

    await _deliver_to_urls_with_credentials(app, ombudsman, receiver, subscribe, worker)

    request_lines = [_text(r) for r in cli_logging.records if r.name == "httpx" and "HTTP Request" in _text(r)]
    assert request_lines, "httpx's request lines should have been captured"
    assert any("/hook/" in line for line in request_lines)  # the path stays, for troubleshooting
    leaking = [
        f"{record.levelname} {record.name}: {_text(record)}"
        for record in cli_logging.records
        if any(secret in _text(record) for secret in SECRETS)
    ]
    assert leaking == []
