"""Failed authentications are limited per source address without locking out valid keys, and a
wrong key costs the database nothing.

Keys are long random secrets: guessing one is hopeless, so the limit is there to shed load, not to
stop guessing. A client behind the same NAT or proxy as someone sending wrong keys keeps working
with its valid key, while the wrong ones get 429 once over the limit. An app of its own, with the
key cache on (as in production) and a small failed-authentication limit.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
import pytest

from referral_service.config import Settings
from tests.conftest import BOOTSTRAP_ADMIN_KEY
from tests.integration.test_ui_http import sign_in

AUTH_FAILURES = 5
_addresses = (f"10.78.{i // 250}.{i % 250 + 1}" for i in itertools.count())


@pytest.fixture(scope="module")
async def cached_app(database_url: str):
    from referral_service.main import create_app

    settings = Settings(
        DATABASE_URL=None,
        REFERRAL_ADMIN_KEY=BOOTSTRAP_ADMIN_KEY,
        REFERRAL_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE=AUTH_FAILURES,
        REFERRAL_DB_POOL_SIZE=2,
        _env_file=None,
    )
    application = create_app(settings, database_url=database_url)
    async with application.router.lifespan_context(application):
        await application.state.key_listener.connected.wait()
        yield application


@pytest.fixture
async def same_address(cached_app):
    """Two clients behind one address (a NAT, an office proxy): a neighbour and us."""
    address = next(_addresses)
    clients = [
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=cached_app, client=(address, 40000 + n)), base_url="https://testserver"
        )
        for n in range(2)
    ]
    yield clients
    for client in clients:
        await client.aclose()


async def _issue(client: httpx.AsyncClient) -> str:
    response = await client.post(
        "/v1/api-keys",
        json={"role": "ombudsman", "name": f"nat {uuid.uuid4().hex[:6]}"},
        headers={"Authorization": f"Bearer {BOOTSTRAP_ADMIN_KEY}"},
    )
    assert response.status_code == 201, response.text
    return response.json()["key"]


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _wrong() -> dict[str, str]:
    return _bearer("rsk_" + uuid.uuid4().hex)


async def test_a_neighbour_sending_wrong_keys_does_not_lock_out_a_valid_key(same_address):
    neighbour, us = same_address
    key = await _issue(us)
    statuses = []
    for _ in range(3 * AUTH_FAILURES):
        statuses.append((await neighbour.get("/v1/agencies", headers=_wrong())).status_code)
        assert (await us.get("/v1/agencies", headers=_bearer(key))).status_code == 200
    # The wrong keys are limited per address all along: 401 up to the limit, then 429.
    assert statuses[:AUTH_FAILURES] == [401] * AUTH_FAILURES and set(statuses[AUTH_FAILURES:]) == {429}, statuses
    refused = await neighbour.get("/v1/agencies")  # no key at all is a failure too
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    # And the web sign-in with the valid key works from the same address.
    assert (await sign_in(us, key)).status_code == 303


@contextmanager
def round_trips(app: Any) -> Iterator[list[str]]:
    """Every use of the app's connection pool (key look-ups) while inside the block, and every
    statement on the rate limiter's own connection (its leases)."""
    seen: list[str] = []

    class Counting:
        def __init__(self, pool: Any) -> None:
            self._pool = pool

        def __getattr__(self, name: str) -> Any:
            attribute = getattr(self._pool, name)
            if name in ("fetch", "fetchrow", "fetchval", "execute", "executemany", "acquire"):
                seen.append(f"pool.{name}")  # a pool or a connection: the same calls
            return attribute

    leases = app.state.rate_limiter._leases
    pool, lease_connection = app.state.pool, leases.connection

    @asynccontextmanager
    async def counted_lease_connection() -> AsyncIterator[Any]:
        async with lease_connection() as conn:
            yield Counting(conn)

    app.state.pool, leases.connection = Counting(pool), counted_lease_connection
    try:
        yield seen
    finally:
        app.state.pool = pool
        del leases.connection  # the method again


async def test_an_unknown_key_costs_no_database_round_trip(cached_app, same_address):
    client, _ = same_address
    # The first unknown key in a while reads the hashes of the active keys: one query for all of them.
    assert (await client.get("/v1/agencies", headers=_wrong())).status_code == 401
    with round_trips(cached_app) as statements:
        for _ in range(AUTH_FAILURES - 1):
            assert (await client.get("/v1/agencies", headers=_wrong())).status_code == 401
    # Under the limit each failure is counted in the shared bucket (one lease each, on the limiter's
    # own connections); the key itself is never looked up.
    assert statements == ["pool.fetchrow"] * (AUTH_FAILURES - 1), statements
    # The one that goes over finds the shared bucket empty (one more lease); the process remembers
    # until when it stays empty, and from then on a wrong key costs nothing at all.
    assert (await client.get("/v1/agencies", headers=_wrong())).status_code == 429
    with round_trips(cached_app) as statements:
        for _ in range(50):
            assert (await client.get("/v1/agencies", headers=_wrong())).status_code == 429
    assert statements == [], statements
