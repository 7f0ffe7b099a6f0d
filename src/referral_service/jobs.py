"""The background jobs of a worker process, composed here and handed to `worker.run_jobs`.

`cli worker` and the in-process jobs of `serve` build their job list with `default_jobs()`; the
features provide the job functions and know nothing of the loop that runs them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from referral_service.attachments.cleanup import clean_pending_blobs
from referral_service.attachments.storage import BlobStore, make_store
from referral_service.db.driver import pooled
from referral_service.erasure.retention import run_retention
from referral_service.idempotency import purge_expired
from referral_service.reminders.jobs import run_deadline_reminders
from referral_service.webhooks.dispatcher import DeliveryDispatcher
from referral_service.worker import Job, WorkerContext


async def purge_idempotency_keys(ctx: WorkerContext) -> int:
    async with pooled(ctx.pool) as db:
        await purge_expired(db)
    return 0


class PendingBlobCleanup:
    """Deletes blobs of uploads whose row never committed (attachments/cleanup.py), with a blob store
    of its own: PostgreSQL through a connection of the worker's pool, or the configured S3 service."""

    def __init__(self) -> None:
        self._store: BlobStore | None = None

    def _connect(self, ctx: WorkerContext) -> Callable[[], AbstractAsyncContextManager[Any]]:
        @asynccontextmanager
        async def connect() -> AsyncIterator[Any]:
            async with pooled(ctx.pool) as db, db.transaction():
                yield db.conn

        return connect

    async def run_once(self, ctx: WorkerContext) -> int:
        if self._store is None:
            self._store = make_store(ctx.settings, self._connect(ctx))
        async with self._connect(ctx)() as conn:
            return await clean_pending_blobs(
                conn, self._store, older_than_seconds=ctx.settings.pending_blob_minutes * 60
            )

    async def close(self, ctx: WorkerContext) -> None:
        if self._store is not None:
            await self._store.close()


def default_jobs(database_url: str) -> list[Job]:
    """The jobs of a worker on the database at `database_url` (the dispatcher's LISTEN connects to it)."""
    # One dispatcher per worker: it owns that worker's HTTP clients and in-flight sends.
    dispatcher = DeliveryDispatcher(database_url)
    blob_cleanup = PendingBlobCleanup()
    return [
        Job("idempotency-purge", purge_idempotency_keys, idle_seconds=600),
        # Due-soon and overdue are day-granular facts: once a minute is prompt enough.
        Job("deadline-reminders", run_deadline_reminders, idle_seconds=60),
        # REFERRAL_RETENTION_DAYS: erase personal data of complaints closed long enough (a no-op when unset).
        Job("retention", run_retention, idle_seconds=3600),
        Job("pending-blob-cleanup", blob_cleanup.run_once, idle_seconds=300, on_stop=blob_cleanup.close),
        # idle_seconds=0: the dispatcher waits for NOTIFY or its poll interval itself.
        # Its `ready` is the worker's readiness: the dispatcher reaches the database.
        Job(
            "webhook-delivery",
            dispatcher.run_once,
            idle_seconds=0,
            on_stop=dispatcher.close,
            ready=lambda: dispatcher.ready,
        ),
    ]
