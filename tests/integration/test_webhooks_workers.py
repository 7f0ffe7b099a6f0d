"""`referral-service worker` processes against the test database: a SIGKILL mid-delivery loses
nothing, two workers at once lose nothing and keep the order per resource, and a SIGTERM stops a
worker at once, handing back what it did not finish to the next one."""

import asyncio
import os
import random
import signal
import subprocess
import sys
import uuid

import asyncpg

from tests.conftest import create_complaint
from tests.integration.webhook_support import FAST_ENV


def _start_worker(database_url: str, log_path, **settings: str) -> subprocess.Popen:
    env = {**os.environ, **FAST_ENV, "DATABASE_URL": database_url, **settings}
    log = open(log_path, "ab")  # noqa: SIM115 - the child process writes to it until it is stopped
    return subprocess.Popen([sys.executable, "-m", "referral_service.cli", "worker"], env=env, stdout=log, stderr=log)


async def _stop(process: subprocess.Popen) -> None:
    # Waited for in a thread: the receiver runs on this event loop and must keep answering.
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(process.wait, 10)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait)


async def _complaint_with_updates(api, updates: int) -> dict:
    complaint = await create_complaint(api)
    etag = '"1"'
    for n in range(updates):
        response = await api.patch(
            f"/v1/complaints/{complaint['id']}", json={"subject": f"v{n}"}, headers={"If-Match": etag}
        )
        assert response.status_code == 200, response.text
        etag = response.headers["etag"]
    return complaint


def _first_seen_sequences(requests, complaint_id: str) -> list[int]:
    seen: list[int] = []
    for request in requests:
        data = request.json["data"]
        if data["complaint_id"] == complaint_id and data["sequence"] not in seen:
            seen.append(data["sequence"])
    return seen


async def test_sigkill_mid_delivery_loses_nothing(database_url, ombudsman, receiver, subscribe, tmp_path):
    stalled = {"done": False}

    def behaviour(_request):
        if not stalled["done"]:
            stalled["done"] = True
            return "stall"  # the first request hangs until the worker is killed
        return "ok"

    path = receiver.new_path(behaviour)
    endpoint = await subscribe(ombudsman, receiver.url(path), event_types=["complaint.created", "complaint.updated"])
    first = await _complaint_with_updates(ombudsman, 2)
    other = await create_complaint(ombudsman)

    worker = _start_worker(database_url, tmp_path / "worker1.log")
    try:
        await receiver.wait_for(lambda: stalled["done"], timeout=15)
        # Let it send whatever else is claimable: every event of the complaint that did not stall
        # (the other one's later events wait behind the stalled one).
        [stalled_request] = [r for r in receiver.at(path) if r.answered == "stall"]
        stalled_id = stalled_request.json["data"]["complaint_id"]
        expected = 1 if stalled_id == first["id"] else 3
        await receiver.wait_for(
            lambda: len([r for r in receiver.at(path) if r.json["data"]["complaint_id"] != stalled_id]) == expected,
            timeout=10,
        )
        worker.send_signal(signal.SIGKILL)
        await asyncio.to_thread(worker.wait, 5)
    finally:
        await _stop(worker)
    receiver.release.set()
    [stalled_request] = [r for r in receiver.at(path) if r.answered == "stall"]

    restarted = _start_worker(database_url, tmp_path / "worker2.log")
    try:
        await receiver.wait_for(
            lambda: (
                len({r.webhook_id for r in receiver.at(path)}) == 4
                and _first_seen_sequences(receiver.at(path), first["id"]) == [1, 2, 3]
                and len([r for r in receiver.at(path) if r.webhook_id == stalled_request.webhook_id]) >= 2
            ),
            timeout=20,
        )
    finally:
        await _stop(restarted)
    assert _first_seen_sequences(receiver.at(path), other["id"]) == [1]
    # The delivery the killed worker held was sent again by the new one (at least once).
    assert len([r for r in receiver.at(path) if r.webhook_id == stalled_request.webhook_id]) >= 2
    assert all(r.verifies_with(endpoint["secret"]) for r in receiver.at(path))


