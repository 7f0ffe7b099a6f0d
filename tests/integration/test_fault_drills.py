"""Database fault drills with real processes: the database goes away under intake load and comes
back, and everything recovers by itself (docs/operations.md, "When the database goes away").

One private PostgreSQL of the suite server's major version, one `serve`, one `worker`, a loopback
receiver subscribed to `complaint.created`, and `CLIENTS` clients posting complaints with
Idempotency-Keys (drill_support.py). The drills, one after the other on the same processes:

(a) `pg_ctl restart -m fast`;
(b) `pg_terminate_backend` of every backend of the service while PostgreSQL stays up;
(c) PostgreSQL stopped for 20 s, then started.

After each: every acknowledged complaint is stored and its webhook arrives within 30 s of the
database being back; the feed's long poll answers again and the key cache hears a revocation
within a second; no process wrote more than 1 MB of log during the drill. The recovery times are
printed and written to test-artifacts/fault-drills/postgres-<major>.json.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from tests.integration.drill_support import (
    Load,
    Site,
    answers,
    drill_site,
    feed_long_poll_works,
    revocation_heard_within,
)

ROOT = Path(__file__).resolve().parents[2]
DELIVERY_BOUND_SECONDS = 30.0
LOG_BOUND_BYTES = 1_000_000
OUTAGE_SECONDS = 20.0
# The dedicated connections each process holds (db/dedicated.py), by application_name.
DEDICATED = (
    "referral-service key-cache listener",
    "referral-service event-feed listener",
    "referral-service rate limiter",
    "referral-service webhook dispatcher",
)

RESULTS: dict[str, dict[str, float | int]] = {}


@pytest.fixture(scope="module")
async def site(database_url, tmp_path_factory):
    async with drill_site(database_url, tmp_path_factory.mktemp("drills")) as scene:
        major = int((await scene.sql("SHOW server_version_num"))[0][0]) // 10000
        yield scene
        if RESULTS:
            out = ROOT / "test-artifacts" / "fault-drills" / f"postgres-{major}.json"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(RESULTS, indent=2) + "\n")
            print(f"\nrecovery times on PostgreSQL {major}: {json.dumps(RESULTS)}")


class Readiness:
    """Samples the API's /readyz and the worker's /readyz every 50 ms."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.samples: list[tuple[float, bool, bool]] = []
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            api, worker = await asyncio.gather(
                answers(f"{self.site.api}/readyz", timeout=0.5),
                answers(f"{self.site.worker_health}/readyz", timeout=0.5),
            )
            self.samples.append((time.monotonic(), api, worker))
            await asyncio.sleep(0.05)

    def first_ready_after(self, since: float, which: int) -> float | None:
        for at, *ready in self.samples:
            if at >= since and ready[which - 1]:
                return at - since
        return None

    def seen_not_ready(self, start: float, end: float, which: int) -> bool:
        return any(not ready[which - 1] for at, *ready in self.samples if start <= at <= end)

    async def stop(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


async def _dedicated_connections(site: Site) -> set[str]:
    rows = await site.sql(
        "SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name = ANY($1::text[])",
        list(DEDICATED),
    )
    return {row[0] for row in rows}


async def _all_dedicated_connections_back(site: Site, since: float) -> float:
    """Seconds from `since` until every dedicated connection of both processes is in pg_stat_activity."""
    while True:
        try:
            if await _dedicated_connections(site) == set(DEDICATED):
                return time.monotonic() - since
        except (OSError, asyncpg.PostgresError):
            pass  # the server is still starting
        await asyncio.sleep(0.05)


async def _drill(site: Site, name: str, fault: Callable[[Readiness], Awaitable[float]]) -> dict[str, float | int]:
    site.alive()
    sizes = site.log_sizes()
    load = Load(site)
    load.start()
    readiness = Readiness(site)
    connections_back: asyncio.Task[float] | None = None
    try:
        # Flowing before the fault: complaints acknowledged and their webhooks arriving.
        warm = time.monotonic() + 30
        while len(set(load.acknowledged) & set(site.delivered())) < 20:
            assert time.monotonic() < warm, f"no traffic before the fault: {load.answers}"
            await asyncio.sleep(0.05)
        back = await fault(readiness)  # when the database was back (monotonic)
        connections_back = asyncio.create_task(_all_dedicated_connections_back(site, back))
        await asyncio.sleep(2.0)  # intake goes on for a while after it
        await load.stop()
        acknowledged = dict(load.acknowledged)
        # The database being away is no server error: 503 with Retry-After, retried by the clients.
        assert 500 not in load.answers, f"answers during the drill: {load.answers}"

        deadline = back + DELIVERY_BOUND_SECONDS
        while missing := set(acknowledged) - set(site.delivered()):
            site.alive()
            assert time.monotonic() < deadline, (
                f"{len(missing)} of {len(acknowledged)} acknowledged complaints without a webhook "
                f"{DELIVERY_BOUND_SECONDS} s after the database was back (answers: {load.answers})"
            )
            await asyncio.sleep(0.05)
        delivered = site.delivered()

        stored = await site.sql("SELECT count(*) FROM complaints WHERE id = ANY($1::uuid[])", list(acknowledged))
        assert stored[0][0] == len(acknowledged), "an acknowledged complaint was lost"

        reconnected = await asyncio.wait_for(connections_back, 15)
        long_poll = await feed_long_poll_works(site)
        revocation = await revocation_heard_within(site)
        assert revocation < 1.0, f"a revoked key was refused only after {revocation:.2f} s"

        grown = {process: size - sizes[process] for process, size in site.log_sizes().items()}
        for process, size in grown.items():
            assert size <= LOG_BOUND_BYTES, f"{process} wrote {size} bytes of log during the drill"
        site.alive()

        after_back = [at for at in delivered.values() if at >= back]
        api_ready = readiness.first_ready_after(back, 1)
        worker_ready = readiness.first_ready_after(back, 2)
        assert api_ready is not None and worker_ready is not None
        result: dict[str, float | int] = {
            "api_ready_s": round(api_ready, 2),
            "worker_ready_s": round(worker_ready, 2),
            "connections_back_s": round(reconnected, 2),
            "first_delivery_s": round(min(after_back) - back, 2) if after_back else 0.0,
            "all_delivered_s": round(max(0.0, max(delivered[c] for c in acknowledged) - back), 2),
            "acknowledged": len(acknowledged),
            "feed_long_poll_s": round(long_poll, 2),
            "revocation_refused_s": round(revocation, 3),
            "log_bytes_serve": grown["serve"],
            "log_bytes_worker": grown["worker"],
        }
        RESULTS[name] = result
        return result
    finally:
        if connections_back is not None:
            connections_back.cancel()
        await readiness.stop()
        if not load._stop.is_set():
            await load.stop(finish_within=5)


async def test_a_restart_of_postgresql(site):
    async def restart(_readiness: Readiness) -> float:
        await asyncio.to_thread(site.server.restart, "fast")
        return time.monotonic()  # pg_ctl -w returns once the server accepts connections

    await _drill(site, "restart", restart)


async def test_every_backend_of_the_service_terminated(site):
    async def terminate(_readiness: Readiness) -> float:
        ended = await site.sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert len(ended) >= len(DEDICATED)
        return time.monotonic()  # it never went away

    await _drill(site, "terminate", terminate)


async def test_postgresql_stopped_for_20_seconds(site):
    """Also: sends in flight when the database goes away are answered while it is away; their
    results are recorded once it is back (not left to their leases, 60 s): each went out once."""
    stalled: list[str] = []

    def stall_three(request) -> str:
        if len(stalled) < 3:
            stalled.append(request.json["data"]["complaint_id"])
            return "stall"  # held until `release` is set
        return "ok"

    async def outage(readiness: Readiness) -> float:
        site.receiver.behaviours[site.hook_path] = stall_three
        deadline = time.monotonic() + 15
        while len(stalled) < 3:
            assert time.monotonic() < deadline, "no sends to hold"
            await asyncio.sleep(0.02)
        await asyncio.to_thread(site.server.stop, "fast")
        stopped = time.monotonic()
        site.receiver.release.set()  # answered now: the worker cannot record the results
        await asyncio.sleep(OUTAGE_SECONDS)
        # Readiness told the truth meanwhile: neither process claimed to be ready.
        assert readiness.seen_not_ready(stopped + 6, stopped + OUTAGE_SECONDS, 1), "the API stayed ready"
        assert not readiness.first_ready_after(stopped + 6, 1), "the API said ready without a database"
        assert not readiness.first_ready_after(stopped + 6, 2), "the worker said ready without a database"
        await asyncio.to_thread(site.server.start)
        return time.monotonic()

    try:
        await _drill(site, "stop-20s", outage)
    finally:
        site.receiver.behaviours[site.hook_path] = lambda _request: "ok"
        site.receiver.release = asyncio.Event()
    sent = [r.json["data"]["complaint_id"] for r in site.receiver.at(site.hook_path)]
    assert [sent.count(complaint) for complaint in stalled] == [1, 1, 1], "a send held over the outage went twice"
    rows = await site.sql(
        "SELECT d.status, d.attempts FROM webhook_deliveries d JOIN webhook_messages m ON m.id = d.message_id "
        "WHERE convert_from(m.body, 'UTF8')::jsonb -> 'data' ->> 'complaint_id' = ANY($1::text[])",
        stalled,
    )
    assert [(row["status"], row["attempts"]) for row in rows] == [("delivered", 1)] * 3
