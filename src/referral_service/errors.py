"""One error hierarchy, rendered as RFC 9457 problem details (`application/problem+json`).

Every error the service returns goes through here, including FastAPI's own validation
errors and Starlette's 404/405, so clients parse exactly one error shape.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

import asyncpg
import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import compile_path

from referral_service.db.driver import describe, unreachable
from referral_service.logs import FailureLog
from referral_service.request_context import request_id_var

logger = logging.getLogger("referral_service.errors")
# While the database is away every request that needs it fails: one line, then a count a minute.
_UNAVAILABLE = FailureLog(logger, "requests", then="answered 503 while the database cannot be reached")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://referral-service.dev/problems/"


class ProblemError(Exception):
    """Base for every error a client should see. Subclasses fix status, slug and title."""

    status: int = 500
    slug: str = "internal-error"
    title: str = "Internal server error"

    def __init__(self, detail: str | None = None, *, headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(detail or self.title)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        return problem_body(self.status, self.slug, self.title, self.detail, instance, **self.extra)


class BadRequest(ProblemError):
    status, slug, title = 400, "bad-request", "Bad request"


class Unauthorized(ProblemError):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str | None = None, **extra: Any):
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="referral-service"'}, **extra)


class InvalidSignature(ProblemError):
    status, slug, title = 401, "invalid-signature", "Webhook signature verification failed"


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Not permitted for this API key"


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "Resource not found"


class RequestTimeout(ProblemError):
    status, slug, title = 408, "request-timeout", "The request body did not arrive in time"


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", "Conflict with the current state"


class TransitionConflict(Conflict):
    slug, title = "transition-not-allowed", "Action not allowed in the current state"


class IdempotencyInFlight(Conflict):
    slug, title = "idempotency-key-in-use", "A request with this Idempotency-Key is still being processed"


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "precondition-failed", "If-Match does not match the current ETag"


class PreconditionRequired(ProblemError):
    status, slug, title = 428, "precondition-required", "This request requires If-Match"


class PayloadTooLarge(ProblemError):
    status, slug, title = 413, "payload-too-large", "Request body too large"


class UnsupportedMediaType(ProblemError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class RangeNotSatisfiable(ProblemError):
    status, slug, title = 416, "range-not-satisfiable", "Range not satisfiable"


class UnprocessableEntity(ProblemError):
    status, slug, title = 422, "unprocessable-entity", "The request could not be processed"


class IdempotencyKeyReused(UnprocessableEntity):
    slug, title = "idempotency-key-reused", "Idempotency-Key was already used with a different request"


class ServiceUnavailable(ProblemError):
    """The database cannot be reached (a restart, a failover, the network): nothing is wrong with the
    request, and the same request may be sent again in a moment."""

    status, slug, title = 503, "service-unavailable", "Service unavailable"
    RETRY_AFTER_SECONDS = 1

    def __init__(self) -> None:
        super().__init__(
            "The service's database cannot be reached at the moment. Send the request again after "
            "`Retry-After` seconds (a POST with the same `Idempotency-Key`).",
            headers={"Retry-After": str(self.RETRY_AFTER_SECONDS)},
        )


class RateLimited(ProblemError):
    """Over a rate limit (ratelimit.py); `Retry-After` says in how many seconds to try again."""

    status, slug, title = 429, "rate-limited", "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class TooManyUploads(ProblemError):
    """Over the uploads one key (or address) may have in progress at once: its own to wait for."""

    status, slug, title = 429, "too-many-uploads", "Too many uploads in progress"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class UploadsBusy(ProblemError):
    """The process receives as many uploads as it may at once: anyone's to wait for."""

    status, slug, title = 503, "uploads-busy", "Too many uploads in progress on the server"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


_DEFAULT_TITLES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Resource not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-error", "Request validation failed"),
    429: ("too-many-requests", "Too many requests"),
}


def problem_body(
    status: int, slug: str, title: str, detail: str | None = None, instance: str | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": PROBLEM_TYPE_BASE + slug, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    # The request's id (also in its X-Request-ID header and its log lines), to quote to support.
    request_id = request_id_var.get()
    if request_id is not None:
        body["request_id"] = request_id
    body.update(extra)
    return body


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        content=orjson.dumps(body), status_code=body["status"], media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def _safe_text(value: Any, limit: int = 200) -> str:
    """Error messages must survive hostile input (lone surrogates, NaN, huge strings)."""
    text = str(value)
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text[:limit]


def field_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    # Never echo the submitted input back: it may be un-encodable, and it may be personal data.
    out = []
    for err in errors:
        loc = [part if isinstance(part, int) else _safe_text(part, 100) for part in err.get("loc", ())]
        out.append(
            {"loc": loc, "message": _safe_text(err.get("msg", "invalid")), "type": _safe_text(err.get("type", ""))}
        )
    return out


def validation_problem(errors: Iterable[Mapping[str, Any]], instance: str | None = None) -> dict[str, Any]:
    return problem_body(
        422,
        "validation-error",
        "Request validation failed",
        "One or more fields are invalid; see `errors`.",
        instance,
        errors=field_errors(errors),
    )


def allowed_methods(request: Request) -> str:
    """Every method the API serves on this path, for a 405's `Allow`.

    Starlette's own 405 names only the methods of the first route that matched the path, but here
    each method of a path is a route of its own. The OpenAPI document lists them all, by path.
    """
    table: list[tuple[re.Pattern[str], str]] | None = getattr(request.app.state, "allowed_methods", None)
    if table is None:
        table = []
        for path, item in request.app.openapi().get("paths", {}).items():
            methods = {m.upper() for m in item if m in ("get", "put", "post", "delete", "patch", "head", "options")}
            table.append((compile_path(path)[0], ", ".join(sorted(methods))))
        request.app.state.allowed_methods = table
    for regex, allowed in table:
        if regex.match(request.url.path):
            return allowed
    return ""


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> Response:
        return problem_response(exc.to_problem(request.url.path), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        # A body that is not JSON at all is a syntax problem, not a field problem.
        if any(e.get("type") == "json_invalid" for e in errors):
            return problem_response(
                problem_body(400, "malformed-json", "Request body is not valid JSON", None, request.url.path)
            )
        return problem_response(validation_problem(errors, request.url.path))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        slug, title = _DEFAULT_TITLES.get(exc.status_code, ("http-error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        return problem_response(problem_body(exc.status_code, slug, title, detail, request.url.path), headers)

    async def _unavailable(request: Request, exc: Exception) -> Response:
        if not unreachable(exc):
            raise exc  # to `_unexpected`: a 500
        _UNAVAILABLE.failed(describe(exc))
        problem = ServiceUnavailable()
        return problem_response(problem.to_problem(request.url.path), problem.headers)

    # Only the kinds of error that can mean "the database cannot be reached" come here first.
    for kind in (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError):
        app.add_exception_handler(kind, _unavailable)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        if isinstance(exc, asyncpg.PostgresError):
            # The server's messages can quote the values given (complainant identity): the kind only.
            logger.error(
                "database error on %s %s: %s (SQLSTATE %s)",
                request.method,
                request.url.path,
                type(exc).__name__,
                exc.sqlstate,
            )
        else:
            logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(problem_body(500, "internal-error", "Internal server error", None, request.url.path))
