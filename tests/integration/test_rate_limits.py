"""Rate limits (ratelimit.py) in one process, with small limits on an app of their own.

Each test sends from its own source address (the ASGI transport's `client`) and uses keys and
endpoints of its own, so the shared buckets in the test database never carry over between tests.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from referral_service.config import Settings
from tests.conftest import BOOTSTRAP_ADMIN_KEY

KEY_LIMIT = 20
LEASE_FRACTION = 0.1  # a batch of 2 tokens per lease at 20/min
AUTH_FAILURES = 5
WEBHOOK_MANUAL = 3
INBOUND = 3
ADDRESS = 5

_addresses = (f"10.77.{i // 250}.{i % 250 + 1}" for i in itertools.count())


@pytest.fixture(scope="module")
async def limited_app(database_url: str):
    from referral_service.main import create_app

    settings = Settings(
        DATABASE_URL=None,
        REFERRAL_ADMIN_KEY=BOOTSTRAP_ADMIN_KEY,
        REFERRAL_WEBHOOK_ALLOW_HTTP=True,
        REFERRAL_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
        REFERRAL_RATE_LIMIT_ADMIN_PER_MINUTE=100_000,
        REFERRAL_RATE_LIMIT_OMBUDSMAN_PER_MINUTE=KEY_LIMIT,
        REFERRAL_RATE_LIMIT_AGENCY_PER_MINUTE=KEY_LIMIT,
        REFERRAL_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE=AUTH_FAILURES,
        REFERRAL_RATE_LIMIT_WEBHOOK_MANUAL_PER_MINUTE=WEBHOOK_MANUAL,
        REFERRAL_RATE_LIMIT_INBOUND_PER_MINUTE=INBOUND,
        REFERRAL_RATE_LIMIT_ADDRESS_PER_MINUTE=ADDRESS,
        REFERRAL_RATE_LIMIT_LEASE_FRACTION=LEASE_FRACTION,
        # Few connections (the test server is shared), and every request reads its key: a key's own
        # limit, set in SQL below, applies at once.
        REFERRAL_DB_POOL_SIZE=2,
        REFERRAL_KEY_CACHE_SECONDS=0,
        _env_file=None,
    )
    application = create_app(settings, database_url=database_url)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client_from(limited_app) -> AsyncIterator[Callable[[], httpx.AsyncClient]]:
    """A client factory, each client sending from a new source address (over HTTPS: the web pages'
    cookies are Secure unless REFERRAL_PUBLIC_BASE_URL is an http:// address)."""
    clients: list[httpx.AsyncClient] = []

    def make() -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=limited_app, client=(next(_addresses), 40000))
        client = httpx.AsyncClient(transport=transport, base_url="https://testserver")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


ADMIN = {"Authorization": f"Bearer {BOOTSTRAP_ADMIN_KEY}"}


