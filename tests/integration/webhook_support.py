"""A real HTTP receiver on a loopback socket (uvicorn, in the test's event loop), worker fixtures
and helpers for the webhook tests. Signatures are checked with the independent `standardwebhooks`
package, never with the service's own signing code."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import orjson
import uvicorn
from standardwebhooks import Webhook

from referral_service.config import Settings
from referral_service.db.migrate import upgrade_to_head
from referral_service.main import create_app
from referral_service.webhooks.dispatcher import DeliveryDispatcher
from referral_service.worker import Job, WorkerContext, run_jobs

# A behaviour decides the answer to one request: ("ok" | "500" | "410" | "429" | "redirect" | "slow" | "stall"
# | "echo": 200 with the request's body | "stall-echo": the same once `release` is set).
Behaviour = Callable[["Received"], str]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    answered: str = ""

    @property
    def json(self) -> dict[str, Any]:
        return orjson.loads(self.body)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    def verifies_with(self, secret: str) -> bool:
        try:
            Webhook(secret).verify(self.body, self.headers)
            return True
        except Exception:
            return False


@dataclass
class Receiver:
    port: int = 0
    requests: list[Received] = field(default_factory=list)
    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    slow_seconds: float = 3.0
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def new_path(self, behaviour: Behaviour | str = "ok") -> str:
        path = f"/hook/{uuid.uuid4().hex[:12]}"
        self.behaviours[path] = behaviour if callable(behaviour) else (lambda _r, b=behaviour: b)
        return path

    def at(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out after {timeout} s; received {[(r.path, r.json.get('type')) for r in self.requests]}"
                )
            await asyncio.sleep(0.02)

    async def __call__(self, scope, receive, send) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        received = Received(scope["path"], headers, body, time.monotonic())
        self.requests.append(received)
        behaviour = self.behaviours.get(scope["path"], lambda _r: "404")(received)
        received.answered = behaviour
        status, extra = 204, []
        if behaviour in ("stall", "stall-echo"):
            await self.release.wait()
        if behaviour in ("echo", "stall-echo"):
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": body})
            return
        if behaviour == "slow":
            await asyncio.sleep(self.slow_seconds)
        elif behaviour == "redirect":
            status, extra = 307, [(b"location", self.url("/redirected").encode())]
        elif behaviour == "429":
            status, extra = 429, [(b"retry-after", b"1")]
        elif behaviour not in ("ok", "stall"):
            status = int(behaviour)
        await send({"type": "http.response.start", "status": status, "headers": extra})
        await send({"type": "http.response.body", "body": b"" if status == 204 else f"answer {status}".encode()})


async def start_receiver() -> tuple[Receiver, Callable[[], Awaitable[None]]]:
    receiver = Receiver()
    config = uvicorn.Config(
        receiver, host="127.0.0.1", port=0, log_level="warning", lifespan="off", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    receiver.port = server.servers[0].sockets[0].getsockname()[1]

    async def stop() -> None:
        receiver.release.set()
        server.should_exit = True
        await task

    return receiver, stop


def fast_settings(settings: Settings, **overrides: Any) -> Settings:
    values = {
        "webhook_timeout_seconds": 1.0,
        "webhook_retry_schedule": "0,0.2,0.2,0.2",
        "webhook_retry_jitter": 0.0,
        "webhook_lease_seconds": 3.0,
        "webhook_poll_seconds": 0.1,
        **overrides,
    }
    return settings.model_copy(update=values)


FAST_ENV = {
    "REFERRAL_WEBHOOK_ALLOW_HTTP": "true",
    "REFERRAL_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
    "REFERRAL_WEBHOOK_TIMEOUT_SECONDS": "1",
    "REFERRAL_WEBHOOK_RETRY_SCHEDULE": "0,0.2,0.2,0.2,0.2",
    "REFERRAL_WEBHOOK_RETRY_JITTER": "0",
    "REFERRAL_WEBHOOK_LEASE_SECONDS": "2",
    "REFERRAL_WEBHOOK_POLL_SECONDS": "0.1",
}


async def listening(dispatcher: DeliveryDispatcher, timeout: float = 5.0) -> None:
    """Wait until the dispatcher LISTENs for new deliveries (it is then idle, woken by each commit)."""
    deadline = time.monotonic() + timeout
    while not dispatcher.listening:
        assert time.monotonic() < deadline, f"the dispatcher was not listening after {timeout} s"
        await asyncio.sleep(0.01)


async def claim_rounds(dispatcher: DeliveryDispatcher, rounds: int = 2, timeout: float = 5.0) -> None:
    """Wait until the dispatcher has run `rounds` more claims than it had when called. The first may
    have started before the call; the others started after, so whatever was committed before the
    call has been looked at: what nothing has claimed by then was not claimable."""
    target = dispatcher.claim_rounds + rounds
    deadline = time.monotonic() + timeout
    while dispatcher.claim_rounds < target:
        assert time.monotonic() < deadline, f"the dispatcher ran no {rounds} claims in {timeout} s"
        await asyncio.sleep(0.01)


async def leased(app, endpoint_id: str) -> int:
    """How many of the endpoint's deliveries a worker holds a lease on (claimed, not recorded yet)."""
    async with app.state.pool.acquire() as connection:
        return await connection.fetchval(
            "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = $1 AND locked_until IS NOT NULL",
            uuid.UUID(str(endpoint_id)),
        )


