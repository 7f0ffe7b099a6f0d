"""Application factory: lifespan resources, routers, error handlers, OpenAPI shape."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from functools import partial
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.responses import Response
from starlette.types import ASGIApp

from referral_service import __version__
from referral_service.agencies.endpoints import router as agencies_router
from referral_service.api_keys.endpoints import router as api_keys_router
from referral_service.attachments.endpoints import router as attachments_router
from referral_service.attachments.slots import UploadSlots
from referral_service.attachments.storage import make_store
from referral_service.audit.endpoints import router as audit_router
from referral_service.auth.dependencies import load_active_key_hashes
from referral_service.auth.key_cache import ApiKeyCache
from referral_service.auth.key_listener import KeyChangeListener
from referral_service.calendar_admin.endpoints import router as calendar_router
from referral_service.complaints.endpoints import router as complaints_router
from referral_service.config import IN_PROCESS_JOBS_ENV, Settings, get_settings
from referral_service.database_figures import DatabaseFigures
from referral_service.db.driver import Db, create_pool, driver_dsn
from referral_service.db.migrate import head_revisions, known_revisions, schema_serves
from referral_service.db.sql import Sql
from referral_service.docs_pages import router as docs_router
from referral_service.erasure.endpoints import router as erasure_router
from referral_service.errors import install_error_handlers, problem_body, problem_response
from referral_service.events.endpoints import router as events_router
from referral_service.events.feed import FeedHorizon, FeedNotifier
from referral_service.inbound.endpoints import router as inbound_router
from referral_service.inbound.uploads import router as inbound_uploads_router
from referral_service.jobs import default_jobs
from referral_service.logs import configure_logging
from referral_service.meta import router as meta_router
from referral_service.metrics import MetricsExposition, forget_this_process, multiprocess_dir, sample_pools_every
from referral_service.middleware import BodyDeadline, ProblemLanguage, RequestGuards
from referral_service.observability import RequestObservability
from referral_service.openapi_docs import finalize_openapi, problem_responses
from referral_service.ratelimit import RateLimiter, limit_by_address
from referral_service.referrals.endpoints import router as referrals_router
from referral_service.regions.endpoints import router as regions_router
from referral_service.reports.endpoints import router as reports_router
from referral_service.ui.pages import router as ui_router
from referral_service.webhooks.docs import register_webhook_docs
from referral_service.webhooks.endpoints import deliveries_router as webhook_deliveries_router
from referral_service.webhooks.endpoints import router as webhook_endpoints_router
from referral_service.worker import WorkerContext, run_jobs

API_DESCRIPTION = """
Shared complaint-referral service between the Ombudsman Republik Indonesia and the regional
governments it oversees: one canonical complaint record, a referral state machine per complaint
and agency, an append-only timeline, and signed webhooks in both directions.

Every `/v1` operation needs `Authorization: Bearer <api key>`. Errors are RFC 9457
`application/problem+json`, their `title` and `detail` in English or, with `Accept-Language: id`, in
Bahasa Indonesia (`Content-Language` says which; `type` and the other members do not change).

Every response carries an `X-Request-ID` header, and every error body the same value as
`request_id`: quote it when asking about a request, it names the request's lines in the service's
logs. Send your own `X-Request-ID` (1-128 characters of `A-Z a-z 0-9 . _ : -`) to have it used
instead of a new one; anything else is ignored and replaced.

Requests are rate limited per API key (600 a minute for ombudsman and agency keys by default), and
failed authentications per source address. Limited responses carry `RateLimit-Policy` and
`RateLimit` headers (draft-ietf-httpapi-ratelimit-headers); over a limit the answer is `429`
`rate-limited` with `Retry-After` in seconds.

While the service's database cannot be reached (a restart, a failover), any operation may answer
`503` `service-unavailable` with `Retry-After`: send the same request again then (a POST with the
same `Idempotency-Key`, so that it takes effect once).
"""

TAGS = [
    {"name": "complaints", "description": "The canonical complaint record, owned by the Ombudsman."},
    {"name": "referrals", "description": "A complaint referred to one agency, and its state machine."},
    {"name": "agencies", "description": "The directory of Inspektorats and OPDs."},
    {
        "name": "regions",
        "description": "The Kemendagri list of provinces and regencies/cities that region codes must be on.",
    },
    {
        "name": "attachments",
        "description": "Evidence documents on complaints and referrals: streamed uploads, scoped downloads.",
    },
    {
        "name": "inbound",
        "description": "Status pushes from regional complaint systems, signed with the agency's inbound secret.",
    },
    {
        "name": "events",
        "description": "The feed of every timeline event a key may see, in a stable order without gaps.",
    },
    {"name": "webhooks", "description": "Outbound webhook subscriptions, their attempt log, resend and recovery."},
    {"name": "calendar", "description": "The working-day calendar deadlines are counted on, and its overrides."},
    {"name": "reports", "description": "Per-agency figures for coordination meetings (JSON or CSV)."},
    {"name": "audit", "description": "Who was shown a confidential complainant's identity (admin)."},
    {"name": "api-keys", "description": "Issuing and revoking API keys (admin)."},
    {"name": "health", "description": "Liveness and readiness probes (no authentication)."},
    {"name": "meta", "description": "The service's index (no authentication) and its Prometheus metrics."},
]


_SCHEMA_VERSIONS = Sql("SELECT version_num FROM alembic_version")


class ServiceApp(FastAPI):
    """FastAPI, with the request id, metrics and access log (observability.py) wrapped around the
    whole middleware stack: outside Starlette's error middleware, so the 500 it renders for an
    unhandled error carries the request id too; and outside that, every problem put in the
    request's language (middleware.ProblemLanguage)."""

    def build_middleware_stack(self) -> ASGIApp:
        return ProblemLanguage(RequestObservability(super().build_middleware_stack()))


