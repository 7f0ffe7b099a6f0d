"""Rate limits shared by every API process: per-process token buckets that lease tokens in batches
from one PostgreSQL row per bucket.

Design. Each limit is a token bucket of capacity `q` that refills at `q / w` tokens a second
(`q` requests per `w` = 60 seconds, bursts up to `q`). The bucket itself lives in the table
`rate_limit_buckets`, one row per limited thing (an API key, a source address, an agency and
address, a webhook endpoint). An API process does not touch that row per request: it *leases* a
batch of tokens (`ceil(q × REFERRAL_RATE_LIMIT_LEASE_FRACTION)`, 5 % of the limit by default) in
one statement that refills the row for the time elapsed, takes `min(batch, whole tokens left)` and
returns what it took, atomically under the row's lock. Requests then spend the leased tokens from
memory (a dict look-up and a decrement); only when they run out does the next request lease again.
With 600/min and a batch of 30, a key at full speed costs one short UPDATE per 30 requests per
process, and a key at normal speed one per 30 requests.

Why this and not a sliding window touched every k requests: leasing debits the shared bucket
*before* the tokens are spent, so the shared row is never behind; the only error is tokens sitting
in a process. That bounds both ways, with any number of processes N:

* over-acceptance: in any window, at most what the bucket allows (`q + q/w × seconds`) plus the
  tokens processes held when the window began, at most `N × batch`;
* early refusal: a process may refuse while another still holds up to `batch - 1` unspent tokens.

A refused lease remembers, in that process, when the shared bucket will have a token again and
refuses locally until then (`Retry-After`), so a client hammering over its limit costs no database
work. Limits that matter per attempt rather than per throughput (failed authentication, webhook test
sends and manual retries) lease one token at a time: exact, and cheap because they are rare.

Leases run on one connection of the process's own (a `DedicatedConnection`, db/dedicated.py): a
request holding a pooled connection never waits for another pooled connection to lease its next
tokens. If the database cannot be reached for a lease, the process grants the batch locally (fail
open): a rate limit must not turn a database hiccup into refusals, and the request fails anyway if
its own queries cannot run. While that connection is away no lease is even tried (nothing waits on
a dead connection, nothing is logged per request: the connection logs its own outage); once it is
back, the buckets granted locally are dropped, so counting starts again from the shared rows.

Rows of buckets that have refilled completely carry no information; a sweep every minute (from the
lease path, in the background) deletes them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import math
from collections.abc import Callable, Hashable
from functools import lru_cache
from time import monotonic
from typing import TYPE_CHECKING

from fastapi import Request

from referral_service.db.dedicated import DedicatedConnection
from referral_service.errors import RateLimited
from referral_service.logs import FailureLog

if TYPE_CHECKING:
    from referral_service.config import Settings

logger = logging.getLogger("referral_service.ratelimit")

WINDOW_SECONDS = 60
STATE_KEY = "rate_limit"  # request.state entry: the (RateLimit-Policy, RateLimit) values to send
_MAX_LOCAL_BUCKETS = 50_000
_SWEEP_EVERY_SECONDS = 60.0
_LEASE_TIMEOUT_SECONDS = 5.0

# One statement, atomic under the row's lock: refill for the time elapsed (never above capacity),
# take up to a batch of whole tokens, say how many were taken and how many are left.
# $1 bucket, $2 capacity, $3 batch, $4 refill per second.
_CAP, _BATCH, _RATE = "$2::float8", "$3::int", "$4::float8"
_REFILLED = (
    f"LEAST({_CAP}, b.tokens + {_RATE} * GREATEST(0, EXTRACT(EPOCH FROM statement_timestamp() - b.updated_at)::float8))"
)
_TAKEN = f"LEAST({_BATCH}, floor({_REFILLED}))"
LEASE_SQL = f"""
INSERT INTO rate_limit_buckets AS b (bucket, tokens, granted, updated_at, full_at)
VALUES ($1, {_CAP} - LEAST({_BATCH}, {_CAP}), LEAST({_BATCH}, {_CAP})::int, statement_timestamp(),
        statement_timestamp() + make_interval(secs => LEAST({_BATCH}, {_CAP}) / {_RATE}))
ON CONFLICT (bucket) DO UPDATE SET
    granted = ({_TAKEN})::int,
    tokens = {_REFILLED} - {_TAKEN},
    updated_at = statement_timestamp(),
    full_at = statement_timestamp() + make_interval(secs => ({_CAP} - ({_REFILLED} - {_TAKEN})) / {_RATE})
