"""The per-request work of operating the service: request id, metrics, one access-log line.

One pure ASGI middleware wrapped around everything else, Starlette's error middleware included,
so that every response carries `X-Request-ID`: 401s, 404s of unknown paths, 405s, the request
guards' 413/415 and the 500 of an unhandled error alike. It runs on every request: no per-request
objects beyond the id, the send wrapper and the log record; the metric children of a
(route, method, status class) are looked up once and kept.
"""

from __future__ import annotations

import logging
from os import urandom
from time import perf_counter
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from referral_service.errors import problem_body, problem_response
from referral_service.metrics import HTTP_REQUEST_DURATION, HTTP_REQUESTS
from referral_service.ratelimit import STATE_KEY as RATE_LIMIT_STATE
from referral_service.request_context import VALID_REQUEST_ID, request_id_var

access_logger = logging.getLogger("referral_service.access")

UNMATCHED = "<unmatched>"
_HEADER = b"x-request-id"
_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
_STATUS_CLASSES = {1: "1xx", 2: "2xx", 3: "3xx", 4: "4xx", 5: "5xx"}
_INFO = logging.INFO


def new_request_id() -> str:
    return urandom(16).hex()  # 128 random bits, like a uuid4


class RequestObservability:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._children: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        request_id = None
        for name, value in scope["headers"]:
            if name == _HEADER:
                if VALID_REQUEST_ID.fullmatch(value):
                    request_id = value.decode("ascii")
                break
        if request_id is None:
            request_id = new_request_id()
        header = (_HEADER, request_id.encode("ascii"))
        status = 500  # what the client gets when the app fails before answering
        answering = answered = False  # the response has started; it is complete

        async def send_with_id(message: Message) -> None:
            nonlocal status, answering, answered
            if message["type"] == "http.response.body":
                answered = not message.get("more_body", False)
            elif message["type"] == "http.response.start":
                answering = True
                status = message["status"]
                # A new list: the response's own header list may be shared (a reused Response).
                message["headers"] = [*message.get("headers", ()), header]
                # A rate-limited route's RateLimit / RateLimit-Policy (ratelimit.py left them in the state).
                state = scope.get("state")
                if state:
                    entry = state.get(RATE_LIMIT_STATE)
                    if entry is not None:
                        message["headers"] += [
                            (b"ratelimit-policy", entry[0].encode()),
                            (b"ratelimit", entry[1].encode()),
                        ]
            await send(message)

        token = request_id_var.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Starlette's error middleware has logged the error and answered 500, then raised it
            # again. Raised on to the server, a complete answer would cost the client its
            # connection (uvicorn closes it without `Connection: close`) and the log a second
            # traceback. Only a response cut short must end the connection.
            if answering and not answered:
                raise
            if not answering:
                await _internal_error(send_with_id, scope)
        finally:
            request_id_var.reset(token)
            self._record(scope, request_id, status, perf_counter() - started)

    def _record(self, scope: Scope, request_id: str, status: int, elapsed: float) -> None:
        route_path = getattr(scope.get("route"), "path", None)
        template = route_path or UNMATCHED
        method = scope["method"]
        status_class = _STATUS_CLASSES.get(status // 100, "other")
        key = (template, method if method in _METHODS else "OTHER", status_class)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (HTTP_REQUESTS.labels(*key), HTTP_REQUEST_DURATION.labels(*key))
        children[0].inc()
        children[1].observe(elapsed)

        if not access_logger.isEnabledFor(_INFO):
            return
        state = scope.get("state")
        principal = state.get("principal") if state else None
        client = scope.get("client")
        # The path as sent (still percent-encoded, so one line whatever it holds), without the query
        # string: that can carry search terms from a complaint.
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path is not None else scope["path"]
        fields = {
            "request_id": request_id,
            "method": method,
            "path": path,
            "route": route_path,
            "status": status,
            "duration_ms": round(elapsed * 1000, 3),
            "key_id": str(principal.key_id) if principal is not None else None,
            "client": client[0] if client else None,
        }
        # makeRecord + handle is what logger.info does, without looking up the caller's frame.
        access_logger.handle(
            access_logger.makeRecord(
                access_logger.name, _INFO, "", 0, "%s %s %d", (method, path, status), None, extra=fields
            )
        )


async def _internal_error(send: Send, scope: Scope) -> None:
    response = problem_response(problem_body(500, "internal-error", "Internal server error", None, scope.get("path")))
    await response(scope, _disconnected, send)


async def _disconnected() -> Message:
    return {"type": "http.disconnect"}
