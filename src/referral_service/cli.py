"""`referral-service` command line: serve, migrate, load-directory, openapi, ..."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path

from referral_service.config import get_settings
from referral_service.logs import configure_logging
from referral_service.process import (
    CommandFailed,
    StopSignal,
    install_stop_signal_handlers,
    migrate,
    resolve_database_url,
    restore_signal_handlers,
    stop_embedded_server,
)
from referral_service.serving import cmd_serve, cmd_worker

# Each command imports what only it needs when it runs, so `--help` and the short commands start
# without loading the web app, the HTTP client or the migration tool.


def cmd_migrate(args: argparse.Namespace) -> int:
    url = resolve_database_url(get_settings())
    migrate(url)
    print("Database schema is at the latest migration.")
    return 0


def cmd_load_directory(args: argparse.Namespace) -> int:
    from referral_service.demo import seed_directory

    url = resolve_database_url(get_settings())
    migrate(url)
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
    import uuid

    import httpx

    from referral_service.signing import InvalidSecret, build_headers

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
    serve.add_argument(
        "--demo",
        action="store_true",
        help="load the Kalimantan Timur directory, record the demo quarter on a database without complaints, "
        "and print demo keys",
    )
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


def main(argv: list[str] | None = None) -> int:
    try:
        try:
            status = _run(argv)
        finally:  # also after argparse's exit (`--help`, a usage error)
            sys.stdout.flush()  # here, where a closed pipe can still be handled, not at interpreter exit
        return status
    except BrokenPipeError:
        # The reader went away (`referral-service state-diagram | head`): what it did not read was
        # not wanted. Quietly, with the status of a process ended by SIGPIPE; stdout goes to
        # /dev/null so the interpreter's last flush does not complain either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 128 + signal.SIGPIPE


def _run(argv: list[str] | None) -> int:
    configure_logging()
    args = build_parser().parse_args(argv)
    from referral_service.db.embedded import started_servers

    held_before = started_servers()
    previous_handlers = install_stop_signal_handlers()
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
        stop_embedded_server(held_before)
        restore_signal_handlers(previous_handlers)


if __name__ == "__main__":
    raise SystemExit(main())