def operation_id(route: APIRoute) -> str:
    """`complaints_create`, `referrals_forward`: stable names for generated clients."""
    tag = route.tags[0] if route.tags else "service"
    return f"{str(tag).replace('-', '_')}_{route.name.rstrip('_')}"


def create_app(
    settings: Settings | None = None, *, database_url: str | None = None, run_jobs_in_process: bool = False
) -> FastAPI:
    settings = settings or get_settings()
    url = database_url or settings.database_url

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if url is None:
            raise RuntimeError("No database URL: use `referral-service serve`, which starts the embedded server.")
        # The process's one pool: every route, page and in-process job borrows its connections here.
        app.state.pool = await create_pool(url, size=settings.db_pool_size)
        # Attachment bytes (attachments/storage.py): PostgreSQL through the same pool, or S3.
        app.state.blob_store = make_store(settings, app.state.pool.acquire)
        app.state.expected_heads = head_revisions()
        app.state.known_revisions = known_revisions()
        # Rate-limit leases run on a connection of their own (ratelimit.py): a request holding a pooled
        # connection must never wait for another pooled connection to lease its next tokens.
        app.state.rate_limiter = RateLimiter(settings, driver_dsn(url))
        await app.state.rate_limiter.start()
        stop = asyncio.Event()
        jobs = None
        if run_jobs_in_process:
            jobs = asyncio.create_task(run_jobs(WorkerContext(settings, app.state.pool), stop, default_jobs(url)))
        # Under `serve --workers N` a scrape reaches one process: keep the others' pool figures fresh.
        pool_sampler = None
        if multiprocess_dir() is not None:
            pool_sampler = asyncio.create_task(sample_pools_every(app.state, 5.0))
        # API key lookups cached in memory, kept honest by a LISTEN connection (auth/key_listener.py).
        app.state.key_cache = ApiKeyCache(
            settings.key_cache_seconds, load_active_hashes=partial(load_active_key_hashes, app.state.pool)
        )
        app.state.key_listener = None
        if settings.key_cache_seconds > 0:
            app.state.key_listener = KeyChangeListener(driver_dsn(url), app.state.key_cache)
            await app.state.key_listener.start()
        # The event feed: this process's settled horizon, and one LISTEN connection for long polls.
        app.state.feed_horizon = FeedHorizon()
        app.state.feed_notifier = FeedNotifier(driver_dsn(url))
        await app.state.feed_notifier.start()
        try:
            yield
        finally:
            await app.state.feed_notifier.stop()
            if app.state.key_listener is not None:
                await app.state.key_listener.stop()
            stop.set()
            if jobs is not None:
                await jobs
            if pool_sampler is not None:
                pool_sampler.cancel()
                with suppress(asyncio.CancelledError):
                    await pool_sampler
                forget_this_process()
            await app.state.rate_limiter.close()
            await app.state.blob_store.close()
            await app.state.pool.close()

    app = ServiceApp(
        title="referral-service",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        redirect_slashes=False,
        # Served by docs_pages.py from files in the package instead of a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.metrics = MetricsExposition(DatabaseFigures())
    app.state.rate_limiter = RateLimiter(settings, None)  # replaced by the shared one at startup
    install_error_handlers(app)
    app.add_middleware(
        RequestGuards,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        deadline=BodyDeadline(
            settings.body_grace_seconds, settings.body_min_bytes_per_second, settings.body_timeout_seconds
        ),
    )
    app.state.upload_slots = UploadSlots(settings.uploads_per_key, settings.uploads_per_process)

    @app.get("/healthz", tags=["health"], name="healthz")
    async def healthz() -> dict[str, str]:
        """The process is alive. Does not touch the database."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        name="readyz",
        responses=problem_responses(503),
        dependencies=[Depends(limit_by_address)],
    )
    async def readyz() -> Response:
        """The database answers and its schema is at the latest migration."""
        try:
            # Bounded: a pool busy with requests is no reason for the probe to hang.
            async with app.state.pool.acquire(timeout=5) as conn:
                current = {row["version_num"] for row in await Db(conn).fetch(_SCHEMA_VERSIONS)}
        except Exception:  # any failure here means "not ready", never a 500
            current = None
        # This version's schema, or a later release's (docs/operations.md, Upgrades): see schema_serves.
        if not schema_serves(current, app.state.expected_heads, app.state.known_revisions):
            body = problem_body(503, "not-ready", "Service not ready", "Database unreachable or migrations pending.")
            return problem_response(body)
        return Response(b'{"status":"ready"}', media_type="application/json")

    routers = (
        meta_router,
        docs_router,
        complaints_router,
        erasure_router,
        referrals_router,
        attachments_router,
        agencies_router,
        regions_router,
        inbound_router,
        inbound_uploads_router,
        events_router,
        webhook_endpoints_router,
        webhook_deliveries_router,
        calendar_router,
        reports_router,
        api_keys_router,
        audit_router,
        ui_router,
    )
    for router in routers:
        # The unauthenticated pages are limited per source address; keyed routes per key (get_principal).
        app.include_router(router, dependencies=[Depends(limit_by_address)] if router is docs_router else None)
    register_webhook_docs(app)

    def custom_openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
            webhooks=app.webhooks.routes,
        )
        app.openapi_schema = finalize_openapi(schema)
        return schema

    app.openapi = custom_openapi  # type: ignore[method-assign]
    return app


def app_from_environment() -> FastAPI:
    """The app of one of `serve --workers N`'s processes, configured from the environment."""
    configure_logging()  # a fresh interpreter: nothing has configured its logging yet
    return create_app(run_jobs_in_process=bool(os.environ.get(IN_PROCESS_JOBS_ENV)))
