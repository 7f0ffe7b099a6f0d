"""The long-lived connections (db/dedicated.py) and the webhook dispatcher on a broken network: a
terminated backend, a database that refuses, a connection that dies without a word. Each recovers
by itself, waits between attempts, and writes a handful of log lines, not one per attempt."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

import asyncpg
import pytest

from referral_service.db import dedicated
from referral_service.db.dedicated import DedicatedConnection, Unavailable
from referral_service.db.driver import create_pool, driver_dsn
from referral_service.webhooks.dispatcher import DeliveryDispatcher
from referral_service.worker import Job, WorkerContext, run_jobs
from tests.integration.flaky_proxy import FlakyProxy
from tests.integration.webhook_support import fast_settings


async def eventually(predicate, within: float = 5.0, what: str = "condition") -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, f"{what}: not within {within} s"
        await asyncio.sleep(0.01)


async def _sql(database_url: str, statement: str, *args):
    connection = await asyncpg.connect(driver_dsn(database_url))
    try:
        return await connection.fetch(statement, *args)
    finally:
        await connection.close()


@pytest.fixture
async def proxy(database_url):
    instance = FlakyProxy(driver_dsn(database_url))
    await instance.start()
    yield instance
    await instance.stop()


async def test_a_terminated_backend_is_replaced_listens_again_and_its_user_catches_up(database_url):
    name = f"test listener {uuid.uuid4().hex[:8]}"
    channel = f"test_channel_{uuid.uuid4().hex[:8]}"
    heard: list[str] = []
    events: list[str] = []
    connection = DedicatedConnection(
        driver_dsn(database_url),
        name,
        listen={channel: heard.append},
        on_connected=lambda: events.append("connected"),
        on_lost=lambda: events.append("lost"),
    )
    await connection.start()
    try:
        assert connection.connected.is_set() and events == ["connected"]
        # Named in pg_stat_activity, initialised as the pool's connections are (jsonb decoded).
        [row] = await _sql(
            database_url,
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
            dedicated.APPLICATION_PREFIX + name,
        )
        async with connection.connection() as conn:
            assert await conn.fetchval("""SELECT '{"a": 1}'::jsonb""") == {"a": 1}

        await _sql(database_url, "SELECT pg_notify($1, 'first')", channel)
        await eventually(lambda: heard == ["first"], what="the notification")

        await _sql(database_url, "SELECT pg_terminate_backend($1)", row["pid"])
        await eventually(lambda: "lost" in events, within=2, what="the loss noticed")
        await eventually(lambda: events == ["connected", "lost", "connected"], what="reconnected")
        assert connection.sessions == 2

        await _sql(database_url, "SELECT pg_notify($1, 'second')", channel)
        await eventually(lambda: heard == ["first", "second"], what="LISTEN again after the reconnection")
    finally:
        await connection.stop()
    assert not connection.connected.is_set()
    with pytest.raises(Unavailable):
        async with connection.connection():
            pass


async def test_a_database_that_refuses_is_retried_with_backoff_and_a_handful_of_log_lines(proxy, caplog):
    proxy.set("refuse")
    events: list[str] = []
    connection = DedicatedConnection(proxy.dsn, "test refused", on_connected=lambda: events.append("connected"))
    with caplog.at_level(logging.INFO, logger="referral_service.db.dedicated"):
        started = time.monotonic()
        await connection.start()  # returns after the first attempt, connected or not
        try:
            assert not connection.connected.is_set()
            await asyncio.sleep(2.0)
            attempts = proxy.accepted
            # 0.1 s doubling, each shortened by up to half by jitter: about 6 in 2 s, never hundreds.
            assert 3 <= attempts <= 12, (attempts, time.monotonic() - started)
            proxy.set("relay")
            await eventually(lambda: connection.connected.is_set(), within=8, what="connected once it answers")
            assert events == ["connected"]
        finally:
            await connection.stop()
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2, lines
    assert lines[0].startswith("the test refused's database connection failed (")
    assert lines[1].startswith("the test refused's database connection works again after ")


async def test_a_connection_that_dies_silently_is_noticed_by_its_ping(proxy, monkeypatch):
    """A network partition sends no FIN: only a ping that gets no answer reveals it."""
    monkeypatch.setattr(dedicated, "PING_TIMEOUT_SECONDS", 0.5)
    lost: list[float] = []
    connection = DedicatedConnection(
        proxy.dsn, "test silent", on_lost=lambda: lost.append(time.monotonic()), ping_seconds=0.5
    )
    await connection.start()
    try:
        assert connection.connected.is_set()
        proxy.set("freeze")
        frozen = time.monotonic()
        await eventually(lambda: bool(lost), within=5, what="the dead connection noticed")
        assert lost[0] - frozen < 2.5  # a ping interval and a ping timeout, and some slack
        proxy.set("relay")
        await eventually(lambda: connection.connected.is_set(), within=8, what="reconnected")
    finally:
        await connection.stop()


async def test_a_dispatcher_without_its_database_waits_is_not_ready_and_recovers(app, settings, proxy, caplog):
    """The dispatcher's claims go through a pool to the same database as its LISTEN connection. When
    the database goes away, claims wait with backoff between attempts (no loop), log a handful of
    lines, and the worker says not ready; once the database answers it is ready and claims again."""
    pool = await create_pool(proxy.dsn, size=2)
    dispatcher = DeliveryDispatcher(proxy.dsn)
    job = Job("webhook-delivery", dispatcher.run_once, idle_seconds=0, on_stop=dispatcher.close)
    stop = asyncio.Event()
    with caplog.at_level(logging.INFO, logger="referral_service"):
        running = asyncio.create_task(run_jobs(WorkerContext(fast_settings(settings), pool), stop, [job]))
        try:
            await eventually(lambda: dispatcher.ready and dispatcher.listening, what="the dispatcher at work")
            # The database goes away: every connection is dropped, and new ones are refused.
            proxy.set("refuse")
            await proxy.sever()
            await eventually(lambda: not dispatcher.ready, within=5, what="not ready without a database")
            before, rounds = proxy.accepted, dispatcher.claim_rounds
            await asyncio.sleep(2.0)
            assert proxy.accepted - before <= 20, "connection attempts without waiting"
            assert dispatcher.claim_rounds == rounds
            proxy.set("relay")
            await eventually(lambda: dispatcher.ready, within=8, what="ready once the database answers")
            await eventually(lambda: dispatcher.claim_rounds > rounds, within=2, what="claiming again")
        finally:
            stop.set()
            await running
            await pool.close()
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) <= 8, lines
