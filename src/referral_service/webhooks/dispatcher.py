"""The worker job that sends webhook deliveries.

Each worker process runs one dispatcher: it claims due deliveries (delivery.claim, one statement),
sends them concurrently, up to `REFERRAL_WEBHOOK_CONCURRENCY` in all and
`REFERRAL_WEBHOOK_ENDPOINT_CONCURRENCY` per endpoint, each through its endpoint's own small client
(sending.py), and records the results as they arrive, so one slow receiver occupies its endpoint's
slots rather than the worker. Results are written in batches: one recorder task takes every result
that finished while the previous batch was being written and records them in one transaction
(recording.record_batch, set-based), so a busy worker spends one round of statements per batch
rather than per delivery, and an idle one still records each result at once. A send's slot stays
taken until its result is recorded. It wakes on the `NOTIFY` that `outbox` issues at commit, and
polls every `REFERRAL_WEBHOOK_POLL_SECONDS` as a fallback (and for retries coming due). Any number
of dispatchers may run against one database. The database work runs on the worker's asyncpg pool;
the LISTEN on a `DedicatedConnection` of its own (db/dedicated.py).

When the database goes away: a failed claim waits (backoff.py) before the next, cut short when the
LISTEN connection is back, which also means "claim now" (what was notified meanwhile went unheard).
A result that cannot be recorded because the database cannot be reached is kept in memory and
recorded once it answers, its slot held meanwhile (so at most REFERRAL_WEBHOOK_CONCURRENCY results
wait, and nothing new is claimed beyond them); if the worker stops first, the delivery's lease runs
out and it is sent again (at-least-once). `ready` says whether this dispatcher can reach its
database (the worker's /readyz).

Stopping (`close`, on SIGTERM): no more claims; the sends in flight get
`REFERRAL_WEBHOOK_STOP_GRACE_SECONDS` to finish, and are recorded; the leases of those still running
then are handed back (delivery.release), so another worker resends them at once rather than after
the lease.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import Counter
from datetime import datetime

import orjson
import sniffio

from referral_service import clock
from referral_service.backoff import Backoff
from referral_service.db.dedicated import DedicatedConnection
from referral_service.db.driver import describe, driver_dsn, pooled, unreachable
from referral_service.events.outbox import NOTIFY_CHANNEL
from referral_service.logs import FailureLog
from referral_service.metrics import WEBHOOK_DELIVERY_ATTEMPTS, WEBHOOK_DELIVERY_LATENCY
from referral_service.webhooks import delivery, recording, sending
from referral_service.webhooks.retry import RetryPolicy
from referral_service.webhooks.ssrf import EgressPolicy
from referral_service.worker import WorkerContext

logger = logging.getLogger("referral_service.webhooks.dispatcher")

# Per-delivery lines go to DEBUG; INFO gets a summary of the counts at most this often.
SUMMARY_SECONDS = 60.0
# How long a stopping worker waits for its last results to be written.
FINAL_RECORD_SECONDS = 15.0

Result = tuple[delivery.ClaimedDelivery, delivery.AttemptOutcome]


class DeliveryDispatcher:
    def __init__(self, database_url: str) -> None:
        self._dsn = driver_dsn(database_url)
        self._started = False
        self._clients: sending.EndpointClients | None = None
        self._policy: RetryPolicy | None = None
        # Claimed and not yet recorded: in all, and per endpoint (what the claim's fair share counts).
        self._in_flight = 0
        self._sending: dict[uuid.UUID, int] = {}
        # Sends under way (task -> its delivery), so that a stopping worker knows what it did not finish.
        self._tasks: dict[asyncio.Task[None], delivery.ClaimedDelivery] = {}
        self._wake = asyncio.Event()
        # Set by a NOTIFY or a poll timeout: claim whatever is free, however little (see run_once).
        self._claim_any = True
        self._listener: DedicatedConnection | None = None
        # Set when the LISTEN connection (re)connects: the database is back, claim and record now.
        self._database_back = asyncio.Event()
        self._claim_failures = FailureLog(logger, "claiming webhook deliveries")
        self._claim_backoff = Backoff()
        self._record_failures = FailureLog(logger, "recording webhook results (kept in memory meanwhile)")
        self._record_backoff = Backoff()
        # Finished sends waiting to be recorded.
        self._results: list[Result] = []
        self._results_ready = asyncio.Event()
        self._recorder: asyncio.Task[None] | None = None
        self._closing = False
        self._counts: Counter[str] = Counter()
        self._summary_at = time.monotonic()
        # Claim statements run so far: what a caller can wait on to know that the work committed
        # before some moment has been looked at (e.g. that nothing was claimable).
        self.claim_rounds = 0

    @property
    def listening(self) -> bool:
        return self._listener is not None and self._listener.connected.is_set()

    @property
    def ready(self) -> bool:
        """This dispatcher reaches its database: its last claim and its last recording worked. (Not
        LISTENing only adds up to a poll interval of latency: polling goes on.)"""
        return self._started and not self._claim_failures.failing and not self._record_failures.failing

    async def _start(self, ctx: WorkerContext) -> None:
        if self._started:
            return
        self._closing = False
        settings = ctx.settings
        self._policy = RetryPolicy.from_settings(settings)
        egress = EgressPolicy.from_strings(settings.webhook_allow_http, settings.webhook_allowed_networks)
        self._clients = sending.EndpointClients(
            egress, settings.webhook_timeout_seconds, settings.webhook_endpoint_concurrency
        )
        # httpcore asks sniffio which event loop runs it several times per request; the answer never
        # changes here, and the tasks started from this one inherit it.
        sniffio.current_async_library_cvar.set("asyncio")
        self._recorder = asyncio.create_task(self._record_loop(ctx))
        # Polling alone still delivers while this connection is away, with up to one poll interval
        # of extra latency.
        self._listener = DedicatedConnection(
            self._dsn, "webhook dispatcher", listen={NOTIFY_CHANNEL: self._on_notify}, on_connected=self._caught_up
        )
        self._started = True
        await self._listener.start()

    def _on_notify(self, _payload: str = "") -> None:
        self._claim_any = True
        self._wake.set()

    def _caught_up(self) -> None:
        """LISTEN is active again: whatever was notified while it was not went unheard, so claim now;
        and the database answers, so whoever waits to try again may try now."""
        self._on_notify()
        self._database_back.set()

    async def run_once(self, ctx: WorkerContext) -> int:
        settings = ctx.settings
        claimed: list[delivery.ClaimedDelivery] = []
        skipped, free = False, 0
        try:
            await self._start(ctx)
            free = settings.webhook_concurrency - self._in_flight
            # When recorded results free slots while others are in flight, claim once a quarter of
            # the slots is free rather than per freed slot: one claim query fills many slots. New
            # work (NOTIFY), the poll interval and an idle worker claim whatever is free at once.
            # Only if something happened since the last claim (a batch recorded, a NOTIFY): a claim
            # that got fewer than it asked for (the endpoints' shares are taken) is not repeated
            # until then.
            refill = free >= max(1, settings.webhook_concurrency // 4) and self._wake.is_set()
            skipped = free <= 0 or not (refill or self._claim_any or not self._in_flight)
            if not skipped:
                # Cleared before the query: a NOTIFY arriving meanwhile still wakes the next round.
                self._wake.clear()
                self._claim_any = False
                async with pooled(ctx.pool) as db:
                    claimed = await delivery.claim(
                        db,
                        free,
                        settings.webhook_lease_seconds,
                        per_endpoint=settings.webhook_endpoint_concurrency,
                        sending=self._sending,
                    )
                self.claim_rounds += 1
                self._claim_failures.succeeded()
                self._claim_backoff.reset()
        except Exception as exc:
            self._claim_failures.failed(describe(exc), None if unreachable(exc) else exc)
            self._claim_any = True  # the next round claims whatever is free
            # Wait before the next claim; the LISTEN connection coming back cuts the wait short.
            self._database_back.clear()
            await self._claim_backoff.wait(self._database_back)
            return 0
        timeout = settings.webhook_timeout_seconds
        for item in claimed:
            self._in_flight += 1
            self._sending[item.endpoint_id] = self._sending.get(item.endpoint_id, 0) + 1
            task = asyncio.create_task(self._deliver(item, timeout))
            self._tasks[task] = item
            task.add_done_callback(self._tasks.pop)
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
        if self._clients is not None:
            await self._clients.sweep()
        return len(claimed)

    async def _deliver(self, item: delivery.ClaimedDelivery, timeout: float) -> None:
        assert self._clients is not None
        try:
            outcome = await sending.send(self._clients.get(item), item, timeout)
        except Exception as exc:
            # send() turns every failure of the exchange into an outcome; this is a bug of ours. The
            # delivery is still recorded (as a failed attempt), or its slot would never come back.
            # Not the message: it may quote the URL.
            logger.error("delivery %s: %s preparing the send", item.delivery_id, type(exc).__name__)
            outcome = delivery.AttemptOutcome(clock.wall_now(), 0, error=f"{type(exc).__name__} in the worker")
        self._results.append((item, outcome))
        self._results_ready.set()

    def _free(self, item: delivery.ClaimedDelivery) -> None:
        self._in_flight -= 1
        left = self._sending[item.endpoint_id] - 1
        if left:
            self._sending[item.endpoint_id] = left
        else:
            del self._sending[item.endpoint_id]

    async def _record_loop(self, ctx: WorkerContext) -> None:
        while True:
            # Decided on the state, not on the event: nothing awaits between the check and the wait,
            # so a result (or the stop) arriving meanwhile is not missed.
            if not self._results:
                if self._closing:
                    return
                self._results_ready.clear()
                await self._results_ready.wait()
                continue
            batch, self._results = self._results, []
            kept: list[Result] = []
            try:
                kept = await self._record(ctx, batch)
            except Exception:
                # Never let the recorder die: every later send would wait for it forever.
                logger.exception("recording %d webhook results failed", len(batch))
            # The slots of what was recorded (or given up on: its lease runs out) are free now.
            waiting = {id(item) for item, _ in kept}
            for item, _ in batch:
                if id(item) not in waiting:
                    self._free(item)
            if kept:
                # The database cannot be reached: try these again first, after a wait that the LISTEN
                # connection coming back cuts short. Their slots stay taken meanwhile.
                self._results = kept + self._results
                self._database_back.clear()
                await self._record_backoff.wait(self._database_back)
                continue
            self._record_backoff.reset()
            # A recorded result may have unblocked the next event of the same referral, and freed slots.
            self._wake.set()

    async def _record(self, ctx: WorkerContext, batch: list[Result]) -> list[Result]:
        """Record `batch`; return the results that could not be, because the database could not be
        reached (to be recorded when it can)."""
        statuses = await self._write(ctx, batch)
        done = [(result, status) for result, status in zip(batch, statuses, strict=True) if status is not None]
        kept = [result for result, status in zip(batch, statuses, strict=True) if status is None]
        if not kept:
            self._record_failures.succeeded()
        if logger.isEnabledFor(logging.DEBUG):
            for (item, outcome), status in done:
                # Ids and statuses only: bodies may carry personal data and URLs credentials.
                logger.debug(
                    "delivery %s to endpoint %s: %s (%s, %d ms)",
                    item.delivery_id,
                    item.endpoint_id,
                    status,
                    outcome.response_status if outcome.response_status is not None else outcome.error,
                    outcome.duration_ms,
                )
        self._counts.update(status for _, status in done)
        _count_attempts(done)
        now = time.monotonic()
        if now - self._summary_at >= SUMMARY_SECONDS:
            counts = ", ".join(f"{status} {n}" for status, n in sorted(self._counts.items()))
            logger.info("webhook deliveries in the last %.0f s: %s", now - self._summary_at, counts)
            self._counts.clear()
            self._summary_at = now
        return kept

    async def _write(self, ctx: WorkerContext, batch: list[Result]) -> list[str | None]:
        """Each result's status as recorded, "record-failed" when recording it failed for a reason of
        its own (its lease runs out and it is sent again), None when the database could not be reached
        (nothing of it, or of the results after it, was written)."""
        settings = ctx.settings
        assert self._policy is not None
        statuses: list[str | None] = []
        try:
            async with pooled(ctx.pool) as db:
                try:
                    async with db.transaction():
                        return list(
                            await recording.record_batch(
                                db, batch, self._policy, settings.webhook_disable_after_seconds
                            )
                        )
                except Exception as exc:
                    if unreachable(exc):
                        raise
                    if len(batch) == 1:
                        logger.exception("recording delivery %s failed", batch[0][0].delivery_id)
                        return ["record-failed"]
                    # One bad result must not cost the others theirs: record each on its own.
                    logger.warning(
                        "recording a batch of %d deliveries failed; recording them one by one",
                        len(batch),
                        exc_info=True,
                    )
                for item, outcome in batch:
                    try:
                        async with db.transaction():
                            statuses.append(
                                await recording.record(
                                    db, item, outcome, self._policy, settings.webhook_disable_after_seconds
                                )
                            )
                    except Exception as exc:
                        if unreachable(exc):
                            raise
                        logger.exception("recording delivery %s failed", item.delivery_id)
                        statuses.append("record-failed")
                return statuses
        except Exception as exc:
            if not unreachable(exc):
                raise
            self._record_failures.failed(describe(exc))
            return statuses + [None] * (len(batch) - len(statuses))

    async def close(self, ctx: WorkerContext) -> None:
        """Stop: let the sends in flight finish within the stop grace and record them; hand back the
        leases of those still running; release the clients and the LISTEN connection."""
        unsent: list[delivery.ClaimedDelivery] = []
        if self._tasks:
            running = dict(self._tasks)
            _, pending = await asyncio.wait(running, timeout=ctx.settings.webhook_stop_grace_seconds)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
            unsent = [running[task] for task in pending if task.cancelled()]
        if unsent:
            try:
                async with pooled(ctx.pool) as db:
                    await delivery.release(db, unsent)
                logger.info("handed back %d webhook deliveries not sent before stopping", len(unsent))
            except Exception as exc:
                logger.warning(
                    "handing back %d webhook deliveries failed (%s); their leases will run out",
                    len(unsent),
                    describe(exc),
                    exc_info=None if unreachable(exc) else exc,
                )
            for item in unsent:
                self._free(item)
        if self._recorder is not None:
            # The recorder writes what has finished, then returns.
            self._closing = True
            self._results_ready.set()
            try:
                await asyncio.wait_for(self._recorder, FINAL_RECORD_SECONDS)
            except TimeoutError:
                logger.warning(
                    "%d webhook results not recorded within %.0f s of stopping; their leases will run out",
                    len(self._results),
                    FINAL_RECORD_SECONDS,
                )
            except Exception:
                logger.exception("recording the last webhook results failed; their leases will run out")
            self._recorder = None
        if self._listener is not None:
            await self._listener.stop()
            self._listener = None
        if self._clients is not None:
            await self._clients.aclose()
            self._clients = None
        self._started = False


_OUTCOME_OF_STATUS = {"delivered": "delivered", "pending": "retry", "failed": "failed"}


def _count_attempts(recorded: list[tuple[Result, str]]) -> None:
    """The worker's metrics (metrics.py): attempts by outcome, and commit-to-2xx latency of what was
    delivered (from the body's `timestamp`, the time of the change that queued it)."""
    received = clock.wall_now()
    for (item, outcome), status in recorded:
        label = "gone" if outcome.response_status == 410 else _OUTCOME_OF_STATUS.get(status, status)
        WEBHOOK_DELIVERY_ATTEMPTS.labels(label).inc()
        if status == "delivered":
            try:
                queued = datetime.fromisoformat(orjson.loads(item.body)["timestamp"])
            except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
                continue
            WEBHOOK_DELIVERY_LATENCY.observe(max(0.0, (received - queued).total_seconds()))
