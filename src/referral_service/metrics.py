"""Prometheus metrics: what is counted, how `GET /metrics` renders it, the worker's metrics server.

Three kinds of figures:

- Counted in the process where they happen (prometheus_client's default registry): requests and
  their latency (observability.py), inbound pushes, and the worker's delivery attempts, delivery
  latency and reminder runs. Under `serve --workers N` each API process writes them to files in
  PROMETHEUS_MULTIPROC_DIR (prometheus_client's multiprocess mode, set up by `serve`) and a scrape
  of any process adds up every process's files.
- Connection pools, sampled per process (`livesum`: the sum over live processes).
- Read from the database at scrape time (`database_figures.DatabaseFigures`): the webhook outbox and open and overdue
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
from collections.abc import Callable, Iterable
from typing import Any, Protocol, cast
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
from prometheus_client.registry import Collector

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


# --- Exposition -----------------------------------------------------------------------------------


class ScrapeTimeFigures(Collector, Protocol):
    """Figures read afresh when scraped (database_figures.DatabaseFigures): SQL lives above this module."""

    async def refresh(self, pool: Any) -> None: ...


class MetricsExposition:
    """What one API process answers on `GET /metrics`."""

    def __init__(self, figures: ScrapeTimeFigures) -> None:
        self.figures = figures
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
