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


def default_jobs() -> list[Job]:
    from referral_service.webhooks.dispatcher import DeliveryDispatcher

    # One dispatcher per worker: it owns that worker's HTTP client and in-flight sends.
    dispatcher = DeliveryDispatcher()
    return [
        Job("idempotency-purge", _purge_idempotency_keys, idle_seconds=600),
        # Due-soon and overdue are day-granular facts: once a minute is prompt enough.
        Job("deadline-reminders", _deadline_reminders, idle_seconds=60),
        # REFERRAL_RETENTION_DAYS: erase personal data of complaints closed long enough (a no-op when unset).
        Job("retention", _retention, idle_seconds=3600),
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
