"""Pure ASGI middleware (no BaseHTTPMiddleware: it costs a task per request)."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from referral_service.errors import problem_body, problem_response

_BODY_METHODS = {b"POST", b"PUT", b"PATCH"}
_JSON_TYPES = ("application/json", "application/merge-patch+json", "application/problem+json")
# The web pages' forms (under /ui/) post urlencoded bodies; the API takes JSON only.
_FORM_TYPE = "application/x-www-form-urlencoded"
# Attachment uploads: the raw file as the body, any media type (the endpoint checks it), their own
# size limit, counted by the endpoint while it streams the body to storage.
UPLOAD_PATH = re.compile(r"^/v1/(?:complaints/[^/]+|referrals/[^/]+|inbound/[^/]+)/attachments$")


class RequestGuards:
    """Refuses oversized bodies (413) before anything parses them, and non-JSON bodies (415).

    Attachment uploads (`UPLOAD_PATH`) are let through with any media type; a declared
    `Content-Length` over `max_upload_bytes` is refused here, and the endpoint counts the rest."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes if max_upload_bytes is not None else max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"].encode() not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        # Any body method: routing then answers 405 for a method the upload paths do not take.
        if UPLOAD_PATH.match(scope["path"]):
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
            await self.app(scope, receive, send)
            return
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await _refuse(send, scope, 400, "bad-request", "Bad request", "Content-Length is not a number.")
                return
            if length > self.max_body_bytes:
                await self._too_large(scope, send)
                return
        else:
            length = None
        has_body = (length is None and b"transfer-encoding" in headers) or (length or 0) > 0
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

        received = 0
        refused = False

        async def guarded_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # Answer now and make the app see a disconnect; whatever it sends after is dropped.
                    refused = True
                    await self._too_large(scope, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, guarded_receive, guarded_send)

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
    response = problem_response(problem_body(status, slug, title, detail, scope.get("path")))
    await response({"type": "http"}, _empty_receive, send)


async def _empty_receive() -> Message:
    return {"type": "http.disconnect"}
