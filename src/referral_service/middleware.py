"""Pure ASGI middleware (no BaseHTTPMiddleware: it costs a task per request)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

import orjson
from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from referral_service.errors import PROBLEM_MEDIA_TYPE, problem_body, problem_response
from referral_service.problem_texts import PAGES_COOKIE, localize, pick_language

_BODY_METHODS = {b"POST", b"PUT", b"PATCH"}
_JSON_TYPES = ("application/json", "application/merge-patch+json", "application/problem+json")
# The web pages' forms (under /ui/) post urlencoded bodies; the API takes JSON only.
_FORM_TYPE = "application/x-www-form-urlencoded"
# Attachment uploads: the raw file as the body, any media type (the endpoint checks it), their own
# size limit, counted by the endpoint while it streams the body to storage.
UPLOAD_PATH = re.compile(r"^/v1/(?:complaints/[^/]+|referrals/[^/]+|inbound/[^/]+)/attachments$")
# The web pages' upload form: multipart/form-data, on this path only, counted like an upload (plus
# room for the form's other fields and the part headers).
PAGE_UPLOAD_PATH = re.compile(r"^/ui/referrals/[^/]+/attachments$")
PAGE_UPLOAD_OVERHEAD = 64 * 1024
_MULTIPART_TYPE = "multipart/form-data"


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
        page_upload = PAGE_UPLOAD_PATH.match(scope["path"]) is not None
        upload = page_upload or UPLOAD_PATH.match(scope["path"]) is not None
        if page_upload:
            media_type = headers.get(b"content-type", b"").split(b";", 1)[0].strip().decode("latin-1").lower()
            if media_type != _MULTIPART_TYPE:
                await _refuse(
                    send,
                    scope,
                    415,
                    "unsupported-media-type",
                    "Unsupported media type",
                    "Send the form as multipart/form-data.",
                )
                return
        if upload:
            allowed = self.max_upload_bytes + (PAGE_UPLOAD_OVERHEAD if page_upload else 0)
            if declared is not None and declared.isdigit() and int(declared) > allowed:
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


class ProblemLanguage:
    """Problem details in the request's language (problem_texts): `title` and `detail` in Bahasa
    Indonesia when it asks for `id`, and `Content-Language` on every problem answer. Wraps the whole
    application, so every problem passes here, whoever wrote it. Other answers pass untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: Message | None = None
        chunks: list[bytes] = []
        passing = False

        async def localized_send(message: Message) -> None:
            nonlocal held, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").split(";", 1)[0].strip() != PROBLEM_MEDIA_TYPE:
                    passing = True
                    await send(message)
                    return
                lang = _language(scope)
                headers["Content-Language"] = lang
                headers.add_vary_header("Accept-Language")
                if lang == "en":  # the texts as written
                    passing = True
                    await send(message)
                    return
                held = message
                return
            if message["type"] != "http.response.body" or held is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            try:
                problem = orjson.loads(body)
            except orjson.JSONDecodeError:
                problem = None
            headers = MutableHeaders(scope=held)
            if isinstance(problem, dict):
                body = orjson.dumps(localize(problem, headers["Content-Language"]))
                # Only a body written anew changes length (a HEAD answer has none and keeps its own).
                if "content-length" in headers:
                    headers["Content-Length"] = str(len(body))
            else:
                headers["Content-Language"] = "en"
            start, held, passing = held, None, True
            await send(start)
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, localized_send)


def _language(scope: Scope) -> str:
    accept_language: str | None = None
    cookie: str | None = None
    for name, value in scope.get("headers", ()):
        if name == b"accept-language":
            accept_language = value.decode("latin-1")
        elif name == b"cookie":
            for pair in value.decode("latin-1").split(";"):
                key, _, cookie_value = pair.strip().partition("=")
                if key == PAGES_COOKIE:
                    cookie = cookie_value.strip()
    return pick_language(accept_language, scope.get("path", ""), cookie)