RETURNING granted, tokens
"""

SWEEP_SQL = "DELETE FROM rate_limit_buckets WHERE full_at < statement_timestamp()"


class Policy:
    """`q` requests per 60 seconds for one kind of bucket, leased `batch` at a time."""

    __slots__ = ("_prefix", "batch", "header", "limit", "name", "rate")

    def __init__(self, name: str, limit: int, batch: int) -> None:
        self.name, self.limit, self.batch = name, limit, batch
        self.rate = limit / WINDOW_SECONDS  # tokens a second
        self.header = f'"{name}";q={limit};w={WINDOW_SECONDS}'  # RateLimit-Policy
        self._prefix = f'"{name}";r='

    def state(self, remaining: int, reset: int) -> str:
        """The RateLimit header value."""
        return f"{self._prefix}{remaining};t={reset}"

    def __repr__(self) -> str:
        return f"Policy({self.name!r}, {self.limit}, batch={self.batch})"


class _Bucket:
    __slots__ = ("blocked_until", "lease", "seen", "shared", "tokens")

    def __init__(self) -> None:
        self.tokens = 0  # leased and not yet spent
        self.shared = 0.0  # tokens the shared row had left after our last lease
        self.seen = 0.0  # when (monotonic)
        self.blocked_until = 0.0  # the shared row is known to be empty until then (monotonic)
        self.lease: asyncio.Future[None] | None = None  # a lease in flight


def batch_for(limit: int, fraction: float) -> int:
    return max(1, min(limit, math.ceil(limit * fraction)))


class RateLimiter:
    """The buckets of one process, and the policies configured for it."""

    def __init__(self, settings: Settings, dsn: str | None) -> None:
        """`dsn`: the database to lease from (None: every lease is granted locally)."""
        self.enabled = settings.rate_limits_enabled
        self.trusted_proxies = trusted_networks(settings.trusted_proxies)
        self._leases: DedicatedConnection | None = None
        if dsn is not None and self.enabled:
            self._leases = DedicatedConnection(dsn, "rate limiter", on_connected=self._forget_local_grants)
        self._lease_failures = FailureLog(logger, "leasing rate-limit tokens (granted locally meanwhile)")
        self._fraction = settings.rate_limit_lease_fraction
        self._buckets: dict[tuple[str, Hashable], _Bucket] = {}
        self._last_sweep = monotonic()
        self._sweeping: asyncio.Task[None] | None = None
        self.by_role = {
            "admin": self.policy("key", settings.rate_limit_admin_per_minute),
            "ombudsman": self.policy("key", settings.rate_limit_ombudsman_per_minute),
            "agency": self.policy("key", settings.rate_limit_agency_per_minute),
        }
        self._per_key: dict[int, Policy] = {}
        self.address = self.policy("address", settings.rate_limit_address_per_minute)
        self.inbound = self.policy("inbound", settings.rate_limit_inbound_per_minute)
        # One token per lease: these count attempts, and are rare.
        self.auth_failures = Policy("auth-failures", settings.rate_limit_auth_failures_per_minute, 1)
        self.webhook_manual = Policy("webhook-manual", settings.rate_limit_webhook_manual_per_minute, 1)

    def policy(self, name: str, limit: int) -> Policy:
        return Policy(name, limit, batch_for(limit, self._fraction))

    def key_policy(self, role: str, override: int | None) -> Policy:
        """The limit of one key: its own (`override`), or its role's."""
        if override is None:
            return self.by_role[role]
        policy = self._per_key.get(override)
        if policy is None:
            policy = self._per_key[override] = self.policy("key", override)
        return policy

    # The hot path: a dict look-up and a decrement while leased tokens last.
    async def take(self, request: Request, policy: Policy, subject: Hashable) -> None:
        if not self.enabled:
            return
        bucket = self._buckets.get((policy.name, subject))
        if bucket is None or bucket.tokens <= 0:
            bucket = await self._refill(request, policy, subject, bucket)
        bucket.tokens -= 1
        _note(request, policy, bucket)

    def blocked(self, policy: Policy, subject: Hashable) -> int:
        """Seconds until the bucket is known to have a token again (0: not known to be empty)."""
        bucket = self._buckets.get((policy.name, subject))
        if bucket is None or bucket.tokens > 0:
            return 0
        left = bucket.blocked_until - monotonic()
        return math.ceil(left) if left > 0 else 0

    async def _refill(self, request: Request, policy: Policy, subject: Hashable, bucket: _Bucket | None) -> _Bucket:
        if bucket is None:
            if len(self._buckets) >= _MAX_LOCAL_BUCKETS:
                self._evict()
            bucket = self._buckets[(policy.name, subject)] = _Bucket()
        while bucket.tokens <= 0:
            now = monotonic()
            if now < bucket.blocked_until:
                raise refuse(request, policy, math.ceil(bucket.blocked_until - now))
            if bucket.lease is not None:
                await asyncio.shield(bucket.lease)  # another request is leasing for this bucket
                continue
            bucket.lease = asyncio.get_running_loop().create_future()
            try:
                granted, shared = await self._lease(policy, subject)
            finally:
                bucket.lease.set_result(None)
                bucket.lease = None
            now = monotonic()
            bucket.tokens, bucket.shared, bucket.seen = granted, shared, now
            if granted <= 0:
                bucket.blocked_until = now + max(0.0, 1.0 - shared) / policy.rate
        return bucket

    async def _lease(self, policy: Policy, subject: Hashable) -> tuple[int, float]:
        if self._leases is None or not self._leases.connected.is_set():
            return policy.batch, float(policy.limit)  # fail open: see the module docstring
        try:
            async with self._leases.connection() as conn:
                row = await conn.fetchrow(
                    LEASE_SQL,
                    f"{policy.name}:{subject}",
                    float(policy.limit),
                    policy.batch,
                    policy.rate,
                    timeout=_LEASE_TIMEOUT_SECONDS,
                )
        except Exception as exc:  # fail open
            self._lease_failures.failed(type(exc).__name__)
            return policy.batch, float(policy.limit)
        self._lease_failures.succeeded()
        self._maybe_sweep()
        assert row is not None  # the upsert always returns its row
        return row["granted"], row["tokens"]

    def _maybe_sweep(self) -> None:
        now = monotonic()
        if now - self._last_sweep < _SWEEP_EVERY_SECONDS or self._sweeping is not None:
            return
        self._last_sweep = now
        self._sweeping = asyncio.create_task(self._sweep(), name="rate limit sweep")

    async def _sweep(self) -> None:
        try:
            assert self._leases is not None
            async with self._leases.connection() as conn:
                await conn.execute(SWEEP_SQL, timeout=_LEASE_TIMEOUT_SECONDS)
        except Exception as exc:
            logger.warning("rate limit sweep failed: %s", type(exc).__name__)
        finally:
            self._sweeping = None

    def _evict(self) -> None:
        # Dropping a bucket loses its leased tokens: the safe direction (they were debited already).
        now = monotonic()
        for key in [k for k, b in self._buckets.items() if b.lease is None and b.blocked_until <= now]:
            del self._buckets[key]
        if len(self._buckets) >= _MAX_LOCAL_BUCKETS:
            self._buckets.clear()

    async def start(self) -> None:
        if self._leases is not None:
            await self._leases.start()

    def _forget_local_grants(self) -> None:
        """The lease connection is back: tokens granted locally while it was away were never
        debited from the shared buckets, so every bucket leases afresh."""
        self._buckets.clear()

    async def close(self) -> None:
        if self._sweeping is not None:
            await asyncio.gather(self._sweeping, return_exceptions=True)
        if self._leases is not None:
            await self._leases.stop()


