"""What the per-request observability middleware costs, without HTTP: microseconds per request.

Drives `RequestObservability` (request id, metrics, access log) around a bare ASGI app that answers
200, against the bare app alone, in one event loop. The access log goes to /dev/null through the
same handler the CLI installs, so formatting and the write are counted.

    PYTHONPATH=src python bench/request_overhead.py [--requests 200000]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import time

from referral_service.logs import make_handler, skip_unused_record_attributes
from referral_service.observability import RequestObservability


async def bare_app(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"status":"ok"}'})


class Route:
    path = "/healthz"


SCOPE = {
    "type": "http", "method": "GET", "path": "/healthz", "raw_path": b"/healthz", "query_string": b"",
    "headers": [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"wrk"), (b"accept", b"*/*")],
    "client": ("127.0.0.1", 50000), "route": Route(),
}


async def receive():
    return {"type": "http.request", "body": b"", "more_body": False}


async def send(message) -> None:
    pass


async def per_request(app, requests: int) -> float:
    for _ in range(1000):  # warm up: metric children, caches
        await app(dict(SCOPE), receive, send)
    started = time.perf_counter()
    for _ in range(requests):
        await app(dict(SCOPE), receive, send)
    return (time.perf_counter() - started) / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    root = logging.getLogger()
    skip_unused_record_attributes()  # as the CLI's configure_logging does
    wrapped = RequestObservability(bare_app)
    with open("/dev/null", "w") as devnull:
        cases = {}
        for name, fmt, level in (
            ("bare app", None, logging.WARNING),
            ("+ middleware, access log off (WARNING)", "json", logging.WARNING),
            ("+ middleware, JSON access log", "json", logging.INFO),
            ("+ middleware, text access log", "text", logging.INFO),
        ):
            root.handlers = [make_handler(fmt, devnull)] if fmt else []
            root.setLevel(level)
            app = bare_app if fmt is None else wrapped
            cases[name] = statistics.median(asyncio.run(per_request(app, args.requests)) for _ in range(args.runs))
    base = cases["bare app"]
    for name, micros in cases.items():
        extra = "" if name == "bare app" else f"  (+{micros - base:.1f} µs)"
        print(f"{name:42s} {micros:6.1f} µs/request{extra}")


if __name__ == "__main__":
    main()
