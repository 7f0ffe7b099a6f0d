"""What the rate limits cost an intake: API-process CPU per `POST /v1/complaints`, in process.

Two measures:

* `--intakes N`: N sequential intakes with one ombudsman key through the whole app (httpx's ASGI
  transport, real PostgreSQL), timed with `time.process_time()`, so only this process's CPU counts
  (PostgreSQL's is another process's). The client's CPU is included and is the same for any code
  under test: compare runs of two checkouts by pointing PYTHONPATH at each `src/`. The key's limit
  is set out of reach but with the default lease batch (30 tokens), so the database is leased from
  every 30 requests as it would be at 600/min.
* `--intakes N --ab`: the same, in one process, alternating blocks of N intakes with the limiter on
  and off (`enabled = False` skips the buckets, the leases and the headers; the failed-authentication
  look-up still runs): the limiter's cost without the noise between processes.
* `--micro N`: the limiter's own per-request work (the failed-authentication check, `take()` from
  leased tokens and the RateLimit headers), N times, without HTTP.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test PYTHONPATH=src \\
        python bench/rate_limit_overhead.py --intakes 1500 --runs 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import time
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import asyncpg

LIMIT = 10_000_000
BATCH = 30  # the default batch at the default 600/min (5 %)


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://"))
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


COMPLAINT = {
    "channel": "walk_in",
    "complainant": {"name": "Budi Santoso", "email": "budi@example.org", "phone": "+62 812 0000 1111"},
    "identity_confidential": False,
    "subject": "Izin usaha tidak diproses",
    "description": "Permohonan izin usaha diajukan tiga bulan lalu dan belum ada kabar.",
    "category": "penundaan_berlarut",
    "region_code": "64.72",
}


async def intakes(url: str, count: int, runs: int, ab: bool = False) -> list[float] | tuple[list[float], list[float]]:
    import httpx

    from referral_service.config import Settings
    from referral_service.main import create_app

    admin_key = "bench-admin-" + secrets.token_hex(8)
    os.environ.update(
        REFERRAL_RATE_LIMIT_OMBUDSMAN_PER_MINUTE=str(LIMIT),
        REFERRAL_RATE_LIMIT_LEASE_FRACTION=str(BATCH / LIMIT),
        REFERRAL_LOG_LEVEL="warning",
    )
    settings = Settings(DATABASE_URL=None, REFERRAL_ADMIN_KEY=admin_key, _env_file=None)
    app = create_app(settings, database_url=url)
    results = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            issued = await client.post(
                "/v1/api-keys", json={"role": "ombudsman", "name": "bench"},
                headers={"Authorization": f"Bearer {admin_key}"},
            )
            assert issued.status_code == 201, issued.text
            headers = {"Authorization": f"Bearer {issued.json()['key']}"}
            for _ in range(200):  # warm-up: pools, statement caches, the key cache
                await client.post("/v1/complaints", json=COMPLAINT, headers=headers)
            async def block() -> float:
                started = time.process_time()
                for _ in range(count):
                    response = await client.post("/v1/complaints", json=COMPLAINT, headers=headers)
                    assert response.status_code == 201, response.text
                return (time.process_time() - started) / count * 1e6

            if not ab:
                for _ in range(runs):
                    results.append(await block())
                return results
            # The same process with the limiter on and off in alternate blocks: no process-to-process noise.
            limiter = app.state.rate_limiter
            on, off = [], []
            for _ in range(runs):
                limiter.enabled = False
                off.append(await block())
                limiter.enabled = True
                on.append(await block())
            return on, off
    return results


def micro(count: int) -> float:
    from starlette.requests import Request

    from referral_service.auth.principal import Principal
    from referral_service.auth.roles import Role
    from referral_service.config import Settings
    from referral_service.ratelimit import STATE_KEY, RateLimiter, client_address

    settings = Settings(
        DATABASE_URL=None, REFERRAL_RATE_LIMIT_OMBUDSMAN_PER_MINUTE=LIMIT, REFERRAL_RATE_LIMIT_LEASE_FRACTION=BATCH / LIMIT,
        _env_file=None,
    )
    limiter = RateLimiter(settings, None)  # no database: every lease is granted at once, locally
    app = SimpleNamespace(state=SimpleNamespace(rate_limiter=limiter))
    principal = Principal(key_id=__import__("uuid").uuid4(), role=Role.OMBUDSMAN, name="bench")

    async def run() -> float:
        started = time.perf_counter()
        for _ in range(count):
            scope = {"type": "http", "client": ("127.0.0.1", 5000), "state": {}, "app": app}
            request = Request(scope)
            limiter.blocked(limiter.auth_failures, client_address(request))
            await limiter.take(request, limiter.key_policy(principal), principal.key_id)
            entry = scope["state"].get(STATE_KEY)
            [(b"ratelimit-policy", entry[0].encode()), (b"ratelimit", entry[1].encode())]
        elapsed = time.perf_counter() - started
        # The same loop without the limiter's work, to subtract.
        started = time.perf_counter()
        for _ in range(count):
            scope = {"type": "http", "client": ("127.0.0.1", 5000), "state": {}, "app": app}
            request = Request(scope)
        return (elapsed - (time.perf_counter() - started)) / count * 1e6

    return asyncio.run(run())


async def scratch_database(server: str) -> tuple[str, str]:
    name = f"referral_bench_limits_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(_with_database(server, "postgres"))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name, _with_database(server, name)


async def drop_database(server: str, name: str) -> None:
    conn = await asyncpg.connect(_with_database(server, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--intakes", type=int, default=0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--micro", type=int, default=0)
    parser.add_argument(
        "--ab", action="store_true",
        help="with --intakes: alternate blocks with the limiter on and off in one process (this checkout only)",
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), help="an existing, migrated database")
    args = parser.parse_args()
    if args.micro:
        print(f"limiter work per request: {micro(args.micro):.2f} µs")
    if args.intakes:
        assert args.database_url, "DATABASE_URL or --database-url"
        if args.ab:
            on, off = asyncio.run(intakes(args.database_url, args.intakes, args.runs, ab=True))
            deltas = [a - b for a, b in zip(on, off)]
            print("limiter off (µs):", " ".join(f"{r:.0f}" for r in off), f"median {statistics.median(off):.0f}")
            print("limiter on  (µs):", " ".join(f"{r:.0f}" for r in on), f"median {statistics.median(on):.0f}")
            spread = statistics.stdev(deltas) / len(deltas) ** 0.5 if len(deltas) > 1 else float("nan")
            print(
                f"on - off per block pair: median {statistics.median(deltas):+.1f} µs, "
                f"mean {statistics.mean(deltas):+.1f} ± {spread:.1f} µs (standard error, {len(deltas)} pairs)"
            )
            return
        results = asyncio.run(intakes(args.database_url, args.intakes, args.runs))
        print("intake CPU per request (µs):", " ".join(f"{r:.0f}" for r in results),
              f"median {statistics.median(results):.0f}")


if __name__ == "__main__":
    main()
