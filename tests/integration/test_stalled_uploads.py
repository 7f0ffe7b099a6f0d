"""Uploads that stall: the time to receive a body is bounded, uploads in progress are capped per key
and per process, and their memory comes back. Against a real `referral-service serve` over sockets,
with short timings (1 s of grace, 20 KB/s after it, 4 s in all)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.attachment_support import pdf_bytes
from tests.conftest import BOOTSTRAP_ADMIN_KEY
from tests.live_server import _free_port, _live_database

GRACE, RATE, LIMIT = 1.0, 20_000, 4.0
PER_KEY, PER_PROCESS = 2, 6


@dataclass
class Server:
    base: str
    port: int
    pid: int
    complaint_id: str


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory) -> Iterator[Server]:
    with _live_database(database_url, "_stall", tmp_path_factory) as url:
        port = _free_port()
        workdir = tmp_path_factory.mktemp("stalled-uploads")
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REFERRAL_ADMIN_KEY": BOOTSTRAP_ADMIN_KEY,
            "REFERRAL_DATA_DIR": str(workdir / "unused"),
            "REFERRAL_RATE_LIMITS_ENABLED": "false",
            "REFERRAL_BODY_GRACE_SECONDS": str(GRACE),
            "REFERRAL_BODY_MIN_BYTES_PER_SECOND": str(RATE),
            "REFERRAL_BODY_TIMEOUT_SECONDS": str(LIMIT),
            "REFERRAL_UPLOADS_PER_KEY": str(PER_KEY),
            "REFERRAL_UPLOADS_PER_PROCESS": str(PER_PROCESS),
        }
        command = [sys.executable, "-m", "referral_service.cli", "serve", "--no-migrate", "--port", str(port)]
        with open(workdir / "serve.log", "wb") as log:
            process = subprocess.Popen(
                [*command, "--log-level", "warning"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=workdir
            )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, (workdir / "serve.log").read_text()
                try:
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, (workdir / "serve.log").read_text()
                time.sleep(0.1)
            admin = {"Authorization": f"Bearer {BOOTSTRAP_ADMIN_KEY}"}
            body = {
                "channel": "walk_in",
                "complainant": {"name": "Budi"},
                "subject": "Izin",
                "description": "Belum ada kabar.",
                "category": "penundaan_berlarut",
                "region_code": "64.72",
            }
            complaint = httpx.post(f"{base}/v1/complaints", json=body, headers=admin, timeout=10)
            assert complaint.status_code == 201, complaint.text
            yield Server(base, port, process.pid, complaint.json()["id"])
        finally:
            process.terminate()
            process.wait(timeout=15)


def _issue(server: Server) -> str:
    response = httpx.post(
        f"{server.base}/v1/api-keys",
        json={"role": "ombudsman", "name": f"stall {uuid.uuid4().hex[:6]}"},
        headers={"Authorization": f"Bearer {BOOTSTRAP_ADMIN_KEY}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()["key"]


async def _open_upload(server: Server, key: str, declared: int = 20_000_000) -> tuple:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(
        (
            f"POST /v1/complaints/{server.complaint_id}/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {key}\r\nContent-Type: application/pdf\r\n"
            f'Content-Disposition: attachment; filename="lambat.pdf"\r\nContent-Length: {declared}\r\n\r\n'
        ).encode()
    )
    await writer.drain()
    return reader, writer


async def _answer(reader: asyncio.StreamReader, within: float) -> tuple[int, dict[str, str], dict]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), within)
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), within)
    return int(lines[0].split()[1]), headers, json.loads(body)


async def test_an_upload_that_stops_sending_gets_408_and_its_connection_closed(server):
    key = _issue(server)
    reader, writer = await _open_upload(server, key)
    writer.write(b"%PDF-1.4\n" + b"0" * 250_000)  # a quarter of a megabyte, then nothing
    await writer.drain()
    started = time.monotonic()
    # 250 KB is worth 12.5 s at 20 KB/s, beyond the 4 s cap: refused at the cap.
    status, headers, problem = await _answer(reader, LIMIT + 10)
    waited = time.monotonic() - started
    assert status == 408 and problem["type"].endswith("/request-timeout"), problem
    assert headers["connection"] == "close" and headers["content-type"] == "application/problem+json"
    assert LIMIT - 1 < waited < LIMIT + 5, waited
    assert await asyncio.wait_for(reader.read(), 5) == b""  # closed by the server
    writer.close()


async def test_an_upload_that_trickles_below_the_minimum_rate_gets_408_after_the_grace(server):
    key = _issue(server)
    reader, writer = await _open_upload(server, key)
    started = time.monotonic()

    async def trickle() -> None:
        while True:  # 2 KB a second: a tenth of the minimum
            writer.write(b"0" * 2000)
            await writer.drain()
            await asyncio.sleep(1)

    sending = asyncio.create_task(trickle())
    try:
        status, _, problem = await _answer(reader, LIMIT + 10)
    finally:
        sending.cancel()
    assert status == 408, problem
    # Due once the grace and what it sent at 20 KB/s are used up: about 1.1 s, well before the cap.
    assert time.monotonic() - started < LIMIT - 1
    writer.close()


async def test_uploads_in_progress_are_capped_per_key_and_per_process_then_their_slots_come_back(server):
    keys = [_issue(server) for _ in range(PER_PROCESS // PER_KEY + 1)]
    held = [await _open_upload(server, keys[0]) for _ in range(PER_KEY)]
    await asyncio.sleep(0.3)  # let the server take them in
    reader, writer = await _open_upload(server, keys[0])
    status, headers, problem = await _answer(reader, 5)
    assert status == 429 and problem["type"].endswith("/too-many-uploads") and int(headers["retry-after"]) >= 1
    writer.close()
    for key in keys[1 : PER_PROCESS // PER_KEY]:
        held += [await _open_upload(server, key) for _ in range(PER_KEY)]
    await asyncio.sleep(0.3)
    reader, writer = await _open_upload(server, keys[-1])  # a key with none in progress
    status, headers, problem = await _answer(reader, 5)
    assert status == 503 and problem["type"].endswith("/uploads-busy") and int(headers["retry-after"]) >= 1
    writer.close()
    # The held ones send nothing: each is refused at the end of its grace, and its slot is free again.
    for stalled, _ in held:
        assert (await _answer(stalled, GRACE + 10))[0] == 408
    data = pdf_bytes(size=50_000)
    async with httpx.AsyncClient(base_url=server.base, timeout=10) as client:
        response = await client.post(
            f"/v1/complaints/{server.complaint_id}/attachments",
            content=data,
            headers={
                "Authorization": f"Bearer {keys[0]}",
                "Content-Type": "application/pdf",
                "Content-Disposition": 'attachment; filename="cepat.pdf"',
            },
        )
    assert response.status_code == 201, response.text
    for _, stalled_writer in held:
        stalled_writer.close()


async def test_stalled_uploads_hold_little_memory_and_return_it(server):
    """What the probe did (300 uploads declaring 20 MB, each sending 250 KB and stalling: memory grew
    83 MB and stayed), in rounds. Only the slots of one process are taken in, each keeps at most
    64 KiB in memory (the rest on disk), and every one ends at the time limit: after a first round
    has warmed the process up, further rounds reuse its memory instead of adding to it."""
    keys = [_issue(server) for _ in range(10)]
    chunk = b"%PDF-1.4\n" + b"0" * 250_000

    async def stall(key: str) -> int:
        reader, writer = await _open_upload(server, key)
        try:
            writer.write(chunk)
            await writer.drain()
            return (await _answer(reader, LIMIT + 15))[0]
        except (ConnectionError, asyncio.IncompleteReadError):
            return 0  # refused at once and closed while it was still sending
        finally:
            writer.close()

    async def round_of(uploads: int) -> list[int]:
        return await asyncio.gather(*(stall(keys[i % len(keys)]) for i in range(uploads)))

    # Warm up at the largest round's size: the code paths, the pools, and the process's memory grown to
    # what that many requests at once need (the allocator keeps its high-water mark; a warm-up smaller
    # than a later round left up to 10 MB of that one-time growth inside the measured rounds).
    await round_of(120)
    warmed = peak = _rss_kib(server.pid)

    async def sample() -> None:
        nonlocal peak
        while True:
            peak = max(peak, _rss_kib(server.pid))
            await asyncio.sleep(0.05)

    sampler = asyncio.create_task(sample())
    after = []
    for uploads in (60, 120, 60):
        statuses = await round_of(uploads)
        assert statuses.count(408) == PER_PROCESS and set(statuses) <= {0, 408, 429, 503}, statuses
        after.append(_rss_kib(server.pid))
    sampler.cancel()
    grown = [kib - warmed for kib in after]
    assert max(grown) < 4 * 1024, f"RSS after each round grew by {grown} KiB over {warmed} KiB"
    assert peak - warmed < 16 * 1024, f"RSS peaked {peak - warmed} KiB over {warmed} KiB"
