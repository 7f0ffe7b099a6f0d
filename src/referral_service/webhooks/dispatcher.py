"""The worker job that sends webhook deliveries.

Each worker process runs one dispatcher: it claims due deliveries (delivery.claim), sends them
concurrently up to `REFERRAL_WEBHOOK_CONCURRENCY`, and records the results as they arrive, so
one slow receiver occupies one slot rather than the worker. Results are written in batches: one
recorder task takes every result that finished while the previous batch was being written and
records them in one transaction (delivery.record_batch), so a busy worker spends one round of
statements per batch rather than per delivery, and an idle one still records each result at once.
A send's slot stays taken until its result is recorded. It wakes on the `NOTIFY` that
`outbox` issues at commit, and polls every `REFERRAL_WEBHOOK_POLL_SECONDS` as a fallback (and
for retries coming due). Any number of dispatchers may run against one database.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from typing import Any

import httpx

from referral_service.webhooks import delivery
from referral_service.webhooks.outbox import NOTIFY_CHANNEL
from referral_service.webhooks.retry import RetryPolicy
from referral_service.webhooks.ssrf import EgressPolicy, make_delivery_client
from referral_service.worker import WorkerContext

logger = logging.getLogger("referral_service.webhooks.dispatcher")

# Per-delivery lines go to DEBUG; INFO gets a summary of the counts at most this often.
SUMMARY_SECONDS = 60.0


class DeliveryDispatcher:
    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        # Set by a NOTIFY or a poll timeout: claim whatever is free, however little (see run_once).
        self._claim_any = True
        self._listener: Any = None  # the SQLAlchemy connection holding LISTEN, if it worked
        # Finished sends waiting to be recorded, each with the future its task waits on.
        self._results: list[tuple[delivery.ClaimedDelivery, delivery.AttemptOutcome, asyncio.Future[None], Any]] = []
        self._results_ready = asyncio.Event()
        self._recorder: asyncio.Task[None] | None = None
        self._counts: Counter[str] = Counter()
        self._summary_at = time.monotonic()

    async def _start(self, ctx: WorkerContext) -> None:
        if self._client is not None:
            return
        settings = ctx.settings
        self._policy = RetryPolicy.from_settings(settings)
        egress = EgressPolicy.from_strings(settings.webhook_allow_http, settings.webhook_allowed_networks)
        self._client = make_delivery_client(
            egress, timeout_seconds=settings.webhook_timeout_seconds, max_connections=settings.webhook_concurrency
        )
        self._recorder = asyncio.create_task(self._record_loop(ctx))
        await self._listen(ctx)

    async def _listen(self, ctx: WorkerContext) -> None:
        try:
            engine = ctx.sessionmaker.kw["bind"]
            connection = await engine.connect()
            raw = await connection.get_raw_connection()
            await raw.driver_connection.add_listener(NOTIFY_CHANNEL, self._on_notify)
            self._listener = (connection, raw.driver_connection)
        except Exception:
            # Polling alone still delivers, only with up to one poll interval of extra latency.
            logger.warning("LISTEN %s failed; falling back to polling", NOTIFY_CHANNEL, exc_info=True)

    def _on_notify(self, *_: Any) -> None:
        self._claim_any = True
        self._wake.set()

    async def run_once(self, ctx: WorkerContext) -> int:
        settings = ctx.settings
        claimed: list[delivery.ClaimedDelivery] = []
        skipped, free = False, 0
        try:
            await self._start(ctx)
            free = settings.webhook_concurrency - len(self._in_flight)
            # When recorded results free slots while others are in flight, claim once a quarter of
            # the slots is free rather than per freed slot: one claim query fills many slots. New
            # work (NOTIFY), the poll interval and an idle worker claim whatever is free at once.
            refill = free >= max(1, settings.webhook_concurrency // 4)
            skipped = free <= 0 or not (refill or self._claim_any or not self._in_flight)
            if not skipped:
                # Cleared before the query: a NOTIFY arriving meanwhile still wakes the next round.
                self._wake.clear()
                self._claim_any = False
                async with ctx.sessionmaker() as session, session.begin():
                    claimed = await delivery.claim(session, free, settings.webhook_lease_seconds)
        except Exception:
            logger.exception("claiming webhook deliveries failed; retrying after the poll interval")
        for item in claimed:
            task = asyncio.create_task(self._deliver(ctx, item))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        if not claimed:
            if skipped and (free <= 0 or not self._claim_any):
                # Every slot taken, or woken by a recorded batch that freed too few: wait for the
                # next batch (or a NOTIFY, or the poll interval) instead of spinning here. A NOTIFY
                # seen meanwhile is kept in _claim_any.
                self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=settings.webhook_poll_seconds)
            except TimeoutError:
                self._claim_any = True
        return len(claimed)

    async def _deliver(self, ctx: WorkerContext, item: delivery.ClaimedDelivery) -> None:
        settings = ctx.settings
        assert self._client is not None
        outcome = await delivery.send(self._client, item, settings.webhook_timeout_seconds)
        recorded = asyncio.get_running_loop().create_future()
        self._results.append((item, outcome, recorded, asyncio.current_task()))
        self._results_ready.set()
        # The slot stays taken until the result is written (or failed to be).
        await asyncio.shield(recorded)

    async def _record_loop(self, ctx: WorkerContext) -> None:
        while True:
            await self._results_ready.wait()
            self._results_ready.clear()
            batch, self._results = self._results, []
            if not batch:
                continue
            try:
                await self._record(ctx, batch)
            except Exception:
                # Never let the recorder die: every later send would wait for it forever.
                logger.exception("recording %d webhook results failed", len(batch))
            finally:
                for _, _, recorded, task in batch:
                    if not recorded.done():
                        recorded.set_result(None)
                    # The slot is free now, not only once the task has run to its end.
                    self._in_flight.discard(task)
            # A recorded result may have unblocked the next event of the same referral, and freed slots.
            self._wake.set()

    async def _record(
        self,
        ctx: WorkerContext,
        batch: list[tuple[delivery.ClaimedDelivery, delivery.AttemptOutcome, asyncio.Future[None], Any]],
    ) -> None:
        settings = ctx.settings
        results = [(item, outcome) for item, outcome, _, _ in batch]
        try:
            async with ctx.sessionmaker() as session, session.begin():
                statuses = await delivery.record_batch(
                    session, results, self._policy, settings.webhook_disable_after_seconds
                )
        except Exception:
            if len(results) == 1:
                # The lease will run out and another attempt will be made: at-least-once.
                logger.exception("recording delivery %s failed", results[0][0].delivery_id)
                return
            # One bad result must not cost the others theirs: record each on its own.
            logger.warning("recording a batch of %d deliveries failed; recording them one by one",
                           len(results), exc_info=True)
            statuses = []
            for item, outcome in results:
                try:
                    async with ctx.sessionmaker() as session, session.begin():
                        statuses.append(await delivery.record(
                            session, item, outcome, self._policy, settings.webhook_disable_after_seconds
                        ))
                except Exception:
                    logger.exception("recording delivery %s failed", item.delivery_id)
                    statuses.append("record-failed")
        for (item, outcome), status in zip(results, statuses):
            # Ids and statuses only: bodies may carry personal data and never go to the log.
            logger.debug(
                "delivery %s to endpoint %s: %s (%s, %d ms)",
                item.delivery_id, item.endpoint_id, status,
                outcome.response_status if outcome.response_status is not None else outcome.error,
                outcome.duration_ms,
            )
            self._counts[status] += 1
        now = time.monotonic()
        if now - self._summary_at >= SUMMARY_SECONDS:
            counts = ", ".join(f"{status} {n}" for status, n in sorted(self._counts.items()))
            logger.info("webhook deliveries in the last %.0f s: %s", now - self._summary_at, counts)
            self._counts.clear()
            self._summary_at = now

    async def close(self, ctx: WorkerContext) -> None:
        """Let in-flight sends finish (bounded by the timeout), then release the client and listener."""
        if self._in_flight:
            _, pending = await asyncio.wait(set(self._in_flight), timeout=ctx.settings.webhook_timeout_seconds + 1)
            for task in pending:
                task.cancel()
        if self._recorder is not None:
            self._recorder.cancel()
            self._recorder = None
        if self._listener is not None:
            connection, driver_connection = self._listener
            self._listener = None
            try:
                await driver_connection.remove_listener(NOTIFY_CHANNEL, self._on_notify)
                await connection.close()
            except Exception:
                logger.debug("closing the LISTEN connection failed", exc_info=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
