"""Background jobs: `referral-service worker` runs them; `serve` runs them in-process on the
embedded default. Every job must be safe with any number of workers running at once (claim work
with FOR UPDATE SKIP LOCKED, or make it idempotent), since scaling out means more workers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from referral_service.config import Settings

logger = logging.getLogger("referral_service.worker")


@dataclass(frozen=True)
class WorkerContext:
    sessionmaker: async_sessionmaker[AsyncSession]
    settings: Settings


@dataclass(frozen=True)
class Job:
    name: str
    # Returns how much work it did; a job that did some runs again at once, otherwise sleeps.
    run_once: Callable[[WorkerContext], Awaitable[int]]
    idle_seconds: float
    # Called once when the worker stops, to finish in-flight work and release resources.
    on_stop: Callable[[WorkerContext], Awaitable[None]] | None = None


async def _purge_idempotency_keys(ctx: WorkerContext) -> int:
    from referral_service.idempotency import purge_expired

    async with ctx.sessionmaker() as session, session.begin():
        await purge_expired(session)
    return 0


async def _retention(ctx: WorkerContext) -> int:
    from referral_service.complaints.retention import run_retention

    return await run_retention(ctx)


async def _deadline_reminders(ctx: WorkerContext) -> int:
    from referral_service.reminders.jobs import run_deadline_reminders

    return await run_deadline_reminders(ctx)


class _PendingBlobCleanup:
    """Deletes blobs of uploads whose row never committed (attachments/service.py), with a blob store
    of its own: PostgreSQL through the job's session, or the configured S3 service."""

    def __init__(self) -> None:
        self._store = None

    def _connect(self, ctx: WorkerContext):
        from contextlib import asynccontextmanager

        from referral_service.db.driver import db_of

        @asynccontextmanager
        async def connect():
            async with ctx.sessionmaker() as session, session.begin():
                yield (await db_of(session)).conn

        return connect

    async def run_once(self, ctx: WorkerContext) -> int:
        from referral_service.attachments.service import clean_pending_blobs
        from referral_service.attachments.storage import make_store

        if self._store is None:
            self._store = make_store(ctx.settings, self._connect(ctx))
        async with self._connect(ctx)() as conn:
            return await clean_pending_blobs(conn, self._store, older_than_seconds=ctx.settings.pending_blob_minutes * 60)

    async def close(self, ctx: WorkerContext) -> None:
        if self._store is not None:
            await self._store.close()


def default_jobs() -> list[Job]:
    from referral_service.webhooks.dispatcher import DeliveryDispatcher

    # One dispatcher per worker: it owns that worker's HTTP client and in-flight sends.
    dispatcher = DeliveryDispatcher()
    blob_cleanup = _PendingBlobCleanup()
    return [
        Job("idempotency-purge", _purge_idempotency_keys, idle_seconds=600),
        # Due-soon and overdue are day-granular facts: once a minute is prompt enough.
        Job("deadline-reminders", _deadline_reminders, idle_seconds=60),
        # REFERRAL_RETENTION_DAYS: erase personal data of complaints closed long enough (a no-op when unset).
        Job("retention", _retention, idle_seconds=3600),
        Job("pending-blob-cleanup", blob_cleanup.run_once, idle_seconds=300, on_stop=blob_cleanup.close),
        # idle_seconds=0: the dispatcher waits for NOTIFY or its poll interval itself.
        Job("webhook-delivery", dispatcher.run_once, idle_seconds=0, on_stop=dispatcher.close),
    ]


async def _loop(job: Job, ctx: WorkerContext, stop: asyncio.Event) -> None:
    try:
        await _run_until_stopped(job, ctx, stop)
    finally:
        if job.on_stop is not None:
            try:
                await job.on_stop(ctx)
            except Exception:
                logger.exception("job %s failed to stop cleanly", job.name)


async def _run_until_stopped(job: Job, ctx: WorkerContext, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            done = await job.run_once(ctx)
        except Exception:
            logger.exception("job %s failed; retrying after its idle interval", job.name)
            done = 0
        if done:
            await asyncio.sleep(0)
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=job.idle_seconds)


async def run_jobs(ctx: WorkerContext, stop: asyncio.Event, jobs: list[Job] | None = None) -> None:
    await asyncio.gather(*(_loop(job, ctx, stop) for job in (jobs or default_jobs())))
