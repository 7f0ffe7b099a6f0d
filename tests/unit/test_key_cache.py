"""The API key cache on its own: what it serves from memory, for how long, and when it must not."""

from __future__ import annotations

import asyncio
import uuid

from referral_service.auth.key_cache import ApiKeyCache
from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role

KEY = b"\x01" * 32
OTHER = b"\x02" * 32
PRINCIPAL = Principal(key_id=uuid.uuid4(), role=Role.OMBUDSMAN, name="SIMPEL Kaltim", region_code="64")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Database:
    """A loader that counts how often the cache had to ask."""

    def __init__(self, rows: dict[bytes, Principal]) -> None:
        self.rows = rows
        self.queries = 0

    async def load(self, key_hash: bytes) -> Principal | None:
        self.queries += 1
        return self.rows.get(key_hash)


def listening_cache(max_age: float = 30, **kw) -> tuple[ApiKeyCache, Clock]:
    clock = Clock()
    cache = ApiKeyCache(max_age, clock=clock, **kw)
    cache.start_listening()
    return cache, clock


async def test_a_hit_asks_the_database_nothing():
    cache, _ = listening_cache()
    db = Database({KEY: PRINCIPAL})
    assert await cache.principal_for(KEY, db.load) == PRINCIPAL
    assert await cache.principal_for(KEY, db.load) == PRINCIPAL
    assert await cache.principal_for(KEY, db.load) == PRINCIPAL
    assert db.queries == 1


async def test_an_entry_expires_after_the_maximum_age():
    cache, clock = listening_cache(max_age=30)
    db = Database({KEY: PRINCIPAL})
    await cache.principal_for(KEY, db.load)
    clock.now += 29.9
    await cache.principal_for(KEY, db.load)
    assert db.queries == 1
    clock.now += 0.2  # 30.1 s after it was read
    db.rows.clear()  # meanwhile the key went away, and nobody told us
    assert await cache.principal_for(KEY, db.load) is None
    assert db.queries == 2


async def test_unknown_keys_are_remembered_for_the_maximum_age_too():
    cache, clock = listening_cache(max_age=30)
    db = Database({})
    assert await cache.principal_for(KEY, db.load) is None
    assert await cache.principal_for(KEY, db.load) is None
    assert db.queries == 1
    clock.now += 31
    db.rows[KEY] = PRINCIPAL
    assert await cache.principal_for(KEY, db.load) == PRINCIPAL


async def test_unknown_keys_are_bounded_so_a_flood_of_random_keys_cannot_grow_memory():
    cache, _ = listening_cache(unknown_keys_capacity=8)
    db = Database({KEY: PRINCIPAL})
    await cache.principal_for(KEY, db.load)
    for n in range(1000):
        await cache.principal_for(n.to_bytes(32, "big"), db.load)
    assert len(cache) == 1 + 8  # the valid key, and the 8 newest unknown ones
    assert KEY in cache and (999).to_bytes(32, "big") in cache and (0).to_bytes(32, "big") not in cache


async def test_forget_drops_one_key_and_a_notified_new_key_is_not_refused_from_memory():
    cache, _ = listening_cache()
    db = Database({OTHER: PRINCIPAL})
    await cache.principal_for(KEY, db.load)  # unknown, remembered as such
    await cache.principal_for(OTHER, db.load)
    db.rows[KEY] = PRINCIPAL  # issued now: the insert trigger announces its hash
    cache.forget(KEY)
    assert await cache.principal_for(KEY, db.load) == PRINCIPAL
    assert OTHER in cache
    cache.forget(OTHER)  # revoked
    del db.rows[OTHER]
    assert await cache.principal_for(OTHER, db.load) is None


async def test_nothing_is_cached_before_the_listener_is_up_or_after_it_is_lost():
    cache = ApiKeyCache(30)
    db = Database({KEY: PRINCIPAL})
    await cache.principal_for(KEY, db.load)
    await cache.principal_for(KEY, db.load)
    assert db.queries == 2 and len(cache) == 0

    cache.start_listening()
    await cache.principal_for(KEY, db.load)
    await cache.principal_for(KEY, db.load)
    assert db.queries == 3 and KEY in cache

    cache.stop_listening()
    assert not cache.active and len(cache) == 0
    await cache.principal_for(KEY, db.load)
    await cache.principal_for(KEY, db.load)
    assert db.queries == 5 and len(cache) == 0


async def test_a_maximum_age_of_zero_turns_the_cache_off():
    cache = ApiKeyCache(0)
    cache.start_listening()
    db = Database({KEY: PRINCIPAL})
    for _ in range(3):
        assert await cache.principal_for(KEY, db.load) == PRINCIPAL
    assert db.queries == 3 and not cache.active and len(cache) == 0


async def test_a_lookup_overtaken_by_a_change_is_not_remembered():
    """A row read before a revocation commits must not be cached after the revocation is heard."""
    cache, _ = listening_cache()
    read_done, notified = asyncio.Event(), asyncio.Event()

    async def slow_load(key_hash: bytes) -> Principal | None:
        row = PRINCIPAL  # read before the revocation committed
        read_done.set()
        await notified.wait()
        return row

    lookup = asyncio.create_task(cache.principal_for(KEY, slow_load))
    await read_done.wait()
    cache.forget(KEY)  # the NOTIFY arrives while the lookup is still on its way back
    notified.set()
    assert await lookup == PRINCIPAL  # this one request may still pass: it started before
    assert KEY not in cache  # but the next one asks again


