"""The API key cache inside a running app: no query on a hit, told about changes by NOTIFY, and
falling back to querying whenever its listener is not connected."""

from __future__ import annotations

import asyncio
import time
import types
import uuid
from contextlib import contextmanager

import asyncpg
import pytest

from referral_service.auth.key_cache import ApiKeyCache
from referral_service.auth.key_listener import APPLICATION_NAME, KeyChangeListener
from referral_service.auth.keys import hash_api_key
from referral_service.backoff import Backoff
from referral_service.db import dedicated
from referral_service.db.driver import driver_dsn as asyncpg_dsn
from tests.conftest import issue_key


@contextmanager
def api_key_queries(app):
    """Collects the statements on api_keys that the app's connections send while inside the block."""
    seen: list[str] = []
    execute = asyncpg.connection.Connection._execute

    async def record(self, query, *args, **kwargs):
        if "api_keys" in query:
            seen.append(query)
        return await execute(self, query, *args, **kwargs)

    asyncpg.connection.Connection._execute = record
    try:
        yield seen
    finally:
        asyncpg.connection.Connection._execute = execute


async def eventually(predicate, *, within: float = 2.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def settle_notifications(app, database_url: str) -> None:
    """Returns once the app has handled every api_keys notification committed so far.

    PostgreSQL delivers notifications in commit order, so a marker sent now arrives after them:
    once the marker's hash is no longer refused from memory (an announced hash may be a new key),
    everything announced before it has been heard too.
    """
    cache = app.state.key_cache
    marker = hash_api_key("marker-" + uuid.uuid4().hex)
    assert await cache.surely_inactive(marker)
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await connection.execute("SELECT pg_notify('api_keys_changed', $1)", marker.hex())
    finally:
        await connection.close()
    deadline = time.monotonic() + 1.0
    while await cache.surely_inactive(marker):
        assert time.monotonic() < deadline, "the marker's notification did not arrive within 1 s"
        await asyncio.sleep(0.01)


async def test_the_app_listens_and_a_cache_hit_sends_no_query(app, admin, database_url):
    await asyncio.wait_for(app.state.key_listener.connected.wait(), 5)
    assert app.state.key_cache.active
    key = await issue_key(admin, "ombudsman")
    await settle_notifications(app, database_url)  # the new key's own announcement has been heard
    with api_key_queries(app) as queries:
        assert (await key.get("/v1/agencies")).status_code == 200
        assert len(queries) == 1  # the first use reads the key
        for _ in range(5):
            assert (await key.get("/v1/agencies")).status_code == 200
        assert len(queries) == 1  # every later one is answered from memory
    assert hash_api_key(key.key) in app.state.key_cache


async def test_unknown_keys_are_refused_from_memory(app, admin):
    await asyncio.wait_for(app.state.key_listener.connected.wait(), 5)
    with api_key_queries(app) as queries:
        for _ in range(10):
            headers = {"Authorization": f"Bearer rsk_{uuid.uuid4().hex}"}
            assert (await admin.client.get("/v1/agencies", headers=headers)).status_code == 401
        # At most the read of the active keys' hashes (when this process's copy was old), never one
        # per key: the unknown keys themselves are never looked up.
        assert len(queries) <= 1 and all("revoked_at IS NULL" in q and "key_hash =" not in q for q in queries)


async def test_a_revocation_in_sql_reaches_the_cache_through_notify(app, admin, database_url):
    """An operator revoking a key in psql bypasses the API; the trigger still tells every process."""
    await asyncio.wait_for(app.state.key_listener.connected.wait(), 5)
    key = await issue_key(admin, "ombudsman")
    await settle_notifications(app, database_url)
    assert (await key.get("/v1/agencies")).status_code == 200
    key_hash = hash_api_key(key.key)
    assert key_hash in app.state.key_cache
    async with app.state.pool.acquire() as connection:
        await connection.execute("UPDATE api_keys SET revoked_at = now() WHERE id = $1", uuid.UUID(key.key_id))
    await eventually(lambda: key_hash not in app.state.key_cache, within=1.0)
    assert (await key.get("/v1/agencies")).status_code == 401


async def test_issuing_a_key_announces_it_so_a_remembered_unknown_hash_is_dropped(database_url):
    cache = ApiKeyCache(30)
    listener = KeyChangeListener(asyncpg_dsn(database_url), cache)
    await listener.start()
    try:
        key_hash = hash_api_key("rsk_" + uuid.uuid4().hex)

        async def nothing(_hash: bytes):
            return None

        assert await cache.principal_for(key_hash, nothing) is None
        assert key_hash in cache
        connection = await asyncpg.connect(asyncpg_dsn(database_url))
        try:
            await connection.execute(
                "INSERT INTO api_keys (id, name, role, key_prefix, key_hash, created_at) "
                "VALUES ($1, 'announced', 'ombudsman', 'rsk_test', $2, now())",
                uuid.uuid4(),
                key_hash,
            )
        finally:
            await connection.close()
        await eventually(lambda: key_hash not in cache, within=1.0)
    finally:
        await listener.stop()
    assert not cache.active


async def _terminate(database_url: str, *, application_name: str | None = None, pid: int | None = None) -> int:
    """Ends the matching backends of this database as an administrator would; returns how many."""
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND (application_name = $1 OR pid = $2)",
            application_name,
            pid,
        )
    finally:
        await connection.close()
    return len(rows)


