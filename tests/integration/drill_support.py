"""The scene of the database fault drills (test_fault_drills.py): a private PostgreSQL, one real
`referral-service serve` and one real `referral-service worker` on it, a loopback webhook receiver
subscribed to every new complaint, and clients posting complaints with Idempotency-Keys the way a
careful integrator does (an answer other than 201 is retried with the same key, after a pause).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from referral_service.db.migrate import upgrade_to_head
from referral_service.events.feed import encode_feed_cursor
from tests.conftest import BOOTSTRAP_ADMIN_KEY, complaint_body
from tests.integration.webhook_support import Receiver, start_receiver
from tests.live_server import _free_port
from tests.private_postgres import PrivatePostgres, create_database, start_private_postgres

ADMIN = {"Authorization": f"Bearer {BOOTSTRAP_ADMIN_KEY}"}
CLIENTS = 4


def _env(database_url: str, workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REFERRAL_ADMIN_KEY": BOOTSTRAP_ADMIN_KEY,
        "REFERRAL_DATA_DIR": str(workdir / "unused-data-dir"),  # never the embedded server
        "REFERRAL_KEY_CACHE_SECONDS": "30",
        "REFERRAL_LOG_FORMAT": "json",
        # Real limits stay on (the limiter's connection is one of the drilled ones), out of the load's way.
        "REFERRAL_RATE_LIMIT_ADMIN_PER_MINUTE": "1000000",
        "REFERRAL_RATE_LIMIT_OMBUDSMAN_PER_MINUTE": "1000000",
        "REFERRAL_RATE_LIMIT_ADDRESS_PER_MINUTE": "1000000",
        "REFERRAL_WEBHOOK_ALLOW_HTTP": "true",
        "REFERRAL_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
    }


@dataclass
class Site:
    server: PrivatePostgres
    database_url: str
    api: str
    worker_health: str
    receiver: Receiver
    hook_path: str
    key: str  # an ombudsman key: posts the complaints, owns the subscription
    logs: dict[str, Path]
    processes: dict[str, subprocess.Popen[bytes]]

    def log_sizes(self) -> dict[str, int]:
        return {name: path.stat().st_size for name, path in self.logs.items()}

    def alive(self) -> None:
        for name, process in self.processes.items():
            assert process.poll() is None, (
                f"{name} exited ({process.returncode}):\n{self.logs[name].read_text()[-4000:]}"
            )

    def delivered(self) -> dict[str, float]:
        """complaint id → when its complaint.created webhook first arrived (monotonic)."""
        first: dict[str, float] = {}
        for request in self.receiver.at(self.hook_path):
            first.setdefault(request.json["data"]["complaint_id"], request.at)
        return first

    async def sql(self, statement: str, *args: object) -> list[asyncpg.Record]:
        connection = await asyncpg.connect(self.database_url)
        try:
            return await connection.fetch(statement, *args)
        finally:
            await connection.close()


async def _until(predicate, timeout: float, what: str, site: Site | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        if site is not None:
            site.alive()
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        await asyncio.sleep(0.05)


async def answers(url: str, status: int = 200, timeout: float = 1.0) -> bool:
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            return (await client.get(url)).status_code == status
    except httpx.HTTPError:
        return False


def _spawn(args: list[str], env: dict[str, str], log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:  # the child keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "referral_service.cli", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
        )


async def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(process.wait, 20)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait)


@contextlib.asynccontextmanager
async def drill_site(suite_database_url: str, workdir: Path) -> AsyncIterator[Site]:
    server = await start_private_postgres(suite_database_url)
    receiver, stop_receiver = await start_receiver()
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        url = await create_database(server, "referral")
        await asyncio.to_thread(upgrade_to_head, url)
        env = _env(url, workdir)
        api_port, metrics_port = _free_port(), _free_port()
        logs = {"serve": workdir / "serve.log", "worker": workdir / "worker.log"}
        # The API at WARNING: its access log grows with the clients' traffic, not with faults, and
        # the drills count log bytes to catch loops. The worker at INFO: it has no access log.
        processes["serve"] = _spawn(
            ["serve", "--no-migrate", "--host", "127.0.0.1", "--port", str(api_port), "--log-level", "warning"],
            env,
            logs["serve"],
            workdir,
        )
        processes["worker"] = _spawn(
            ["worker", "--metrics-port", str(metrics_port)],
            {**env, "REFERRAL_LOG_LEVEL": "info"},
            logs["worker"],
            workdir,
        )
        api = f"http://127.0.0.1:{api_port}"
        site = Site(server, url, api, f"http://127.0.0.1:{metrics_port}", receiver, "", "", logs, processes)
        await _until(lambda: answers(f"{api}/readyz"), 60, "the API ready", site)
        await _until(lambda: answers(f"{site.worker_health}/metrics"), 60, "the worker's metrics", site)
        async with httpx.AsyncClient(base_url=api, timeout=10) as client:
            issued = await client.post("/v1/api-keys", json={"role": "ombudsman", "name": "drill"}, headers=ADMIN)
            assert issued.status_code == 201, issued.text
            site.key = issued.json()["key"]
            site.hook_path = receiver.new_path("ok")
            subscribed = await client.post(
                "/v1/webhook-endpoints",
                json={"url": receiver.url(site.hook_path), "event_types": ["complaint.created"]},
                headers={"Authorization": f"Bearer {site.key}"},
            )
            assert subscribed.status_code == 201, subscribed.text
        yield site
    finally:
        for process in processes.values():
            await _stop(process)
        await stop_receiver()
        await asyncio.to_thread(server.destroy)


@dataclass
class Load:
    """`CLIENTS` clients posting complaints, each retried with its Idempotency-Key until answered 201."""

    site: Site
    acknowledged: dict[str, float] = field(default_factory=dict)  # complaint id → when answered 201
    answers: dict[int, int] = field(default_factory=dict)  # status (0: no answer) → count
    unexpected: list[str] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._client()) for _ in range(CLIENTS)]

    async def stop(self, finish_within: float = 60.0) -> None:
        """No new complaints; each client finishes the one it is retrying (acknowledged, or given up)."""
        self._stop.set()
        done, pending = await asyncio.wait(self._tasks, timeout=finish_within)
        for task in pending:
            task.cancel()
        for task in done:
            task.result()
        assert not self.unexpected, self.unexpected[:5]

    async def _client(self) -> None:
        headers = {"Authorization": f"Bearer {self.site.key}"}
        async with httpx.AsyncClient(base_url=self.site.api, timeout=10) as client:
            while not self._stop.is_set():
                await self._one(client, {**headers, "Idempotency-Key": str(uuid.uuid4())})
                await asyncio.sleep(0.02)

    async def _one(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        pause = 0.05
        give_up_at = None
        while True:
            try:
                response = await client.post("/v1/complaints", json=complaint_body(), headers=headers)
                status = response.status_code
            except httpx.HTTPError:
                status = 0
            self.answers[status] = self.answers.get(status, 0) + 1
            if status == 201:
                self.acknowledged[response.json()["id"]] = time.monotonic()
                return
            if status not in (0, 409, 429, 500, 502, 503):
                self.unexpected.append(f"{status}: {response.text[:300]}")
                return
            if self._stop.is_set():
                give_up_at = give_up_at or time.monotonic() + 40
                if time.monotonic() > give_up_at:
                    return  # never acknowledged: nothing was promised
            await asyncio.sleep(pause)
            pause = min(pause * 2, 1.0)


async def feed_long_poll_works(site: Site) -> float:
    """A long poll waiting at the feed's end is answered with a complaint posted meanwhile; returns
    the seconds from the post's 201 to the long poll's answer."""
    last = (await site.sql("SELECT coalesce(max(id), 0) AS id FROM events"))[0]["id"]
    headers = {"Authorization": f"Bearer {site.key}"}
    async with httpx.AsyncClient(base_url=site.api, timeout=30) as client:
        poll = asyncio.create_task(
            client.get("/v1/events", params={"after": encode_feed_cursor(last), "wait": 20}, headers=headers)
        )
        await asyncio.sleep(0.3)  # the long poll is waiting by now
        assert not poll.done(), poll.result().text
        created = await client.post("/v1/complaints", json=complaint_body(), headers=headers)
        assert created.status_code == 201, created.text
        posted = time.monotonic()
        response = await asyncio.wait_for(poll, 20)
        answered = time.monotonic()
    assert response.status_code == 200, response.text
    assert created.json()["id"] in {item["data"]["complaint_id"] for item in response.json()["items"]}
    return answered - posted


async def revocation_heard_within(site: Site) -> float:
    """A key used (so cached), then revoked in SQL behind the API's back: seconds until refused."""
    async with httpx.AsyncClient(base_url=site.api, timeout=10) as client:
        issued = await client.post("/v1/api-keys", json={"role": "ombudsman", "name": "revoked"}, headers=ADMIN)
        assert issued.status_code == 201, issued.text
        key = issued.json()
        headers = {"Authorization": f"Bearer {key['key']}"}
        for _ in range(3):
            assert (await client.get("/v1/agencies", headers=headers)).status_code == 200
        await site.sql("UPDATE api_keys SET revoked_at = now() WHERE id = $1::uuid", key["id"])
        revoked = time.monotonic()
        while (await client.get("/v1/agencies", headers=headers)).status_code == 200:
            assert time.monotonic() - revoked < 5, "the revoked key is still accepted after 5 s"
            await asyncio.sleep(0.01)
        return time.monotonic() - revoked
