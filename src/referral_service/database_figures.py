"""Figures read from the database when `/metrics` is scraped: the outbox backlog and the open and
overdue referrals. Apart from metrics.py because they are SQL (above the database core), while
metrics.py is below it: the dedicated connections count their reconnects there."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from referral_service import clock
from referral_service.db.sql import Sql
from referral_service.logs import FailureLog

logger = logging.getLogger(__name__)

_OUTBOX_SQL = Sql(
    """
SELECT e.disabled_at IS NOT NULL AS disabled, count(*) AS pending,
       extract(epoch FROM clock_timestamp() - min(d.created_at))::float8 AS oldest_age
FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
WHERE d.status = 'pending'
GROUP BY 1
"""
)

# Overdue as the API counts it (`overdue` on a referral): forwarded, and due_at before the service clock.
_REFERRALS_SQL = Sql(
    """
SELECT agency_code, state, count(*) AS open,
       count(*) FILTER (WHERE state = 'forwarded' AND due_at < :now) AS overdue
FROM referrals
WHERE state IN ('received', 'forwarded', 'responded')
GROUP BY agency_code, state
"""
)


class _CachedQuery:
    """One query's rows, read again only when older than `ttl` seconds; one read at a time."""

    def __init__(self, name: str, sql: Sql, ttl: float, arguments: Callable[[], dict[str, Any]] = dict) -> None:
        self.sql = sql
        self.ttl = ttl
        self.arguments = arguments
        self.rows: list[Any] | None = None
        self.read_at = float("-inf")  # time.monotonic() of the read
        self._lock = asyncio.Lock()
        # Every scrape while the database is away fails: the first is logged, then a count a minute.
        self._failures = FailureLog(logger, f"reading the {name} figures for /metrics")

    async def refresh(self, pool: Any, timeout: float) -> None:
        if time.monotonic() - self.read_at < self.ttl:
            return
        async with self._lock:
            if time.monotonic() - self.read_at < self.ttl:
                return
            try:
                text, args = self.sql.bind(**self.arguments()).positional()
                # Not `pooled`: a scrape waits at most `timeout` for a connection, then answers without.
                async with pool.acquire(timeout=timeout) as conn:
                    self.rows = await conn.fetch(text, *args, timeout=timeout)
                self._failures.succeeded()
            except Exception as exc:  # a scrape must answer even when the database does not
                self._failures.failed(type(exc).__name__)
                self.rows = None
            self.read_at = time.monotonic()


class DatabaseFigures(Collector):
    """Outbox backlog and open/overdue referrals, read at scrape time with a short cache."""

    def __init__(self, outbox_ttl: float = 5.0, referrals_ttl: float = 10.0, timeout: float = 5.0) -> None:
        self.outbox = _CachedQuery("outbox", _OUTBOX_SQL, outbox_ttl)
        self.referrals = _CachedQuery("referral", _REFERRALS_SQL, referrals_ttl, lambda: {"now": clock.now()})
        self.timeout = timeout

    async def refresh(self, pool: Any) -> None:
        await self.outbox.refresh(pool, self.timeout)
        await self.referrals.refresh(pool, self.timeout)

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "referral_metrics_database_up", "1 when the scrape-time database figures below could be read."
        )
        up.add_metric([], float(self.outbox.rows is not None and self.referrals.rows is not None))
        yield up
        yield from self._outbox()
        yield from self._referrals()

    def _outbox(self) -> Iterator[Metric]:
        pending = GaugeMetricFamily(
            "referral_webhook_outbox_pending",
            "Webhook deliveries waiting to be sent, by the state of their endpoint (a disabled endpoint's wait for it).",
            labels=["endpoint_state"],
        )
        age = GaugeMetricFamily(
            "referral_webhook_outbox_oldest_pending_age_seconds",
            "Age of the oldest webhook delivery waiting to be sent (0 when none), by the state of its endpoint.",
            labels=["endpoint_state"],
        )
        if self.outbox.rows is not None:
            since_read = time.monotonic() - self.outbox.read_at
            found = {("disabled" if row["disabled"] else "enabled"): row for row in self.outbox.rows}
            for endpoint_state in ("enabled", "disabled"):
                row = found.get(endpoint_state)
                pending.add_metric([endpoint_state], row["pending"] if row else 0)
                age.add_metric([endpoint_state], row["oldest_age"] + since_read if row else 0.0)
        yield pending
        yield age

    def _referrals(self) -> Iterator[Metric]:
        open_ = GaugeMetricFamily(
            "referral_referrals_open", "Referrals not closed, by agency and state.", labels=["agency_code", "state"]
        )
        overdue = GaugeMetricFamily(
            "referral_referrals_overdue", "Forwarded referrals past their due_at, by agency.", labels=["agency_code"]
        )
        if self.referrals.rows is not None:
            overdue_by_agency: dict[str, int] = {}
            for row in self.referrals.rows:
                open_.add_metric([row["agency_code"], row["state"]], row["open"])
                overdue_by_agency[row["agency_code"]] = overdue_by_agency.get(row["agency_code"], 0) + row["overdue"]
            for agency_code, count in sorted(overdue_by_agency.items()):
                overdue.add_metric([agency_code], count)
        yield open_
        yield overdue
