"""API CPU per complaint intake, in process and without HTTP (not a test: run it by hand).

Builds the app on a fresh database of the PostgreSQL server at BENCH_DATABASE_URL (or
TEST_DATABASE_URL; a server URL, its database part ignored), loads the directory, issues an
Ombudsman key, then drives `POST /v1/complaints` through the app's ASGI interface one request at a
time, each with its own Idempotency-Key. Reports this process's CPU time per intake (the API's
share: the database's own work is in the PostgreSQL backend), the minimum and median of several
rounds. No wrk, no uvicorn, no other load from the harness: on a noisy machine this tells two
versions of the intake apart where the HTTP benchmark cannot. Interleave runs of both:

    PYTHONPATH=src python bench/intake_cpu.py [--intakes 600] [--rounds 7] [--no-key]
    PYTHONPATH=../other-worktree/src python bench/intake_cpu.py     # the version to compare with
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import orjson

ADMIN_KEY = "bench-intake-admin-" + secrets.token_urlsafe(16)
COMPLAINT = {
    "channel": "walk_in",
    "complainant": {"name": "Budi Santoso", "email": "budi@example.org"},
    "subject": "Izin usaha tidak diproses",
    "description": "Permohonan izin usaha diajukan tiga bulan lalu dan belum ada kabar.",
    "category": "penundaan_berlarut",
    "region_code": "64.72",
}

Call = Callable[[str, str, Any, dict[str, str]], Awaitable[tuple[int, bytes]]]


def _database(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))


def asgi_caller(app: Any) -> Call:
    """A function sending one request to the app's ASGI interface, returning (status, body)."""

    async def call(method: str, path: str, body: Any, headers: dict[str, str]) -> tuple[int, bytes]:
        raw = orjson.dumps(body) if body is not None else b""
        sent: list[dict[str, Any]] = []
        received = False

        async def receive() -> dict[str, Any]:
            nonlocal received
            if received:  # the app only asks again to learn of a disconnect: none comes
                await asyncio.Event().wait()
            received = True
            return {"type": "http.request", "body": raw, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"127.0.0.1"),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(raw)).encode()),
                *((name.lower().encode(), value.encode()) for name, value in headers.items()),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }
        await app(scope, receive, send)
        return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])

    return call


async def measure(url: str, intakes: int, rounds: int, with_key: bool) -> list[float]:
    from referral_service.config import Settings
    from referral_service.demo import seed_directory
    from referral_service.main import create_app

    await seed_directory(url)
    settings = Settings(
        DATABASE_URL=url,
        REFERRAL_ADMIN_KEY=ADMIN_KEY,
        REFERRAL_RATE_LIMIT_OMBUDSMAN_PER_MINUTE=1_000_000_000,  # limits on, but never reached
        _env_file=None,
    )
    app = create_app(settings, database_url=url)
    async with app.router.lifespan_context(app):
        call = asgi_caller(app)
        status, body = await call(
            "POST", "/v1/api-keys", {"role": "ombudsman", "name": "bench"}, {"authorization": f"Bearer {ADMIN_KEY}"}
        )
        assert status == 201, body
        key = orjson.loads(body)["key"]

        async def intake() -> None:
            headers = {"authorization": f"Bearer {key}"}
            if with_key:
                headers["idempotency-key"] = f"bench-{uuid.uuid4()}"
            status, body = await call("POST", "/v1/complaints", COMPLAINT, headers)
            assert status == 201, body

        for _ in range(min(300, intakes)):  # warm up: prepared statements, caches
            await intake()
        per_intake = []
        for _ in range(rounds):
            started = time.process_time()
            for _ in range(intakes):
                await intake()
            per_intake.append((time.process_time() - started) / intakes * 1000)
        return per_intake


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--intakes", type=int, default=600, help="intakes per round (default 600)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds (default 7)")
    parser.add_argument("--no-key", action="store_true", help="intakes without an Idempotency-Key")
    args = parser.parse_args()
    server = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not server:
        raise SystemExit("set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL server URL")
    name = f"referral_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(_database(server, "postgres"))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = _database(server, name)
        from referral_service.db.migrate import upgrade_to_head

        await asyncio.to_thread(upgrade_to_head, url)
        per_intake = await measure(url, args.intakes, args.rounds, not args.no_key)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    kind = "without a key" if args.no_key else "with an Idempotency-Key"
    print(
        f"{args.rounds} rounds of {args.intakes} intakes {kind}: API CPU per intake "
        f"min {min(per_intake):.3f} ms, median {statistics.median(per_intake):.3f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main())
