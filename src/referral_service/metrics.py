"""Prometheus metrics: what is counted, how `GET /metrics` renders it, the worker's metrics server.

Three kinds of figures:

- Counted in the process where they happen (prometheus_client's default registry): requests and
  their latency (observability.py), inbound pushes, and the worker's delivery attempts, delivery
  latency and reminder runs. Under `serve --workers N` each API process writes them to files in
  PROMETHEUS_MULTIPROC_DIR (prometheus_client's multiprocess mode, set up by `serve`) and a scrape
  of any process adds up every process's files.
- Connection pools, sampled per process (`livesum`: the sum over live processes).
- Read from the database at scrape time (`DatabaseFigures`): the webhook outbox and open and overdue
  referrals per agency. Cached for a few seconds, and only ever emitted by the process that answers
  the scrape, never once per process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast
from wsgiref.simple_server import WSGIRequestHandler, make_server

import orjson
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.exposition import ThreadingWSGIServer, make_wsgi_app
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from referral_service import clock
from referral_service.db.sql import Sql
from referral_service.logs import FailureLog

logger = logging.getLogger("referral_service.metrics")

# No `<name>_created` series beside every counter and histogram: they double the series to store
# and say only when a process started counting.
disable_created_metrics()

MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
# What generate_latest writes: the classic text format.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Request latency: a bare endpoint answers in about a millisecond, intake in tens, a report in hundreds.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Commit to a receiver's 2xx: milliseconds when idle, up to hours along the retry schedule.
_DELIVERY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0, 7200.0, 36000.0)

# --- The API (observability.RequestObservability counts every request) -------------------------
# `route` is the matched route's template (`/v1/referrals/{referral_id}`), `<unmatched>` for paths no
# route serves and for requests refused before routing (413/415); `method` is one of the standard
# methods or OTHER: label values never come from what a client typed.
HTTP_REQUESTS = Counter(
    "referral_http_requests_total",
    "HTTP requests answered, by route template, method and status class.",
    ["route", "method", "status_class"],
)
HTTP_REQUEST_DURATION = Histogram(
    "referral_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by route template, method and status class.",
    ["route", "method", "status_class"],
    buckets=_LATENCY_BUCKETS,
)
# `result`: accepted (applied), rejected (a definite 4xx answer, recorded), unauthenticated (401:
# signature, timestamp, unknown agency or no secret), replayed (a repeated webhook-id answered
# again). Counted where inbound/endpoints.py answers a push.
INBOUND_PUSHES = Counter("referral_inbound_pushes_total", "Inbound status pushes answered, by result.", ["result"])
DB_POOL_CONNECTIONS = Gauge(
    "referral_db_pool_connections",
    "Database connections of the API processes' pool, by pool (asyncpg: the one pool every path "
    "uses) and state (in_use, idle); summed over the live processes.",
    ["pool", "state"],
    multiprocess_mode="livesum",
)

# --- Dedicated database connections (db/dedicated.py), in the API processes and the worker --------
# `connection`: key-cache listener, event-feed listener, rate limiter, webhook dispatcher.
DB_CONNECTION_UP = Gauge(
    "referral_db_connection_up",
    "1 while a dedicated database connection (LISTEN, rate-limit leases) is connected, by connection; "
    "under `serve --workers N` the minimum over the live processes.",
    ["connection"],
    multiprocess_mode="livemin",
)
DB_CONNECTION_LOSSES = Counter(
    "referral_db_connection_losses_total",
    "Dedicated database connections lost (each is then re-established with backoff), by connection.",
    ["connection"],
)

# --- The worker (webhook delivery and deadline reminders) -----------------------------------------
# `outcome`: delivered (2xx), retry (failed; another attempt is scheduled), failed (failed; the
# schedule is exhausted), refused (the egress policy refused the destination), gone (410: endpoint
# disabled). Incremented by the dispatcher for every attempt it records.
WEBHOOK_DELIVERY_ATTEMPTS = Counter(
    "referral_webhook_delivery_attempts_total", "Webhook delivery attempts, by outcome.", ["outcome"]
)
# Observed once per delivered message: seconds from the commit of the change that queued it to the
# receiver's 2xx (retries included).
WEBHOOK_DELIVERY_LATENCY = Histogram(
    "referral_webhook_delivery_latency_seconds",
    "Seconds from the commit that queued a webhook to the receiver's 2xx answer, retries included.",
    buckets=_DELIVERY_BUCKETS,
)
# `result`: ok or error; one per pass of the deadline-reminders job (reminders/jobs.py).
DEADLINE_REMINDER_RUNS = Counter(
    "referral_deadline_reminder_runs_total", "Passes of the deadline-reminders job, by result.", ["result"]
)
DEADLINE_REMINDER_EVENTS = Counter(
    "referral_deadline_reminder_events_total", "referral.due_soon and referral.overdue events recorded.", ["type"]
)


def multiprocess_dir() -> str | None:
    """prometheus_client's multiprocess directory, when this process writes its figures there."""
    return os.environ.get(MULTIPROC_DIR_ENV) or None


