"""The long-running commands: `serve` (the API, in one process or N) and `worker` (background jobs).

Heavy imports (uvicorn, the app, the worker) happen inside the commands, so the short commands
(`migrate`, `openapi`, `send-inbound`...) start without loading them.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from referral_service.config import IN_PROCESS_JOBS_ENV, get_settings
from referral_service.logs import configure_logging
from referral_service.process import STOP_SIGNALS, install_stop_signal_handlers, migrate, resolve_database_url


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from referral_service.main import create_app

    settings = get_settings()
    embedded = not settings.database_url
    url = resolve_database_url(settings)
    if not args.no_migrate:
        migrate(url)
    if args.demo and settings.public_base_url is None:
        # Development over plain HTTP: the web pages' cookies must not be Secure, or no browser signs in.
        public = os.environ["REFERRAL_PUBLIC_BASE_URL"] = f"http://{args.host}:{args.port}"
        settings = settings.model_copy(update={"public_base_url": public})
    if args.demo:
        from referral_service.demo import seed_demo

        seeded = asyncio.run(seed_demo(url, settings))
        print("\nDemo directory loaded (Kalimantan Timur). API keys for this run:")
        for key in seeded.keys:
            scope = key.agency_code or (f"region {key.region_code}" if key.region_code else "national")
            print(f"  export {key.label}={key.key}    # {key.role}, {scope}")
        if seeded.complaints_recorded:
            print(f"Demo quarter recorded: {seeded.complaints_recorded} complaints over the last 13 weeks.")
        print(f"Web pages: http://{args.host}:{args.port}/ui/ (sign in with one of these keys)")
        print()
    in_process_jobs = embedded or args.with_worker
    # uvicorn handles SIGTERM and SIGINT itself while it serves (graceful shutdown, then the
    # lifespan's), restores our handlers and raises the signal again: that arrives here as
    # StopSignal, after the shutdown, and `main` stops the embedded server.
    # Our logging for everything uvicorn says too (log_config=None leaves it alone); the access log
    # is the app's own (observability.py), one line per request with its id, route and key id.
    log_level = args.log_level or settings.log_level
    configure_logging(level=log_level)
    # On SIGTERM uvicorn stops accepting, lets the requests in flight finish for up to the grace
    # period (then cancels them), runs the lifespan's shutdown and returns; `serve` then exits 0.
    common = {
        "host": args.host,
        "port": args.port,
        "log_level": log_level,
        "proxy_headers": False,
        "log_config": None,
        "access_log": False,
        "timeout_graceful_shutdown": settings.shutdown_grace_seconds,
    }
    if args.workers == 1:
        uvicorn.run(create_app(settings, database_url=url, run_jobs_in_process=in_process_jobs), **common)
        return 0
    # N processes (uvicorn's supervisor) sharing the port: each builds its own app from the
    # environment, which carries the database URL resolved here (the embedded server's, too).
    os.environ["DATABASE_URL"] = url
    os.environ[IN_PROCESS_JOBS_ENV] = "1" if in_process_jobs else ""
    os.environ["REFERRAL_LOG_LEVEL"] = log_level
    config = uvicorn.Config("referral_service.main:app_from_environment", factory=True, workers=args.workers, **common)
    with _metrics_directory():
        _run_worker_processes(config)
    return 0


def _run_worker_processes(config: Any) -> None:
    """What `uvicorn.run(..., workers=N)` does, except that on a stop signal the supervisor closes its
    own copy of the listening socket before it tells the processes to stop. uvicorn's keeps it open
    until every process has exited, so the kernel went on accepting connections that nobody would
    serve during the drain, and reset them at the end; now, once the processes have closed theirs,
    a new connection is refused, as with one process, and a load balancer tries elsewhere."""
    from uvicorn.supervisors import Multiprocess

    class DrainingMultiprocess(Multiprocess):
        def terminate_all(self) -> None:
            for sock in self.sockets:
                sock.close()
            super().terminate_all()

    DrainingMultiprocess(config, sockets=[config.bind_socket()]).run()


@contextmanager
def _metrics_directory() -> Iterator[None]:
    """prometheus_client's multiprocess mode for `serve --workers N`: each API process writes its
    counts to files in PROMETHEUS_MULTIPROC_DIR and `GET /metrics` in any of them adds them all up.
    The directory is a new one, removed when `serve` ends; one the operator set is used as it is
    (and must be emptied between runs, as prometheus_client requires)."""
    from referral_service.metrics import MULTIPROC_DIR_ENV

    if os.environ.get(MULTIPROC_DIR_ENV):
        yield
        return
    directory = tempfile.mkdtemp(prefix="referral-metrics-")
    os.environ[MULTIPROC_DIR_ENV] = directory
    try:
        yield
    finally:
        os.environ.pop(MULTIPROC_DIR_ENV, None)
        shutil.rmtree(directory, ignore_errors=True)


def cmd_worker(args: argparse.Namespace) -> int:
    from referral_service.db.driver import create_pool
    from referral_service.jobs import default_jobs
    from referral_service.worker import WorkerContext, ready, run_jobs

    settings = get_settings()
    url = resolve_database_url(settings)
    jobs = default_jobs(url)
    metrics_server = None
    if args.metrics_port is not None:
        from referral_service.metrics import start_metrics_server

        # /readyz there: 503 while the worker cannot reach its database (docs/operations.md).
        metrics_server = start_metrics_server(args.metrics_port, args.metrics_host, ready=lambda: ready(jobs))
        logging.getLogger("referral_service.worker").info(
            "metrics on http://%s:%d/metrics, readiness on /readyz", args.metrics_host, args.metrics_port
        )

    async def _run() -> None:
        # The worker's one pool, shared by every job: with the dispatcher's listener, at most 9 connections.
        pool = await create_pool(url, size=8)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        # A stop signal ends the jobs: the delivery dispatcher stops claiming, lets its sends in flight
        # finish within REFERRAL_WEBHOOK_STOP_GRACE_SECONDS and hands back the leases of the rest.
        for signum in STOP_SIGNALS:
            loop.add_signal_handler(signum, stop.set)
        try:
            await run_jobs(WorkerContext(settings, pool), stop, jobs)
        finally:
            # Closing the loop would reset the handlers to Python's defaults, under which a SIGTERM
            # arriving before `main` has stopped the embedded server would kill the process outright.
            for signum in STOP_SIGNALS:
                loop.remove_signal_handler(signum)
            install_stop_signal_handlers()
            await pool.close()

    try:
        asyncio.run(_run())
    finally:
        if metrics_server is not None:
            metrics_server.shutdown()
            metrics_server.server_close()
    return 0
