"""The background jobs of a worker process, composed here and handed to `worker.run_jobs`.

`cli worker` and the in-process jobs of `serve` build their job list with `default_jobs()`; the
features provide the job functions and know nothing of the loop that runs them.
"""

from __future__ import annotations

from referral_service.idempotency import purge_expired
from referral_service.reminders.jobs import run_deadline_reminders
from referral_service.webhooks.dispatcher import DeliveryDispatcher
from referral_service.worker import Job, WorkerContext


async def purge_idempotency_keys(ctx: WorkerContext) -> int:
    async with ctx.sessionmaker() as session, session.begin():
        await purge_expired(session)
    return 0


def default_jobs() -> list[Job]:
    # One dispatcher per worker: it owns that worker's HTTP clients and in-flight sends.
    dispatcher = DeliveryDispatcher()
    return [
        Job("idempotency-purge", purge_idempotency_keys, idle_seconds=600),
        # Due-soon and overdue are day-granular facts: once a minute is prompt enough.
        Job("deadline-reminders", run_deadline_reminders, idle_seconds=60),
        # idle_seconds=0: the dispatcher waits for NOTIFY or its poll interval itself.
        Job("webhook-delivery", dispatcher.run_once, idle_seconds=0, on_stop=dispatcher.close),
    ]
