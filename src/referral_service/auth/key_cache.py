"""Per-process cache of API key hash → principal, so most requests authenticate without a query.

The cache is only trusted while this process hears about changes to `api_keys`: a trigger
(migration 0006) sends NOTIFY on every change, and `KeyChangeListener` turns each notification
into `forget()`. While the listener is down the cache is empty and every lookup goes to the
database. A maximum age per entry bounds the damage of a notification that was somehow missed.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from referral_service.auth.principal import Principal

# Unknown hashes are remembered too, so a client retrying a revoked or mistyped key in a loop
# costs no query per attempt. Bounded: a flood of random keys only ever evicts older entries.
UNKNOWN_KEYS_CAPACITY = 1024

PrincipalLoader = Callable[[bytes], Awaitable[Principal | None]]


class ApiKeyCache:
    def __init__(
        self,
        max_age_seconds: float,
        *,
        unknown_keys_capacity: int = UNKNOWN_KEYS_CAPACITY,
        clock: Callable[[], float] = time.monotonic,
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
        self._unknown.pop(key_hash, None)
        while len(self._unknown) >= self._unknown_keys_capacity:
            del self._unknown[next(iter(self._unknown))]
        self._unknown[key_hash] = expires

    def forget(self, key_hash: bytes) -> None:
        """A key changed (revoked, issued, edited): its next use asks the database."""
        self._generation += 1
        self._known.pop(key_hash, None)
        self._unknown.pop(key_hash, None)

    def forget_all(self) -> None:
        self._generation += 1
        self._known.clear()
        self._unknown.clear()

    def start_listening(self) -> None:
        """The listener is connected and LISTENing: changes from now on will be heard."""
        # Anything remembered before (or looked up while nobody listened) may have missed a change.
        self.forget_all()
        self._listening = True

    def stop_listening(self) -> None:
        """The listener is gone: changes could pass unheard, so nothing is served from memory."""
        self._listening = False
        self.forget_all()