# --- Connection pools -----------------------------------------------------------------------------


def sample_pools(state: Any) -> None:
    """Record the connection pool of one API process (its app.state.pool)."""
    pool = getattr(state, "pool", None)
    if pool is not None:
        size, idle = pool.get_size(), pool.get_idle_size()
        DB_POOL_CONNECTIONS.labels("asyncpg", "in_use").set(size - idle)
        DB_POOL_CONNECTIONS.labels("asyncpg", "idle").set(idle)


async def sample_pools_every(state: Any, seconds: float) -> None:
    """Under `serve --workers N` a scrape reaches one process; the others' pool figures are what they
    last wrote. This keeps them at most `seconds` old."""
    while True:
        sample_pools(state)
        await asyncio.sleep(seconds)


def forget_this_process() -> None:
    """Drop this process's pool figures from the multiprocess directory (they are not summed any more)."""
    directory = multiprocess_dir()
    if directory is not None:
        multiprocess.mark_process_dead(os.getpid(), directory)


_LIVE_GAUGE_FILE = re.compile(r"gauge_live[a-z]+_(\d+)\.db")


def _forget_dead_processes(directory: str) -> None:
    """A process that died without saying so (SIGKILL) leaves its live gauges behind: drop them."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for pid in {int(m.group(1)) for name in names if (m := _LIVE_GAUGE_FILE.fullmatch(name))}:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):  # another process's scrape removed them first
                multiprocess.mark_process_dead(pid, directory)
        except PermissionError:  # alive, someone else's
            pass


# --- Figures read from the database at scrape time ------------------------------------------------

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


# --- Exposition -----------------------------------------------------------------------------------


class MetricsExposition:
    """What one API process answers on `GET /metrics`."""

    def __init__(self, figures: DatabaseFigures | None = None) -> None:
        self.figures = figures or DatabaseFigures()
        self._database = CollectorRegistry(auto_describe=False)
        self._database.register(self.figures)
        self._directory = multiprocess_dir()
        if self._directory is None:
            self._counted: Collector = REGISTRY
        else:
            self._counted = CollectorRegistry(auto_describe=False)
            multiprocess.MultiProcessCollector(self._counted, self._directory)

    async def render(self, state: Any) -> bytes:
        sample_pools(state)
        pool = getattr(state, "pool", None)
        if pool is not None:
            await self.figures.refresh(pool)
        if self._directory is not None:
            _forget_dead_processes(self._directory)
        return generate_latest(self._counted) + generate_latest(self._database)


def start_metrics_server(port: int, host: str = "127.0.0.1", ready: Callable[[], bool] | None = None) -> Any:
    """Serve this process's metrics on `host:port` from a daemon thread, for `referral-service worker
    --metrics-port`: `/readyz` answers 200 while `ready()` holds (the worker reaches its database)
    and 503 otherwise; any other path serves the metrics. Returns the server; `.shutdown()` stops it.

    The figures are this process's own, from the default registry (also when PROMETHEUS_MULTIPROC_DIR
    is set: a worker is scraped on its own port, not summed with the API processes)."""
    metrics_app = make_wsgi_app(REGISTRY)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/readyz":
            return cast(Iterable[bytes], metrics_app(environ, start_response))
        if ready is None or ready():
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"status":"ready"}']
        body = orjson.dumps(
            {
                "type": "https://referral-service.dev/problems/not-ready",
                "title": "Service not ready",
                "status": 503,
                "detail": "The worker cannot reach its database.",
            }
        )
        start_response("503 Service Unavailable", [("Content-Type", "application/problem+json")])
        return [body]

    class Server(ThreadingWSGIServer):
        address_family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # no line per scrape
            pass

    server = make_server(host, port, app, Server, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics server", daemon=True).start()
    return server
