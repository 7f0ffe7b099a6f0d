"""The loop that runs background jobs: `referral-service worker` runs it; `serve` runs it in-process
on the embedded default. The jobs themselves are composed where the process is (jobs.py) and handed
in: this module knows no feature. Every job must be safe with any number of workers running at once
(claim work with FOR UPDATE SKIP LOCKED, or make it idempotent), since scaling out means more workers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import asyncpg

from referral_service.backoff import Backoff
from referral_service.config import Settings
from referral_service.db.driver import describe, unreachable
from referral_service.logs import FailureLog

logger = logging.getLogger("referral_service.worker")


@dataclass(frozen=True)
class WorkerContext:
    settings: Settings
    # The process's one pool: every job borrows its connections here (`db.driver.pooled`).
    pool: asyncpg.Pool


@dataclass(frozen=True)
class Job:
    name: str
    # Returns how much work it did; a job that did some runs again at once, otherwise sleeps.
    run_once: Callable[[WorkerContext], Awaitable[int]]
    idle_seconds: float
    # Called once when the worker stops, to finish in-flight work and release resources.
    on_stop: Callable[[WorkerContext], Awaitable[None]] | None = None
    # Whether the job can do its work now (reaches the database): the worker's /readyz.
    ready: Callable[[], bool] | None = None


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
    failures = FailureLog(logger, f"job {job.name}")
    backoff = Backoff()
    while not stop.is_set():
        try:
            done = await job.run_once(ctx)
        except Exception as exc:
            # The traceback once, for what is not the database being away; then a count a minute.
            failures.failed(describe(exc), None if unreachable(exc) else exc)
            # Wait before trying again: the job's idle interval, and never less than the backoff
            # (a job with no idle interval, such as delivery, would otherwise spin).
            await _wait(stop, max(job.idle_seconds, backoff.delay()))
            continue
        failures.succeeded()
        backoff.reset()
        if done:
            await asyncio.sleep(0)
            continue
        await _wait(stop, job.idle_seconds)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def ready(jobs: Sequence[Job]) -> bool:
    """Every job that can tell is able to do its work (the worker's /readyz)."""
    return all(job.ready() for job in jobs if job.ready is not None)


async def run_jobs(ctx: WorkerContext, stop: asyncio.Event, jobs: Sequence[Job]) -> None:
    """Run `jobs` until `stop` is set; then each job's `on_stop`, and return."""
    await asyncio.gather(*(_loop(job, ctx, stop) for job in jobs))
