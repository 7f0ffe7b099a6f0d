"""Per-process cache of API key hash → principal, so most requests authenticate without a query.

The cache is only trusted while this process hears about changes to `api_keys`: a trigger
(migration 0006) sends NOTIFY on every change, and `KeyChangeListener` turns each notification
into `forget()`. While the listener is down the cache is empty and every lookup goes to the
database. A maximum age per entry bounds the damage of a notification that was somehow missed.

Unknown keys cost no query: the cache also holds the hashes of every key that may be active (the
unrevoked ones, read in one query, plus every hash a notification has announced since), and a hash
outside that set is refused from memory. Keys are long random secrets, so whoever sends wrong ones
gets nothing from the database, however many different ones they send. The set is read again when
it is older than the maximum age (one query for all unknown keys together, shared by concurrent
requests), and whenever the listener has reconnected, since changes may have gone unheard.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable

from referral_service.auth.principal import Principal

logger = logging.getLogger("referral_service.auth.key_cache")

# Unknown hashes are remembered too, so a client retrying a revoked or mistyped key in a loop
# costs no query per attempt. Bounded: a flood of random keys only ever evicts older entries.
UNKNOWN_KEYS_CAPACITY = 1024

PrincipalLoader = Callable[[bytes], Awaitable[Principal | None]]
ActiveHashesLoader = Callable[[], Awaitable[Iterable[bytes]]]
# After a failed read of the active hashes, unknown keys are looked up one by one for this long.
_RELOAD_RETRY_SECONDS = 1.0


class ApiKeyCache:
    def __init__(
        self,
        max_age_seconds: float,
        *,
        unknown_keys_capacity: int = UNKNOWN_KEYS_CAPACITY,
        clock: Callable[[], float] = time.monotonic,
        load_active_hashes: ActiveHashesLoader | None = None,
    ) -> None:
        self.max_age_seconds = max_age_seconds
        self._unknown_keys_capacity = unknown_keys_capacity
        self._clock = clock
        # hash → (principal, expiry on `clock`)
        self._known: dict[bytes, tuple[Principal, float]] = {}
        # hash → expiry; dicts keep insertion order, so the first key is the oldest (FIFO eviction)
        self._unknown: dict[bytes, float] = {}
        self._listening = False
        # Bumped by every invalidation. A lookup remembers its answer only if no invalidation
        # happened while it was querying: its row may predate the change it would then hide.
        self._generation = 0
        # Hashes of the keys that may be active, valid until `_active_until` (on `clock`); None: not read.
        self._load_active_hashes = load_active_hashes
        self._active_hashes: set[bytes] | None = None
        self._active_until = 0.0
        self._reloading: asyncio.Future[None] | None = None
        self._heard_while_reloading: set[bytes] | None = None
        # Bumped whenever every change may have gone unheard: a read begun before is not trusted.
        self._epoch = 0

    @property
    def active(self) -> bool:
        """Answers may be served from memory: the cache is enabled and its listener is connected."""
        return self._listening and self.max_age_seconds > 0

    def __len__(self) -> int:
        return len(self._known) + len(self._unknown)

    def __contains__(self, key_hash: bytes) -> bool:
        """An answer for this hash (known or unknown) is held, fresh or not."""
        return key_hash in self._known or key_hash in self._unknown

    async def principal_for(self, key_hash: bytes, load: PrincipalLoader) -> Principal | None:
        """The principal of an active key, or None; from memory when fresh, otherwise from `load`."""
        if self.active:
            now = self._clock()
            known = self._known.get(key_hash)
            if known is not None:
                if known[1] > now:
                    return known[0]
                del self._known[key_hash]
            if await self._not_active(key_hash, now):
                return None
            unknown_until = self._unknown.get(key_hash)
            if unknown_until is not None:
                if unknown_until > now:
                    return None
                del self._unknown[key_hash]
        generation = self._generation
        principal = await load(key_hash)
        if self.active and generation == self._generation:
            self._remember(key_hash, principal)
        return principal

    def _remember(self, key_hash: bytes, principal: Principal | None) -> None:
        expires = self._clock() + self.max_age_seconds
        if principal is not None:
            self._known[key_hash] = (principal, expires)
            return
        if self._active_hashes is not None:
            self._active_hashes.discard(key_hash)  # announced, then found inactive: revoked
        self._unknown.pop(key_hash, None)
        while len(self._unknown) >= self._unknown_keys_capacity:
            del self._unknown[next(iter(self._unknown))]
        self._unknown[key_hash] = expires

    async def surely_inactive(self, key_hash: bytes) -> bool:
        """The key of this hash is known, from memory, to be unknown or revoked (no query but, at
        most once per maximum age, the read of the active hashes)."""
        return self.active and await self._not_active(key_hash, self._clock())

    async def _not_active(self, key_hash: bytes, now: float) -> bool:
        if self._load_active_hashes is None:
            return False
        if self._active_hashes is None or self._active_until <= now:
            await self._reload_active_hashes(now)
            if self._active_hashes is None:
                return False
        return key_hash not in self._active_hashes

    async def _reload_active_hashes(self, now: float) -> None:
        if self._reloading is not None:
            await asyncio.shield(self._reloading)  # one read serves every request waiting for it
            return
        if self._active_until > now:  # the last read failed moments ago: do not hammer the database
            return
        assert self._load_active_hashes is not None
        self._reloading = asyncio.get_running_loop().create_future()
        self._heard_while_reloading = set()
        epoch = self._epoch
        try:
            loaded: set[bytes] | None = set(await self._load_active_hashes())
        except Exception as exc:  # the per-key lookup still works (or fails the same way)
            logger.warning("could not read the active API key hashes: %s", type(exc).__name__)
            loaded = None
        finally:
            heard, self._heard_while_reloading = self._heard_while_reloading, None
            self._reloading.set_result(None)
            self._reloading = None
        if loaded is None:
            self._active_hashes, self._active_until = None, self._clock() + _RELOAD_RETRY_SECONDS
        elif epoch == self._epoch and self.active:
            # A key announced while the query ran may have committed after its snapshot.
            self._active_hashes, self._active_until = loaded | heard, now + self.max_age_seconds

    def forget(self, key_hash: bytes) -> None:
        """A key changed (revoked, issued, edited): its next use asks the database."""
        self._generation += 1
        self._known.pop(key_hash, None)
        self._unknown.pop(key_hash, None)
        # It may be a new key: it is no longer refused from memory.
        if self._active_hashes is not None:
            self._active_hashes.add(key_hash)
        if self._heard_while_reloading is not None:
            self._heard_while_reloading.add(key_hash)

    def forget_all(self) -> None:
        self._generation += 1
        self._epoch += 1
        self._known.clear()
        self._unknown.clear()
        self._active_hashes, self._active_until = None, 0.0

    def start_listening(self) -> None:
        """The listener is connected and LISTENing: changes from now on will be heard."""
        # Anything remembered before (or looked up while nobody listened) may have missed a change.
        self.forget_all()
        self._listening = True

    def stop_listening(self) -> None:
        """The listener is gone: changes could pass unheard, so nothing is served from memory."""
        self._listening = False
        self.forget_all()
