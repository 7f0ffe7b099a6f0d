"""Webhook delivery throughput and latency of ONE `referral-service worker` process.

    .venv/bin/python bench/delivery_throughput.py [--deliveries 5000] [--referrals 200] [--receivers 2]

Creates a scratch database (on TEST_DATABASE_URL / DATABASE_URL's server, else the embedded test
server under .referral-data/test-pg), migrates it, queues N pending deliveries spread over R
ordering keys (referrals) to one or two fast local receivers (bench/receiver.py, 204), starts one
worker and times until every delivery is `delivered` -> deliveries/s. Then, at idle, commits
single deliveries (with the NOTIFY the outbox sends) and measures commit -> receipt latency.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def _with_db(url: str, db: str) -> str:
    p = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://"))
    return urlunsplit((p.scheme, p.netloc, "/" + db, p.query, p.fragment))


def _server() -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url
    from referral_service.db.embedded import start_embedded

    return start_embedded(ROOT / ".referral-data" / "test-pg", "postgres")


def _start_receiver() -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "receiver.py"), "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    return proc, int(line.split()[1])


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--deliveries", type=int, default=5000)
    ap.add_argument("--referrals", type=int, default=200)
    ap.add_argument("--receivers", type=int, default=2)
    ap.add_argument("--latency-samples", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args()

    server = _server()
    name = f"referral_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(_with_db(server, "postgres"))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = _with_db(server, name)
    receivers = [_start_receiver() for _ in range(args.receivers)]
    worker = None
    try:
        from referral_service.db.migrate import upgrade_to_head

        await asyncio.to_thread(upgrade_to_head, url)
        from referral_service.webhooks.signing import generate_secret

        conn = await asyncpg.connect(url)
        endpoints = []
        for _, port in receivers:
            endpoints.append(await conn.fetchval(
                "INSERT INTO webhook_endpoints (id, url, owner_role, secret) VALUES (gen_random_uuid(), $1, 'admin', $2) RETURNING id",
                f"http://127.0.0.1:{port}/hook", generate_secret()))
        keys = [uuid.uuid4() for _ in range(args.referrals)]
        body = json.dumps({"type": "referral.updated", "timestamp": time.time(), "data": {"x": "y" * 300}}).encode()
        msg_ids = await conn.fetch(
            "INSERT INTO webhook_messages (type, body) SELECT 'referral.updated', $1 FROM generate_series(1, $2) RETURNING id",
            body, args.deliveries)
        rows = [(endpoints[i % len(endpoints)], r["id"], keys[i % len(keys)]) for i, r in enumerate(msg_ids)]
        await conn.executemany(
            "INSERT INTO webhook_deliveries (endpoint_id, message_id, ordering_key) VALUES ($1, $2, $3)", rows)
        await conn.execute("ANALYZE")

        env = dict(os.environ, DATABASE_URL=url, REFERRAL_WEBHOOK_ALLOW_HTTP="true",
                   REFERRAL_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8")
        t0 = time.monotonic()
        worker = subprocess.Popen([str(ROOT / ".venv" / "bin" / "referral-service"), "worker"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=open("/tmp/bench-worker.log", "w"))
        done = 0
        while time.monotonic() - t0 < args.timeout:
            done = await conn.fetchval("SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'")
            if done >= args.deliveries:
                break
            await asyncio.sleep(0.02)
        elapsed = time.monotonic() - t0
        attempts = await conn.fetchval("SELECT count(*) FROM webhook_attempts")
        # Order check: per (endpoint, key), attempts happen in delivery id order.
        bad = await conn.fetchval("""
            SELECT count(*) FROM (
              SELECT d.id, lag(d.id) OVER (PARTITION BY d.endpoint_id, d.ordering_key ORDER BY d.delivered_at, d.id) AS prev
              FROM webhook_deliveries d) s WHERE prev > id""")
        print(f"backlog: {done}/{args.deliveries} delivered in {elapsed:.2f} s (incl. worker start-up) "
              f"-> {done / elapsed:.0f} deliveries/s; attempts={attempts}; order violations={bad}")

        # Idle latency: commit one delivery (with NOTIFY, like the outbox) -> receiver arrival.
        async with httpx.AsyncClient() as client:
            for _, port in receivers:
                await client.post(f"http://127.0.0.1:{port}/_reset")
            commits: dict[str, float] = {}
            for i in range(args.latency_samples):
                async with conn.transaction():
                    mid = await conn.fetchval(
                        "INSERT INTO webhook_messages (type, body) VALUES ('referral.updated', $1) RETURNING id", body)
                    await conn.execute(
                        "INSERT INTO webhook_deliveries (endpoint_id, message_id, ordering_key) VALUES ($1, $2, $3)",
                        endpoints[0], mid, keys[i % len(keys)])
                    await conn.execute("SELECT pg_notify('webhook_deliveries', '')")
                commits[f"msg_{mid}"] = time.time()
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)
            stats = (await client.get(f"http://127.0.0.1:{receivers[0][1]}/_stats")).json()
        lat = [(s[0] - commits[s[3]]) * 1000 for s in stats["samples"] if s[3] in commits]
        if lat:
            print(f"idle latency commit->receipt: n={len(lat)} p50={_pct(lat, 0.5):.1f} ms "
                  f"p99={_pct(lat, 0.99):.1f} ms max={max(lat):.1f} ms")
        await conn.close()
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(10)
        for proc, _ in receivers:
            proc.terminate()
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