# ---------------------------------------------------------------- fixtures (import into test modules)

import pytest  # noqa: E402

from tests.conftest import BOOTSTRAP_ADMIN_KEY, Api, _with_database  # noqa: E402
from tests.sessions import attach_sessions  # noqa: E402


@pytest.fixture
async def receiver():
    instance, stop = await start_receiver()
    yield instance
    await stop()


@pytest.fixture
async def subscribe(admin):
    """subscribe(api, url, **fields) -> endpoint JSON (with secret); every endpoint is deleted afterwards."""
    created: list[str] = []

    async def _subscribe(api, url: str, **fields: Any) -> dict[str, Any]:
        response = await api.post("/v1/webhook-endpoints", json={"url": url, **fields})
        assert response.status_code == 201, response.text
        created.append(response.json()["id"])
        return response.json()

    yield _subscribe
    for endpoint_id in created:
        await admin.delete(f"/v1/webhook-endpoints/{endpoint_id}")


@pytest.fixture
async def worker(app, settings, database_url):
    """worker(**setting_overrides) -> DeliveryDispatcher: run a delivery dispatcher in this process
    until the test ends."""
    running: list[tuple[asyncio.Event, asyncio.Task]] = []

    def _start(**overrides: Any) -> DeliveryDispatcher:
        dispatcher = DeliveryDispatcher(database_url)
        job = Job("webhook-delivery", dispatcher.run_once, idle_seconds=0, on_stop=dispatcher.close)
        ctx = WorkerContext(fast_settings(settings, **overrides), app.state.pool)
        stop = asyncio.Event()
        running.append((stop, asyncio.create_task(run_jobs(ctx, stop, [job]))))
        return dispatcher

    yield _start
    for stop, _ in running:
        stop.set()
    for _, task in running:
        await task


@pytest.fixture
async def own_database(database_url, settings):
    """A freshly migrated database for this test alone, and an admin client of an app bound to it:
    (url, app, admin).

    For tests that leave much behind (thousands of referrals and deliveries, committed by real
    processes: open referrals for later tests to find, bloated tables and indexes) or that examine
    query plans (which other tests' leftovers would change).
    """
    name = f"referral_own_{uuid.uuid4().hex[:12]}"
    server = await asyncpg.connect(_with_database(database_url, "postgres"))
    try:
        await server.execute(f'CREATE DATABASE "{name}"')
    finally:
        await server.close()
    url = _with_database(database_url, name)
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        application = create_app(settings, database_url=url)
        async with (
            application.router.lifespan_context(application),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url="http://testserver") as client,
        ):
            engine = attach_sessions(application, url)
            try:
                yield url, application, Api(client, BOOTSTRAP_ADMIN_KEY, "admin")
            finally:
                await engine.dispose()
    finally:
        server = await asyncpg.connect(_with_database(database_url, "postgres"))
        try:
            await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await server.close()