async def _issue(client: httpx.AsyncClient, role: str = "ombudsman", **fields: str) -> dict:
    body = {"role": role, "name": f"limits {uuid.uuid4().hex[:6]}", **fields}
    response = await client.post("/v1/api-keys", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    return response.json()


def _bearer(key: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {key['key']}"}


def _assert_rate_limited(response: httpx.Response, policy: str) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/rate-limited")
    assert body["status"] == 429
    assert body["request_id"] == response.headers["x-request-id"]
    assert int(response.headers["retry-after"]) >= 1
    assert response.headers["ratelimit-policy"].startswith(f'"{policy}";q=')
    assert re.fullmatch(rf'"{policy}";r=0;t=\d+', response.headers["ratelimit"])


async def test_a_burst_over_a_key_limit_gets_429_with_retry_after_and_ratelimit_headers(client_from):
    client = client_from()
    key = await _issue(client)
    statuses, remaining = [], []
    for _ in range(KEY_LIMIT + 10):
        response = await client.get("/v1/agencies", headers=_bearer(key))
        statuses.append(response.status_code)
        if response.status_code == 200:
            assert response.headers["ratelimit-policy"] == f'"key";q={KEY_LIMIT};w=60'
            match = re.fullmatch(r'"key";r=(\d+);t=(\d+)', response.headers["ratelimit"])
            assert match, response.headers["ratelimit"]
            remaining.append(int(match[1]))
        else:
            _assert_rate_limited(response, "key")
    accepted = statuses.count(200)
    # The bucket holds KEY_LIMIT; it refills at KEY_LIMIT/60 a second, and the burst takes well under 3 s.
    assert KEY_LIMIT <= accepted <= KEY_LIMIT + 1, statuses
    assert set(statuses) == {200, 429}
    assert statuses.index(429) == accepted  # once refused, refused for the rest of the burst
    assert remaining[0] >= KEY_LIMIT - 2 and remaining[-1] <= 1
    assert remaining == sorted(remaining, reverse=True)


async def test_another_key_and_unlimited_routes_are_not_affected(client_from):
    client = client_from()
    first, second = await _issue(client), await _issue(client)
    for _ in range(KEY_LIMIT + 2):
        await client.get("/v1/agencies", headers=_bearer(first))
    assert (await client.get("/v1/agencies", headers=_bearer(first))).status_code == 429
    assert (await client.get("/v1/agencies", headers=_bearer(second))).status_code == 200
    health = await client.get("/healthz")
    assert health.status_code == 200 and "ratelimit" not in health.headers


async def test_a_key_of_its_own_limit_overrides_its_role(client_from, limited_app):
    client = client_from()
    key = await _issue(client)
    await limited_app.state.pool.execute("UPDATE api_keys SET rate_limit_per_minute = 4 WHERE id = $1::uuid", key["id"])
    statuses = [(await client.get("/v1/agencies", headers=_bearer(key))).status_code for _ in range(8)]
    assert statuses.count(200) == 4, statuses
    response = await client.get("/v1/agencies", headers=_bearer(key))
    assert response.headers["ratelimit-policy"] == '"key";q=4;w=60'


async def test_without_the_key_cache_an_address_over_its_failed_authentications_is_refused_unchecked(client_from):
    """This app reads every key from the database (REFERRAL_KEY_CACHE_SECONDS=0), as a process does
    while its key listener reconnects: then every key is a query, and an address over the limit is
    refused before its key is looked at. With the cache, a valid key goes through:
    tests/integration/test_failed_authentication.py."""
    attacker, neighbour = client_from(), client_from()
    good = await _issue(neighbour)
    for _ in range(AUTH_FAILURES):
        response = await attacker.get("/v1/agencies", headers={"Authorization": "Bearer wrong-" + uuid.uuid4().hex})
        assert response.status_code == 401
    over = await attacker.get("/v1/agencies", headers={"Authorization": "Bearer wrong"})
    _assert_rate_limited(over, "auth-failures")
    # Now refused before the key is looked at: even a good key, and no key at all.
    _assert_rate_limited(await attacker.get("/v1/agencies", headers=_bearer(good)), "auth-failures")
    _assert_rate_limited(await attacker.get("/v1/agencies"), "auth-failures")
    # Another address is not affected, failing or not.
    assert (await neighbour.get("/v1/agencies", headers={"Authorization": "Bearer wrong"})).status_code == 401
    assert (await neighbour.get("/v1/agencies", headers=_bearer(good))).status_code == 200


async def test_failed_inbound_signatures_count_as_failed_authentication(client_from):
    client = client_from()
    body = b'{"type": "referral.acknowledged", "data": {}}'
    headers = {
        "content-type": "application/json",
        "webhook-id": "m1",
        "webhook-timestamp": "1",
        "webhook-signature": "v1,xx",
    }
    statuses = []
    for i in range(AUTH_FAILURES + 3):
        # A different agency each time: the per-agency-and-address limit is not what refuses.
        response = await client.post(f"/v1/inbound/no-such-agency-{i}/events", content=body, headers=headers)
        statuses.append(response.status_code)
    # The push that goes over still gets its answer (it is in the agency's log already); the next are refused.
    assert statuses[: AUTH_FAILURES + 1] == [401] * (AUTH_FAILURES + 1)
    assert statuses[AUTH_FAILURES + 1 :] == [429, 429]


@pytest.mark.parametrize(
    "refusal",
    [
        {"content-disposition": "attachment; filename*=UTF-8''%FF.png"},  # headers that do not decode: 400
        {"content-type": "text/html"},  # 415
        {"webhook-signature": "v1," + "A" * 44},  # a signature that does not match: 401
    ],
    ids=["undecodable-file-name", "type-not-allowed", "wrong-signature"],
)
async def test_inbound_uploads_refused_before_their_signature_verifies_count_as_failed_authentication(
    client_from, refusal
):
    from referral_service import signing
    from tests.attachment_support import PNG

    client = client_from()
    statuses = []
    for _ in range(AUTH_FAILURES + 2):
        headers = {
            **signing.build_headers([signing.generate_secret()], f"msg_{uuid.uuid4().hex}", PNG),
            "content-type": "image/png",
            "content-disposition": 'attachment; filename="bukti.png"',
            **refusal,
        }
        response = await client.post("/v1/inbound/inspektorat-64.72/attachments", content=PNG, headers=headers)
        assert response.headers["content-type"] == "application/problem+json"
        statuses.append(response.status_code)
    assert 429 not in statuses[: AUTH_FAILURES + 1] and 500 not in statuses, statuses
    assert statuses[AUTH_FAILURES + 1 :] == [429], statuses


async def test_inbound_pushes_are_limited_per_agency_and_source_address(client_from):
    client, other = client_from(), client_from()
    body = b"{}"
    headers = {"content-type": "application/json"}
    url = "/v1/inbound/some-agency/events"
    statuses = [(await client.post(url, content=body, headers=headers)).status_code for _ in range(INBOUND + 1)]
    assert statuses[:INBOUND] == [401] * INBOUND
    response = await client.post(url, content=body, headers=headers)
    _assert_rate_limited(response, "inbound")
    assert (await other.post(url, content=body, headers=headers)).status_code == 401


async def test_unauthenticated_pages_are_limited_per_source_address(client_from):
    client = client_from()
    statuses = [(await client.get("/readyz")).status_code for _ in range(ADDRESS)]
    assert statuses == [200] * ADDRESS
    _assert_rate_limited(await client.get("/"), "address")
    assert (await client.get("/healthz")).status_code == 200  # probes of liveness are never limited
    assert (await client_from().get("/readyz")).status_code == 200


async def test_webhook_test_sends_retries_and_recoveries_are_limited_per_endpoint(client_from, kaltim):
    client = client_from()
    key = await _issue(client)

    async def subscribe() -> str:
        response = await client.post(
            "/v1/webhook-endpoints", json={"url": "http://127.0.0.1:9/hook"}, headers=_bearer(key)
        )
        assert response.status_code == 201, response.text
        return response.json()["id"]

    first, second = await subscribe(), await subscribe()
    sent = [
        await client.post(f"/v1/webhook-endpoints/{first}/test", headers=_bearer(key))
        for _ in range(WEBHOOK_MANUAL - 1)
    ]
    assert [r.status_code for r in sent] == [202] * (WEBHOOK_MANUAL - 1)
    assert sent[0].headers["ratelimit-policy"] == f'"key";q={KEY_LIMIT};w=60, "webhook-manual";q={WEBHOOK_MANUAL};w=60'
    # A manual retry of one of its deliveries uses the same endpoint's allowance...
    retried = await client.post(f"/v1/webhook-deliveries/{sent[0].json()['delivery_id']}/retry", headers=_bearer(key))
    assert retried.status_code == 202, retried.text
    # ...which is now used up, for test sends, retries and recoveries alike.
    _assert_rate_limited(
        await client.post(f"/v1/webhook-endpoints/{first}/test", headers=_bearer(key)), "webhook-manual"
    )
    _assert_rate_limited(
        await client.post(f"/v1/webhook-deliveries/{sent[1].json()['delivery_id']}/retry", headers=_bearer(key)),
        "webhook-manual",
    )
    recover = await client.post(
        f"/v1/webhook-endpoints/{first}/recover", json={"since": "2026-01-01T00:00:00Z"}, headers=_bearer(key)
    )
    _assert_rate_limited(recover, "webhook-manual")
    # The other endpoint has its own.
    assert (await client.post(f"/v1/webhook-endpoints/{second}/test", headers=_bearer(key))).status_code == 202
    # An endpoint the key cannot see is a 404, and uses up nothing.
    other_key = await _issue(client, "agency", agency_code="inspektorat-64.72")
    for _ in range(WEBHOOK_MANUAL + 1):
        assert (
            await client.post(f"/v1/webhook-endpoints/{second}/test", headers=_bearer(other_key))
        ).status_code == 404
    assert (await client.post(f"/v1/webhook-endpoints/{second}/test", headers=_bearer(key))).status_code == 202


async def test_concurrent_requests_of_one_bucket_share_its_leases(limited_app):
    """Many requests of one key at once: one lease at a time, and exactly the limit granted."""
    from starlette.requests import Request

    from referral_service.errors import RateLimited

    limiter = limited_app.state.rate_limiter
    policy = limiter.policy("key", KEY_LIMIT)
    subject = uuid.uuid4()

    async def one() -> int:
        request = Request({"type": "http", "client": ("10.0.0.1", 1), "headers": [], "state": {}})
        try:
            await limiter.take(request, policy, subject)
        except RateLimited:
            return 429
        return 200

    statuses = await asyncio.gather(*(one() for _ in range(KEY_LIMIT + 10)))
    assert statuses.count(200) == KEY_LIMIT, statuses


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted():
    from types import SimpleNamespace

    from starlette.requests import Request

    from referral_service.ratelimit import client_address, trusted_networks

    def address(peer: str, *forwarded: str, trusted: str = "10.0.0.0/8") -> str:
        limiter = SimpleNamespace(trusted_proxies=trusted_networks(trusted))
        app = SimpleNamespace(state=SimpleNamespace(rate_limiter=limiter))
        headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
        return client_address(Request({"type": "http", "client": (peer, 1), "headers": headers, "app": app}))

    assert address("203.0.113.9", "198.51.100.1") == "203.0.113.9"  # not a proxy: its header is ignored
    assert address("10.1.1.1", "198.51.100.1") == "198.51.100.1"
    assert address("10.1.1.1", "6.6.6.6, 198.51.100.1, 10.2.2.2") == "198.51.100.1"  # spoofed left part ignored
    assert address("10.1.1.1", "6.6.6.6", "198.51.100.1") == "198.51.100.1"
    assert address("10.1.1.1") == "10.1.1.1"
    assert address("10.1.1.1", "198.51.100.1", trusted="") == "10.1.1.1"


async def test_buckets_that_have_refilled_are_swept(limited_app):
    limiter = limited_app.state.rate_limiter
    stale, busy = f"test:{uuid.uuid4()}", f"test:{uuid.uuid4()}"
    async with limited_app.state.pool.acquire() as connection:
        await connection.execute(
            "INSERT INTO rate_limit_buckets (bucket, tokens, granted, updated_at, full_at) VALUES "
            "($1, 5, 1, now() - interval '2 minutes', now() - interval '1 minute'), "
            "($2, 0, 1, now(), now() + interval '1 minute')",
            stale,
            busy,
        )
        await limiter._sweep()
        rows = await connection.fetch("SELECT bucket FROM rate_limit_buckets WHERE bucket = ANY($1)", [stale, busy])
    left = {row["bucket"] for row in rows}
    assert left == {busy}


async def test_without_the_database_a_lease_is_granted_locally(limited_app):
    """Fail open: a rate limit must not turn a database outage into refusals."""
    from starlette.requests import Request

    from referral_service.ratelimit import RateLimiter

    # Nothing listens on port 1: the lease connection never comes up.
    limiter = RateLimiter(limited_app.state.settings, "postgresql://postgres@127.0.0.1:1/nowhere")
    await limiter.start()
    try:
        policy = limiter.policy("key", 2)
        for _ in range(5):
            await limiter.take(Request({"type": "http", "headers": [], "state": {}}), policy, "subject")
    finally:
        await limiter.close()


async def test_wrong_keys_at_the_sign_in_form_count_as_failed_authentication(client_from):
    from tests.integration.test_ui_http import hidden

    attacker = client_from()
    form = await attacker.get("/ui/sign-in")
    for _ in range(2):
        response = await attacker.post("/ui/sign-in", data={"csrf": hidden(form.text, "csrf"), "api_key": "wrong"})
        assert response.status_code == 401
        form = response  # the refusal carries a fresh form
    # The same bucket as wrong API keys: with the two above, the limit is reached three requests earlier.
    for _ in range(AUTH_FAILURES - 2):
        assert (await attacker.get("/v1/agencies", headers={"Authorization": "Bearer wrong"})).status_code == 401
    _assert_rate_limited(await attacker.get("/v1/agencies", headers={"Authorization": "Bearer wrong"}), "auth-failures")


async def test_without_the_key_cache_an_address_over_its_failed_authentications_cannot_sign_in(client_from):
    from tests.integration.test_ui_http import sign_in

    attacker = client_from()
    good = await _issue(client_from())
    for _ in range(AUTH_FAILURES + 1):
        await attacker.get("/v1/agencies", headers={"Authorization": "Bearer wrong"})
    refused = await sign_in(attacker, good["key"])
    assert refused.status_code == 429 and refused.headers["content-type"].startswith("text/html")
    assert int(refused.headers["retry-after"]) >= 1
    assert "Too many requests" in refused.text or "Terlalu banyak permintaan" in refused.text
    assert "ui_session" not in refused.cookies


async def test_page_views_count_against_the_signed_in_keys_limit(client_from):
    from tests.integration.test_ui_http import sign_in

    browser, api = client_from(), client_from()
    key = await _issue(api)
    assert (await sign_in(browser, key["key"])).status_code == 303
    statuses = [(await browser.get("/ui/queue")).status_code for _ in range(KEY_LIMIT + 2)]
    assert statuses.count(200) <= KEY_LIMIT and statuses[-1] == 429, statuses
    refused = await browser.get("/ui/queue")
    assert refused.status_code == 429 and refused.headers["content-type"].startswith("text/html")
    assert int(refused.headers["retry-after"]) >= 1
    # One bucket per key, whichever way it is used.
    _assert_rate_limited(await api.get("/v1/agencies", headers=_bearer(key)), "key")


async def test_page_views_count_against_a_keys_own_limit(client_from, limited_app):
    from tests.integration.test_ui_http import sign_in

    browser = client_from()
    key = await _issue(client_from())
    await limited_app.state.pool.execute("UPDATE api_keys SET rate_limit_per_minute = 4 WHERE id = $1::uuid", key["id"])
    assert (await sign_in(browser, key["key"])).status_code == 303
    statuses = [(await browser.get("/ui/queue")).status_code for _ in range(8)]
    assert statuses.count(200) == 4 and statuses[-1] == 429, statuses


async def test_the_sign_in_pages_answer_an_address_over_its_limit_with_a_page(client_from):
    browser = client_from()
    statuses = [(await browser.get("/ui/sign-in")).status_code for _ in range(ADDRESS)]
    assert statuses == [200] * ADDRESS
    refused = await browser.get("/ui/sign-in")
    assert refused.status_code == 429 and refused.headers["content-type"].startswith("text/html")
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit-policy"].startswith('"address";q=')
    # The stylesheet is limited alike, with the API's problem answer.
    _assert_rate_limited(await browser.get("/ui/static/ui.css"), "address")


async def test_the_ratelimit_header_counts_the_request_it_answers_even_on_a_full_bucket(limited_app):
    """A bucket that has refilled holds q tokens; the request being answered took one of them, so
    its `RateLimit` says at most q - 1 remain (and a `t` of at least a second), never q."""
    from starlette.requests import Request

    limiter = limited_app.state.rate_limiter
    policy = limiter.policy("probe", 6000)  # 100 tokens a second: refilled in a moment
    subject = uuid.uuid4()

    async def remaining() -> tuple[int, int]:
        request = Request({"type": "http", "headers": [], "state": {}})
        await limiter.take(request, policy, subject)
        match = re.fullmatch(r'"probe";r=(\d+);t=(\d+)', request.scope["state"]["rate_limit"][1])
        assert match
        return int(match[1]), int(match[2])

    assert await remaining() == (5999, 1)
    # Let the bucket refill: this process's estimate then reaches the capacity.
    await asyncio.sleep(0.5)
    r, t = await remaining()
    assert r == 5999 and t >= 1
