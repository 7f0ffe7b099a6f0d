"""The worker job that sends webhook deliveries.

Each worker process runs one dispatcher: it claims due deliveries (delivery.claim), sends them
concurrently up to `REFERRAL_WEBHOOK_CONCURRENCY`, and records each result as it arrives, so
one slow receiver occupies one slot rather than the worker. It wakes on the `NOTIFY` that
`outbox` issues at commit, and polls every `REFERRAL_WEBHOOK_POLL_SECONDS` as a fallback (and
for retries coming due). Any number of dispatchers may run against one database.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import httpx

from referral_service.webhooks import delivery
from referral_service.webhooks.outbox import NOTIFY_CHANNEL
from referral_service.webhooks.retry import RetryPolicy
from referral_service.webhooks.ssrf import EgressPolicy, make_delivery_client

if TYPE_CHECKING:
    from referral_service.worker import WorkerContext

logger = logging.getLogger("referral_service.webhooks.dispatcher")


class DeliveryDispatcher:
    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._listener: Any = None  # the SQLAlchemy connection holding LISTEN, if it worked

    async def _start(self, ctx: "WorkerContext") -> None:
        if self._client is not None:
            return
        settings = ctx.settings
        self._policy = RetryPolicy.from_settings(settings)
        egress = EgressPolicy.from_strings(settings.webhook_allow_http, settings.webhook_allowed_networks)
        self._client = make_delivery_client(egress, timeout_seconds=settings.webhook_timeout_seconds)
        await self._listen(ctx)

    async def _listen(self, ctx: "WorkerContext") -> None:
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
        self._wake.set()

    async def run_once(self, ctx: "WorkerContext") -> int:
        settings = ctx.settings
        claimed: list[delivery.ClaimedDelivery] = []
        try:
            await self._start(ctx)
            free = settings.webhook_concurrency - len(self._in_flight)
            if free > 0:
                # Cleared before the query: a NOTIFY arriving meanwhile still wakes the next round.
                self._wake.clear()
                async with ctx.sessionmaker() as session, session.begin():
                    claimed = await delivery.claim(session, free, settings.webhook_lease_seconds)
        except Exception:
            logger.exception("claiming webhook deliveries failed; retrying after the poll interval")
        for item in claimed:
            task = asyncio.create_task(self._deliver(ctx, item))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        if not claimed:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=settings.webhook_poll_seconds)
            except TimeoutError:
                pass
        return len(claimed)

    async def _deliver(self, ctx: "WorkerContext", item: delivery.ClaimedDelivery) -> None:
        settings = ctx.settings
        assert self._client is not None
        outcome = await delivery.send(self._client, item, settings.webhook_timeout_seconds)
        try:
            async with ctx.sessionmaker() as session, session.begin():
                status = await delivery.record(
                    session, item, outcome, self._policy, settings.webhook_disable_after_seconds
                )
        except Exception:
            # The lease will run out and another attempt will be made: at-least-once.
            logger.exception("recording delivery %s failed", item.delivery_id)
            return
        # Ids and statuses only: bodies may carry personal data and never go to the log.
        logger.info(
            "delivery %s to endpoint %s: %s (%s, %d ms)",
            item.delivery_id, item.endpoint_id, status,
            outcome.response_status if outcome.response_status is not None else outcome.error, outcome.duration_ms,
        )
        # A recorded result may have unblocked the next event of the same referral.
        self._wake.set()

    async def close(self, ctx: "WorkerContext") -> None:
        """Let in-flight sends finish (bounded by the timeout), then release the client and listener."""
        if self._in_flight:
            _, pending = await asyncio.wait(set(self._in_flight), timeout=ctx.settings.webhook_timeout_seconds + 1)
            for task in pending:
                task.cancel()
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