async def test_losing_the_listener_empties_the_cache_and_queries_until_it_is_back(app, admin, database_url):
    listener = app.state.key_listener
    cache = app.state.key_cache
    await asyncio.wait_for(listener.connected.wait(), 5)
    key = await issue_key(admin, "ombudsman")
    await settle_notifications(app, database_url)
    assert (await key.get("/v1/agencies")).status_code == 200
    assert hash_api_key(key.key) in cache
    sessions = listener.sessions_started

    assert await _terminate(database_url, application_name=APPLICATION_NAME)
    await eventually(lambda: not cache.active)
    assert len(cache) == 0

    await eventually(lambda: listener.sessions_started > sessions and cache.active)  # reconnected
    with api_key_queries(app) as queries:
        assert (await key.get("/v1/agencies")).status_code == 200
        assert (await key.get("/v1/agencies")).status_code == 200
        # The key, and the active keys' hashes (anything may have changed unheard while it was down).
        assert len(queries) == 2  # caching again


async def test_while_the_database_refuses_the_listener_every_request_queries(database_url, monkeypatch):
    """Reconnection is retried with backoff; until it succeeds nothing is served from memory."""
    cache = ApiKeyCache(30)
    listener = KeyChangeListener(asyncpg_dsn(database_url), cache)
    listener.connection.backoff = Backoff(0.05, 0.2)
    reachable = True
    attempts = 0
    connections = []
    real_connect = asyncpg.connect

    async def connect(*args, **kwargs):
        nonlocal attempts
        attempts += 1
        if not reachable:
            raise ConnectionRefusedError("database unreachable (test)")
        connections.append(await real_connect(*args, **kwargs))
        return connections[-1]

    monkeypatch.setattr(dedicated, "asyncpg", types.SimpleNamespace(connect=connect))
    await listener.start()
    try:
        assert cache.active
        reachable = False
        assert await _terminate(database_url, pid=connections[-1].get_server_pid())
        await eventually(lambda: attempts >= 3)  # it keeps trying
        assert not cache.active

        loads = 0

        async def load(_hash: bytes):
            nonlocal loads
            loads += 1
            return None

        for _ in range(3):
            await cache.principal_for(b"\x07" * 32, load)
        assert loads == 3 and len(cache) == 0

        reachable = True
        await eventually(lambda: cache.active, within=10)
        await cache.principal_for(b"\x07" * 32, load)
        await cache.principal_for(b"\x07" * 32, load)
        assert loads == 4
    finally:
        await listener.stop()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://u:p@db:5432/referral",
        "postgres://u:p@db:5432/referral",
        "postgresql://u:p@db:5432/referral",
    ],
)
def test_the_listener_accepts_every_database_url_spelling(url):
    assert asyncpg_dsn(url) == "postgresql://u:p@db:5432/referral"
