"""Pure ASGI middleware (no BaseHTTPMiddleware: it costs a task per request)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from referral_service.errors import problem_body, problem_response

_BODY_METHODS = {b"POST", b"PUT", b"PATCH"}
_JSON_TYPES = ("application/json", "application/merge-patch+json", "application/problem+json")
# The web pages' forms (under /ui/) post urlencoded bodies; the API takes JSON only.
_FORM_TYPE = "application/x-www-form-urlencoded"
# Attachment uploads: the raw file as the body, any media type (the endpoint checks it), their own
# size limit, counted by the endpoint while it streams the body to storage.
UPLOAD_PATH = re.compile(r"^/v1/(?:complaints/[^/]+|referrals/[^/]+|inbound/[^/]+)/attachments$")


@dataclass(frozen=True, slots=True)
class BodyDeadline:
    """How long a body may take to arrive: `grace` seconds, then at least `min_rate` bytes a second
    counted from the start of the request, and never more than `limit` seconds in all."""

    grace: float
    min_rate: float
    limit: float

    def due(self, started: float, received: int) -> float:
        """When (loop time) the next piece of a body that has brought `received` bytes is overdue."""
        return started + min(self.limit, self.grace + received / self.min_rate)


class RequestGuards:
    """Refuses oversized bodies (413) before anything parses them, non-JSON bodies (415), and bodies
    that do not arrive in time (408, `deadline`), then closes the connection.

    Attachment uploads (`UPLOAD_PATH`) are let through with any media type; a declared
    `Content-Length` over `max_upload_bytes` is refused here, and the endpoint counts the rest.

    When a guard answers while the app is reading the body, the app sees the client disconnect, and
    whatever it answers after is dropped."""

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        max_upload_bytes: int | None = None,
        deadline: BodyDeadline | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes if max_upload_bytes is not None else max_body_bytes
        self.deadline = deadline

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"].encode() not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        started = asyncio.get_running_loop().time()
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        # Any body method: routing then answers 405 for a method the upload paths do not take.
        upload = UPLOAD_PATH.match(scope["path"]) is not None
        if upload:
            if declared is not None and declared.isdigit() and int(declared) > self.max_upload_bytes:
                await _refuse(
                    send,
                    scope,
                    413,
                    "payload-too-large",
                    "Request body too large",
                    f"An attachment must not exceed {self.max_upload_bytes} bytes.",
                )
                return
        elif declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await _refuse(send, scope, 400, "bad-request", "Bad request", "Content-Length is not a number.")
                return
            if length > self.max_body_bytes:
                await self._too_large(scope, send)
                return
        if not upload:
            declared_length = int(declared) if declared is not None else None
            has_body = (declared_length is None and b"transfer-encoding" in headers) or (declared_length or 0) > 0
            if has_body:
                media_type = headers.get(b"content-type", b"").split(b";", 1)[0].strip().decode("latin-1").lower()
                is_form = media_type == _FORM_TYPE and scope.get("path", "").startswith("/ui/")
                if media_type not in _JSON_TYPES and not is_form:
                    await _refuse(
                        send,
                        scope,
                        415,
                        "unsupported-media-type",
                        "Unsupported media type",
                        "Send the body as application/json.",
                    )
                    return

        # The endpoint counts an upload's bytes against its own limit as it streams them.
        limit = None if upload else self.max_body_bytes
        deadline = self.deadline
        received = 0
        refused = False
        body_done = False

        async def guarded_receive() -> Message:
            nonlocal received, refused, body_done
            if refused:
                return {"type": "http.disconnect"}
            if deadline is None or body_done:
                message = await receive()
            else:
                try:
                    async with asyncio.timeout_at(deadline.due(started, received)):
                        message = await receive()
                except TimeoutError:
                    refused = True
                    await _refuse(
                        send,
                        scope,
                        408,
                        "request-timeout",
                        "The request body did not arrive in time",
                        f"The body must arrive within {deadline.grace:g} s and then at {deadline.min_rate:g} bytes "
                        f"a second or more, within {deadline.limit:g} s in all.",
                    )
                    return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
                if limit is not None and received > limit:
                    # Answer now and make the app see a disconnect; whatever it sends after is dropped.
                    refused = True
                    await self._too_large(scope, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except ClientDisconnect:
            # The client went away, or a guard answered and cut the body off: nothing more to say.
            if not refused:
                raise

    async def _too_large(self, scope: Scope, send: Send) -> None:
        await _refuse(
            send,
            scope,
            413,
            "payload-too-large",
            "Request body too large",
            f"The body must not exceed {self.max_body_bytes} bytes.",
        )


async def _refuse(send: Send, scope: Scope, status: int, slug: str, title: str, detail: str) -> None:
    # The rest of the body is never read: the connection cannot carry another request.
    headers = {"Connection": "close"}
    response = problem_response(problem_body(status, slug, title, detail, scope.get("path")), headers)
    await response({"type": "http"}, _empty_receive, send)


async def _empty_receive() -> Message:
    return {"type": "http.disconnect"}
