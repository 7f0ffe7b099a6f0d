"""One dedicated connection per API process that LISTENs for changes to `api_keys`.

A trigger on `api_keys` (migration 0006) sends `NOTIFY api_keys_changed, '<hex of key_hash>'` in
the changing transaction, so every process hears about a revocation the moment it commits. The
connection is a `DedicatedConnection` (db/dedicated.py): LISTEN belongs to one session for as long
as it lives, and the cache must know the moment it is lost.

When the connection is lost the cache stops serving from memory at once (a change could pass
unheard) and the connection is re-established with backoff; caching resumes, from an empty cache,
once LISTEN is active again.
"""

from __future__ import annotations

import asyncio

from referral_service.auth.key_cache import ApiKeyCache
from referral_service.db.dedicated import APPLICATION_PREFIX, DedicatedConnection

CHANNEL = "api_keys_changed"
NAME = "key-cache listener"
# Shown in pg_stat_activity, so an operator (or a test) can tell these connections apart.
APPLICATION_NAME = APPLICATION_PREFIX + NAME


class KeyChangeListener:
    def __init__(self, dsn: str, cache: ApiKeyCache) -> None:
        self._cache = cache
        self.connection = DedicatedConnection(
            dsn,
            NAME,
            listen={CHANNEL: self._on_notification},
            # Anything remembered before, or looked up while nobody listened, may have missed a change.
            on_connected=cache.start_listening,
            on_lost=cache.stop_listening,
        )

    @property
    def connected(self) -> asyncio.Event:
        """Set while LISTEN is active; lets tests wait for it."""
        return self.connection.connected

    @property
    def sessions_started(self) -> int:
        """LISTEN sessions so far (1 + reconnections)."""
        return self.connection.sessions

    async def start(self) -> None:
        """Connect once before returning, so a process is caching by the time it serves; if the
        database is not reachable yet, keep trying in the background (requests query meanwhile)."""
        await self.connection.start()

    async def stop(self) -> None:
        await self.connection.stop()

    def _on_notification(self, payload: str) -> None:
        try:
            key_hash = bytes.fromhex(payload) if isinstance(payload, str) else b""
        except ValueError:
            key_hash = b""
        if key_hash:
            self._cache.forget(key_hash)
        else:  # TRUNCATE, or a payload this version does not understand: start afresh
            self._cache.forget_all()
