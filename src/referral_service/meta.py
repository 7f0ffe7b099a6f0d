"""The service's own operations: the index at `/` and the Prometheus metrics at `/metrics`.

`/` answers API clients with JSON and sends a browser to the web view: the answer follows `Accept`.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import RedirectResponse, Response

from referral_service import __version__
from referral_service.auth.dependencies import BearerCredentials, get_principal
from referral_service.auth.roles import Role
from referral_service.errors import Forbidden
from referral_service.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from referral_service.openapi_docs import problem_responses
from referral_service.ratelimit import limit_by_address

router = APIRouter(tags=["meta"])

_LINKS_EXAMPLE: dict[str, Any] = {
    "docs": "/docs",
    "redoc": "/redoc",
    "openapi": "/openapi.json",
    "healthz": "/healthz",
    "readyz": "/readyz",
    "metrics": "/metrics",
    "ui": "/ui/",
}


class IndexLinks(BaseModel):
    """Where the service's documentation, probes, metrics and web pages are (paths on this service)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_LINKS_EXAMPLE]})

    docs: str = Field(description="Swagger UI: the API, operation by operation, with a console.")
    redoc: str = Field(description="ReDoc: the same document as one reading page.")
    openapi: str = Field(description="The OpenAPI 3.1 document.")
    healthz: str = Field(description="Liveness probe.")
    readyz: str = Field(description="Readiness probe.")
    metrics: str = Field(description="Prometheus metrics (an admin key or the metrics token).")
    ui: str = Field(description="The web pages for people (sign in with an API key); where a browser at `/` is sent.")


class ServiceIndex(BaseModel):
    """What this service is, and where its documentation, probes and metrics are."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "referral-service", "version": "0.1.0", "links": _LINKS_EXAMPLE}]}
    )

    name: str
    version: str
    links: IndexLinks


# What a browser's Accept asks for and an API client's does not; `*/*` (curl, httpx) gets the JSON.
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/*")
_JSON_TYPES = ("application/json", "application/*", "*/*")


def prefers_html(accept: str | None) -> bool:
    """True when `Accept` ranks an HTML type above JSON (highest q wins; ties go to the order given)."""
    if not accept:
        return False
    ranked = []
    for position, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        media = media.lower()
        if q > 0 and media in _HTML_TYPES + _JSON_TYPES:
            ranked.append((-q, position, media))
    return bool(ranked) and min(ranked)[2] in _HTML_TYPES


@router.get(
    "/",
    response_model=ServiceIndex,
    name="index",
    dependencies=[Depends(limit_by_address)],
    responses={
        303: {
            "description": "A browser (an `Accept` that prefers `text/html` to JSON) is sent to the web pages.",
            "headers": {"Location": {"description": "`/ui/`, the web view's start.", "schema": {"type": "string"}}},
        }
    },
)
async def index(request: Request, response: Response) -> Response | ServiceIndex:
    """The service's name and version, and links to its documentation (`/docs`, `/redoc`,
    `/openapi.json`), probes (`/healthz`, `/readyz`), metrics (`/metrics`) and web pages (`/ui/`).
    No authentication.

    API clients (`Accept: application/json`, `*/*` or none) get this JSON; a browser, whose `Accept`
    prefers `text/html`, is redirected (303) to the web pages at `/ui/`."""
    root = request.scope.get("root_path", "")
    # Read from the request, not declared as a parameter: the index takes no input that could be invalid.
    if prefers_html(request.headers.get("accept")):
        return RedirectResponse(f"{root}/ui/", status_code=303, headers={"Vary": "Accept"})
    response.headers["Vary"] = "Accept"  # a cache must not hand the JSON to a browser, or the redirect to a client
    return ServiceIndex(
        name="referral-service",
        version=__version__,
        links=IndexLinks(
            docs=f"{root}/docs",
            redoc=f"{root}/redoc",
            openapi=f"{root}/openapi.json",
            healthz=f"{root}/healthz",
            readyz=f"{root}/readyz",
            metrics=f"{root}/metrics",
            ui=f"{root}/ui/",
        ),
    )


async def metrics_access(request: Request, credentials: BearerCredentials) -> None:
    """An admin key, or REFERRAL_METRICS_TOKEN when it is set."""
    token = request.app.state.settings.metrics_token
    presented = credentials.credentials.strip() if credentials is not None else ""
    if (
        token is not None
        and presented
        and hmac.compare_digest(presented.encode("utf-8", "surrogatepass"), token.get_secret_value().encode())
    ):
        return
    principal = await get_principal(request, credentials)
    if principal.role is not Role.ADMIN:
        raise Forbidden("Metrics need an admin key or the metrics token.")


class PrometheusText(Response):
    media_type = "text/plain"


@router.get(
    "/metrics",
    name="metrics",
    response_class=PrometheusText,
    responses={
        200: {
            "description": "Prometheus text exposition format (version 0.0.4).",
            "content": {
                "text/plain": {
                    "schema": {"type": "string"},
                    "example": (
                        "# HELP referral_http_requests_total HTTP requests answered, by route template, method and "
                        "status class.\n# TYPE referral_http_requests_total counter\n"
                        'referral_http_requests_total{method="GET",route="/v1/referrals",status_class="2xx"} 1027.0\n'
                    ),
                }
            },
        },
        **problem_responses(401, 403),
    },
)
async def metrics(request: Request, _: Annotated[None, Depends(metrics_access)]) -> Response:
    """Prometheus metrics, for a scraper: requests and latency by route template and status class,
    database pool use, the webhook outbox backlog and the age of its oldest delivery, open and overdue
    referrals per agency, inbound pushes by result, and the background jobs run in this process.

    Needs an admin key, or the token in `REFERRAL_METRICS_TOKEN` (as `Authorization: Bearer <token>`)
    when the operator set one. Under `serve --workers N` any process answers for all of them.
    """
    body = await request.app.state.metrics.render(request.app.state)
    return Response(body, media_type=METRICS_CONTENT_TYPE)