async def test_a_lookup_that_straddles_a_reconnection_is_not_remembered():
    """Changes made while nobody listened are unheard: a lookup begun then is not trusted later."""
    cache = ApiKeyCache(30)
    started, reconnected = asyncio.Event(), asyncio.Event()

    async def slow_load(key_hash: bytes) -> Principal | None:
        started.set()
        await reconnected.wait()
        return PRINCIPAL

    lookup = asyncio.create_task(cache.principal_for(KEY, slow_load))
    await started.wait()
    cache.start_listening()
    reconnected.set()
    await lookup
    assert KEY not in cache


# ---- the set of keys that may be active: unknown keys without a query ----------------------------


class ActiveHashes:
    """The hashes of the unrevoked keys, counting how often the cache read them."""

    def __init__(self, hashes: set[bytes]) -> None:
        self.hashes = hashes
        self.reads = 0
        self.gate: asyncio.Event | None = None
        self.fail = False

    async def load(self) -> set[bytes]:
        self.reads += 1
        snapshot = set(self.hashes)  # what the query's snapshot saw
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise ConnectionError("database unreachable (test)")
        return snapshot


def cache_with_hashes(hashes: set[bytes], max_age: float = 30) -> tuple[ApiKeyCache, Clock, ActiveHashes]:
    clock, active = Clock(), ActiveHashes(hashes)
    cache = ApiKeyCache(max_age, clock=clock, load_active_hashes=active.load)
    cache.start_listening()
    return cache, clock, active


async def test_unknown_keys_are_refused_without_asking_for_them():
    cache, clock, active = cache_with_hashes({KEY})
    db = Database({KEY: PRINCIPAL})
    for n in range(1000):
        assert await cache.principal_for(n.to_bytes(32, "big"), db.load) is None
    assert await cache.principal_for(KEY, db.load) == PRINCIPAL
    assert db.queries == 1 and active.reads == 1  # one read of the set, one look-up of the valid key
    clock.now += 31  # the set is read again once it is older than the maximum age
    assert await cache.principal_for(OTHER, db.load) is None
    assert active.reads == 2 and db.queries == 1


async def test_concurrent_unknown_keys_share_one_read_of_the_set():
    cache, _, active = cache_with_hashes(set())
    active.gate = asyncio.Event()
    db = Database({})
    lookups = [asyncio.create_task(cache.principal_for(n.to_bytes(32, "big"), db.load)) for n in range(20)]
    await asyncio.sleep(0)
    active.gate.set()
    assert await asyncio.gather(*lookups) == [None] * 20
    assert active.reads == 1 and db.queries == 0


async def test_an_announced_key_is_looked_up_and_a_revoked_one_refused_from_memory_again():
    cache, _, _ = cache_with_hashes(set())
    db = Database({})
    assert await cache.principal_for(KEY, db.load) is None and db.queries == 0
    db.rows[KEY] = PRINCIPAL  # issued in another process: its NOTIFY arrives
    cache.forget(KEY)
    assert await cache.principal_for(KEY, db.load) == PRINCIPAL and db.queries == 1
    del db.rows[KEY]  # revoked: announced again
    cache.forget(KEY)
    assert await cache.principal_for(KEY, db.load) is None and db.queries == 2
    assert await cache.principal_for(KEY, db.load) is None and db.queries == 2  # from memory again


async def test_a_key_announced_while_the_set_is_read_is_not_lost():
    """The read's snapshot may predate a key committed while it ran: its notification must count."""
    cache, _, active = cache_with_hashes(set())
    active.gate = asyncio.Event()
    db = Database({})
    first = asyncio.create_task(cache.principal_for(OTHER, db.load))
    await asyncio.sleep(0)
    assert active.reads == 1  # reading, with a snapshot that has no KEY
    db.rows[KEY] = PRINCIPAL
    cache.forget(KEY)
    active.gate.set()
    assert await first is None
    assert await cache.principal_for(KEY, db.load) == PRINCIPAL


async def test_a_reconnection_reads_the_set_again():
    cache, _, active = cache_with_hashes(set())
    db = Database({KEY: PRINCIPAL})
    assert await cache.principal_for(KEY, db.load) is None  # not in the set read
    cache.stop_listening()
    active.hashes.add(KEY)  # issued while nobody listened: its notification is lost
    cache.start_listening()
    assert await cache.principal_for(KEY, db.load) == PRINCIPAL
    assert active.reads == 2


async def test_without_the_set_unknown_keys_are_looked_up_and_the_read_is_retried_after_a_pause():
    cache, clock, active = cache_with_hashes(set())
    active.fail = True
    db = Database({KEY: PRINCIPAL})
    assert await cache.principal_for(OTHER, db.load) is None
    assert await cache.principal_for(b"\x03" * 32, db.load) is None
    assert active.reads == 1 and db.queries == 2  # one by one, and the set is not read again at once
    active.fail = False
    clock.now += 1.1
    assert await cache.principal_for(b"\x04" * 32, db.load) is None
    assert active.reads == 2 and db.queries == 2
