"""A tiny webhook receiver for the benchmark: answers 204 at once and records arrival times.

Run as a separate process (bench/run.py starts it): `python bench/receiver.py [--port 0]`.
It prints `PORT <n>` on stdout once it listens on 127.0.0.1.

Any POST whose path starts with /hook is a delivery: the receiver notes the wall-clock arrival time,
the event time found in the JSON body (`timestamp`, else `occurred_at`, else `data.occurred_at`, else
`event.occurred_at`; ISO 8601 or Unix seconds/milliseconds) and the `webhook-id` header, then answers
`204 No Content` on the same keep-alive connection. Control endpoints (for the harness only):
    GET  /_stats   -> {"count": n, "samples": [[arrival, event_ts_or_null, path, webhook_id], ...]}
    GET  /_count   -> {"count": n}
    POST /_reset   -> forget everything recorded so far
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import datetime

try:  # the venv has orjson; the receiver also works without it
    import orjson

    _loads = orjson.loads
    _dumps = orjson.dumps
except ImportError:  # pragma: no cover
    _loads = json.loads

    def _dumps(value):  # type: ignore[misc]
        return json.dumps(value).encode()


samples: list[list] = []


def _to_epoch(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value / 1000.0 if value > 1e11 else float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            try:
                return _to_epoch(float(value))
            except ValueError:
                return None
    return None


def event_time(body: bytes) -> float | None:
    try:
        doc = _loads(body)
    except Exception:
        return None
    if not isinstance(doc, dict):
        return None
    for candidate in (
        doc.get("timestamp"),
        doc.get("occurred_at"),
        (doc.get("data") or {}).get("occurred_at") if isinstance(doc.get("data"), dict) else None,
        (doc.get("event") or {}).get("occurred_at") if isinstance(doc.get("event"), dict) else None,
    ):
        ts = _to_epoch(candidate)
        if ts is not None:
            return ts
    return None


NO_CONTENT = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"


def _json_response(payload) -> bytes:
    body = _dumps(payload)
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            arrival = time.time()
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            body = await reader.readexactly(length) if length else b""
            if path.startswith("/hook") and method == "POST":
                writer.write(NO_CONTENT)
                samples.append([arrival, event_time(body), path, headers.get("webhook-id")])
            elif path == "/_stats":
                writer.write(_json_response({"count": len(samples), "samples": samples}))
            elif path == "/_count":
                writer.write(_json_response({"count": len(samples)}))
            elif path == "/_reset":
                samples.clear()
                writer.write(_json_response({"count": 0}))
            else:
                writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            if headers.get("connection", "").lower() == "close":
                break
    except (asyncio.IncompleteReadError, ConnectionError, ValueError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = await asyncio.start_server(handle, "127.0.0.1", args.port, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        import uvloop  # same event loop as the service when available

        uvloop.install()
    except ImportError:
        pass
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
