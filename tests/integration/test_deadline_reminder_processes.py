"""Due-soon and overdue reminders with two real `referral-service worker` processes racing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

from tests.conftest import create_agency
from tests.integration.deadline_helpers import WITA, act, new_referral


def _start_worker(database_url: str, log_path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url}
    # The child gets its own descriptor; this process need not keep the file open.
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "referral_service.cli", "worker"], env=env, stdout=log, stderr=log
        )


async def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(process.wait, 15)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait)


async def _timelines(api, ids: list[str]) -> dict[str, list[str]]:
    out = {}
    for rid in ids:
        events = (await api.get(f"/v1/referrals/{rid}/events")).json()
        assert [e["sequence"] for e in events] == list(range(1, len(events) + 1)), "gapless"
        out[rid] = [e["type"] for e in events]
    return out


async def test_two_worker_processes_record_each_reminder_exactly_once(database_url, ombudsman, admin, tmp_path):
    agency = await create_agency(admin)
    # Overdue on the real clock: forwarded in July 2024 with five working days.
    overdue = [await new_referral(ombudsman, agency) for _ in range(6)]
    for rid in overdue:
        await act(ombudsman, rid, "forward", {"due_working_days": 5}, datetime(2024, 7, 1, 10, tzinfo=WITA))
    # Due soon on the real clock: two working days from now.
    due_soon = [await new_referral(ombudsman, agency) for _ in range(6)]
    for rid in due_soon:
        await act(ombudsman, rid, "forward", {"due_working_days": 2}, datetime.now(UTC))

    workers = [_start_worker(database_url, tmp_path / f"worker{i}.log") for i in range(2)]
    try:
        deadline = time.monotonic() + 60
        while True:
            timelines = await _timelines(ombudsman, overdue + due_soon)
            done = all("referral.overdue" in timelines[r] for r in overdue) and all(
                "referral.due_soon" in timelines[r] for r in due_soon
            )
            if done or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        # Give a straggling pass of the other worker time to commit anything it would add.
        await asyncio.sleep(2)
        assert all(w.poll() is None for w in workers), "a worker process died"
    finally:
        for worker in workers:
            await _stop(worker)

    timelines = await _timelines(ombudsman, overdue + due_soon)
    for rid in overdue:
        assert timelines[rid] == ["referral.created", "referral.forwarded", "referral.overdue"], timelines[rid]
    for rid in due_soon:
        assert timelines[rid] == ["referral.created", "referral.forwarded", "referral.due_soon"], timelines[rid]
