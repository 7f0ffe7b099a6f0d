"""Memory of the API process under concurrent attachment uploads (not a test: run it by hand).

Starts `referral-service serve` on a fresh database of the PostgreSQL server at BENCH_DATABASE_URL
(or TEST_DATABASE_URL; a server URL, its database part ignored), records one complaint, then sends
N concurrent uploads of SIZE bytes each (streamed from a generator, so this client's memory stays
flat too) while sampling the server's resident set size (RSS) every 20 ms. Prints the baseline,
the peak and the RSS after the uploads, and checks one download's SHA-256.

    PYTHONPATH=src python bench/attachments_memory.py [--uploads 20] [--size-mib 20] [--blob-store postgresql]

For S3 storage pass `--blob-store s3://bucket/prefix` with the REFERRAL_S3_* variables set.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 64 * 1024


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://"))
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_tree(process: psutil.Process) -> int:
    """RSS of the server and its children (uvicorn runs the app in the process itself with 1 worker)."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def _pdf_chunks(size: int, seed: bytes):
    """A PDF-looking stream of `size` bytes, made chunk by chunk, and the SHA-256 it will have."""
    head = b"%PDF-1.7\n"
    digest = hashlib.sha256()

    # The digest is computed up front without keeping the bytes: each chunk is regenerated on demand.
    def chunk(i: int, length: int) -> bytes:
        block = hashlib.sha256(seed + i.to_bytes(8, "big")).digest() * (CHUNK // 32)
        return (head + block)[:length] if i == 0 else block[:length]

    offsets = []
    sent = 0
    i = 0
    while sent < size:
        length = min(CHUNK, size - sent)
        offsets.append((i, length))
        digest.update(chunk(i, length))
        sent += length
        i += 1

    async def body():
        for index, length in offsets:
            yield chunk(index, length)

    return body, digest.hexdigest()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--size-mib", type=float, default=20)
    parser.add_argument("--blob-store", default="postgresql")
    args = parser.parse_args()
    server_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        print("set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL server URL", file=sys.stderr)
        return 2
    size = int(args.size_mib * 1024 * 1024)
    name = f"referral_bench_att_{secrets.token_hex(4)}"
    admin_conn = await asyncpg.connect(_with_database(server_url, "postgres"))
    await admin_conn.execute(f'CREATE DATABASE "{name}"')
    await admin_conn.close()
    database_url = _with_database(server_url, name)
    admin_key = "bench-admin-" + secrets.token_urlsafe(16)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REFERRAL_ADMIN_KEY": admin_key,
        "REFERRAL_MAX_UPLOAD_BYTES": str(size + 1024 * 1024),
        "REFERRAL_BLOB_STORE": args.blob_store,
        "REFERRAL_LOG_LEVEL": "warning",
        "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    server = subprocess.Popen(
        [sys.executable, "-c", "import sys; from referral_service.cli import main; sys.exit(main())",
         "serve", "--port", str(port)],
        env=env, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=600, headers={"Authorization": f"Bearer {admin_key}"}) as client:
            for _ in range(300):
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError("the server did not become ready")
            complaint = (await client.post("/v1/complaints", json={
                "channel": "walk_in", "complainant": {"name": "Bench"}, "subject": "Bench", "description": "Bench.",
                "category": "penundaan_berlarut", "region_code": "64.72",
            })).json()
            url = f"/v1/complaints/{complaint['id']}/attachments"
            headers = {"Content-Type": "application/pdf", "Content-Disposition": 'attachment; filename="bench.pdf"'}

            # Warm-up: one small upload and download, so imports and pools are in the baseline.
            warm, _ = _pdf_chunks(256 * 1024, b"warm")
            assert (await client.post(url, content=warm(), headers=headers)).status_code == 201
            process = psutil.Process(server.pid)
            await asyncio.sleep(0.5)
            baseline = _rss_tree(process)

            samples: list[int] = []
            stop = asyncio.Event()

            async def sample() -> None:
                while not stop.is_set():
                    samples.append(_rss_tree(process))
                    await asyncio.sleep(0.02)

            bodies = [_pdf_chunks(size, f"upload-{i}".encode()) for i in range(args.uploads)]
            sampler = asyncio.create_task(sample())
            started = time.perf_counter()
            responses = await asyncio.gather(*(client.post(url, content=body(), headers=headers) for body, _ in bodies))
            elapsed = time.perf_counter() - started
            stop.set()
            await sampler
            after = _rss_tree(process)
            statuses = sorted({r.status_code for r in responses})
            assert statuses == [201], [r.text[:200] for r in responses if r.status_code != 201][:3]
            for response, (_, digest) in zip(responses, bodies):
                assert response.json()["sha256"] == digest
            # One download, streamed, checked.
            check = hashlib.sha256()
            async with client.stream("GET", responses[0].headers["location"]) as download:
                async for part in download.aiter_bytes():
                    check.update(part)
            assert check.hexdigest() == bodies[0][1]

        mib = 1024 * 1024
        total = args.uploads * size
        print(f"uploads: {args.uploads} x {size / mib:.1f} MiB concurrently ({total / mib:.0f} MiB), store {args.blob_store}")
        print(f"elapsed: {elapsed:.1f} s ({total / mib / elapsed:.1f} MiB/s)")
        print(f"server RSS: baseline {baseline / mib:.1f} MiB, peak {max(samples) / mib:.1f} MiB "
              f"(+{(max(samples) - baseline) / mib:.1f} MiB), after {after / mib:.1f} MiB; {len(samples)} samples")
        print("download of one upload: SHA-256 matches")
        return 0
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        conn = await asyncpg.connect(_with_database(server_url, "postgres"))
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
