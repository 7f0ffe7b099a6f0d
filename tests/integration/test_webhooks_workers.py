"""`referral-service worker` processes against the test database: a SIGKILL mid-delivery loses
nothing, and two workers at once lose nothing and keep the order per resource."""

import asyncio
import os
import random
import signal
import subprocess
import sys

from tests.conftest import create_complaint
from tests.integration.webhook_support import FAST_ENV


def _start_worker(database_url: str, log_path) -> subprocess.Popen:
    env = {**os.environ, **FAST_ENV, "DATABASE_URL": database_url}
    # The child gets its own descriptor; this process need not keep the file open.
    with open(log_path, "ab") as log:
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
        response = await api.patch(f"/v1/complaints/{complaint['id']}", json={"subject": f"v{n}"}, headers={"If-Match": etag})
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
        await asyncio.sleep(0.3)  # let it pick up whatever else is claimable
        worker.send_signal(signal.SIGKILL)
        await asyncio.to_thread(worker.wait, 5)
    finally:
        await _stop(worker)
    receiver.release.set()
    [stalled_request] = [r for r in receiver.at(path) if r.answered == "stall"]

    restarted = _start_worker(database_url, tmp_path / "worker2.log")
    try:
        await receiver.wait_for(
            lambda: len({r.webhook_id for r in receiver.at(path)}) == 4
            and _first_seen_sequences(receiver.at(path), first["id"]) == [1, 2, 3]
            and len([r for r in receiver.at(path) if r.webhook_id == stalled_request.webhook_id]) >= 2,
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