async def test_two_workers_lose_nothing_and_keep_order(database_url, ombudsman, receiver, subscribe, tmp_path):
    rng = random.Random(7)
    receiver.slow_seconds = 0.02
    failed_once: set[str] = set()

    def behaviour(request):
        # Some first attempts fail, forcing retries while the other worker serves the same endpoint.
        if request.webhook_id not in failed_once and rng.random() < 0.3:
            failed_once.add(request.webhook_id)
            return "500"
        return "slow"

    path = receiver.new_path(behaviour)
    endpoint = await subscribe(ombudsman, receiver.url(path), event_types=["complaint.created", "complaint.updated"])
    workers = [_start_worker(database_url, tmp_path / f"worker{n}.log") for n in range(2)]
    try:
        complaints = [await _complaint_with_updates(ombudsman, 3) for _ in range(5)]
        await receiver.wait_for(lambda: len({r.webhook_id for r in _successful(receiver, path)}) == 20, timeout=25)
    finally:
        for worker in workers:
            await _stop(worker)
    requests = receiver.at(path)
    assert failed_once, "the scenario should include retries"
    for complaint in complaints:
        mine = [r for r in requests if r.json["data"]["complaint_id"] == complaint["id"]]
        assert _first_seen_sequences([r for r in mine if r.answered != "500"], complaint["id"]) == [1, 2, 3, 4]
        # Event n+1 is never even attempted before event n was answered with success.
        for sequence in (1, 2, 3):
            success = min(r.at for r in mine if r.json["data"]["sequence"] == sequence and r.answered != "500")
            next_first = min(r.at for r in mine if r.json["data"]["sequence"] == sequence + 1)
            assert next_first > success
    assert all(r.verifies_with(endpoint["secret"]) for r in requests)


def _successful(receiver, path):
    return [r for r in receiver.at(path) if r.answered != "500"]


async def _listening_workers(database_url: str) -> int:
    connection = await asyncpg.connect(database_url)
    try:
        return await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%webhook_deliveries%'"
        )
    finally:
        await connection.close()


async def _leased(database_url: str, endpoint_id: str) -> int:
    connection = await asyncpg.connect(database_url)
    try:
        return await connection.fetchval(
            "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = $1 AND locked_until IS NOT NULL",
            uuid.UUID(endpoint_id),
        )
    finally:
        await connection.close()


async def _wait(condition, timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, f"timed out after {timeout} s waiting for {what}"
        await asyncio.sleep(0.05)


async def test_sigterm_hands_back_the_sends_it_did_not_finish(database_url, ombudsman, receiver, subscribe, tmp_path):
    stalling = {"now": True}
    path = receiver.new_path(lambda _r: "stall" if stalling["now"] else "ok")
    endpoint = await subscribe(ombudsman, receiver.url(path))
    backlog = 12
    for _ in range(backlog):
        assert (await ombudsman.post(f"/v1/webhook-endpoints/{endpoint['id']}/test")).status_code == 202
    # The lease is the default minute: what the second worker sends within seconds was handed back.
    env = {"REFERRAL_WEBHOOK_LEASE_SECONDS": "60", "REFERRAL_WEBHOOK_TIMEOUT_SECONDS": "30"}
    listening = await _listening_workers(database_url)
    first = _start_worker(database_url, tmp_path / "worker1.log", **env)
    try:
        # The endpoint's share of the worker's slots (REFERRAL_WEBHOOK_ENDPOINT_CONCURRENCY, 4) hangs.
        await receiver.wait_for(lambda: len(receiver.at(path)) == 4, timeout=15)
        stopped_at = asyncio.get_running_loop().time()
        first.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(first.wait, 30)
        took = asyncio.get_running_loop().time() - stopped_at
    finally:
        await _stop(first)
    assert code == 0
    assert took < 3 + 5, f"stopping took {took:.1f} s (grace 3 s)"  # the stop grace, and some slack
    assert "handed back 4 webhook deliveries" in (tmp_path / "worker1.log").read_text()
    assert await _leased(database_url, endpoint["id"]) == 0

    stalling["now"] = False
    second = _start_worker(database_url, tmp_path / "worker2.log", **env)
    try:
        await _wait(lambda: _listening_workers_above(database_url, listening), 30, "the second worker to listen")
        started = asyncio.get_running_loop().time()
        await receiver.wait_for(
            lambda: len({r.webhook_id for r in receiver.at(path) if r.answered == "ok"}) == backlog, timeout=5
        )
        assert asyncio.get_running_loop().time() - started < 5
    finally:
        await _stop(second)
    # The interrupted sends were not counted as attempts: each delivery has its one successful attempt.
    response = await ombudsman.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries", params={"limit": 100})
    items = response.json()["items"]
    assert len(items) == backlog
    assert all(item["status"] == "delivered" and len(item["attempts"]) == 1 for item in items), items


async def _listening_workers_above(database_url: str, count: int) -> bool:
    return await _listening_workers(database_url) > count