def _note(request: Request, policy: Policy, bucket: _Bucket) -> None:
    """Remember the bucket's state for the response's RateLimit headers (added by observability.py)."""
    rate = policy.rate
    remaining = bucket.tokens + int(bucket.shared + (monotonic() - bucket.seen) * rate)
    # The request being answered took a token of a bucket that holds at most `limit`.
    if remaining >= policy.limit:
        remaining = policy.limit - 1
    reset = math.ceil((policy.limit - remaining) / rate)
    state = request.scope.setdefault("state", {})
    entry = (policy.header, policy.state(remaining, reset))
    previous = state.get(STATE_KEY)
    state[STATE_KEY] = entry if previous is None or previous[0] == entry[0] else _merge(previous, entry)


def _merge(previous: tuple[str, str], entry: tuple[str, str]) -> tuple[str, str]:
    return previous[0] + ", " + entry[0], previous[1] + ", " + entry[1]


def refuse(request: Request, policy: Policy, retry_after: int) -> RateLimited:
    """A 429 for a bucket known to be empty, with its RateLimit headers (nothing left)."""
    state = request.scope.setdefault("state", {})
    state[STATE_KEY] = (policy.header, policy.state(0, max(1, retry_after)))
    return RateLimited(f"Over the limit of {policy.limit} a minute ({policy.name}).", max(1, retry_after))


def client_address(request: Request) -> str:
    """The source address the per-address limits count: the TCP peer's, or, when the peer is one of
    REFERRAL_TRUSTED_PROXIES, the right-most `X-Forwarded-For` entry that is not a trusted proxy."""
    client = request.scope.get("client")
    host = client[0] if client else "unknown"
    trusted = request.app.state.rate_limiter.trusted_proxies
    if trusted is None or not trusted(host):
        return host
    forwarded = [
        part.strip()
        for name, value in request.scope["headers"]
        if name == b"x-forwarded-for"
        for part in value.decode("latin-1").split(",")
    ]
    for candidate in reversed(forwarded):
        if candidate and not trusted(candidate):
            return str(candidate[:64])
    return str(forwarded[0][:64] or host) if forwarded else str(host)


def trusted_networks(spec: str) -> Callable[[str], bool] | None:
    """A predicate "is this address one of these networks?" for a comma-separated list of CIDRs."""
    networks = [ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip()]
    if not networks:
        return None

    @lru_cache(maxsize=4096)
    def trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)

    return trusted


async def limit_by_address(request: Request) -> None:
    """Dependency of the unauthenticated routes that do work: a limit per source address."""
    limiter: RateLimiter = request.app.state.rate_limiter
    await limiter.take(request, limiter.address, client_address(request))
