"""One dedicated connection per API process that LISTENs for changes to `api_keys`.

A trigger on `api_keys` (migration 0006) sends `NOTIFY api_keys_changed, '<hex of key_hash>'` in
the changing transaction, so every process hears about a revocation the moment it commits. The
connection is not taken from the request pool: a pooled connection is reset and handed to other
work, and LISTEN belongs to one session for as long as it lives.

When the connection is lost the cache stops serving from memory at once (a change could pass
unheard) and the listener reconnects with backoff; caching resumes once LISTEN is active again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from referral_service.auth.key_cache import ApiKeyCache
from referral_service.config import to_async_url

logger = logging.getLogger("referral_service.auth.key_listener")

CHANNEL = "api_keys_changed"
# Shown in pg_stat_activity, so an operator (or a test) can tell these connections apart.
APPLICATION_NAME = "referral-service key-cache listener"

CONNECT_TIMEOUT_SECONDS = 5.0
# A connection that dies without a FIN/RST (a silent network partition) is only noticed when
# something is sent on it: a ping every few seconds keeps that window short.
PING_INTERVAL_SECONDS = 5.0
PING_TIMEOUT_SECONDS = 3.0
FIRST_RETRY_SECONDS = 0.2
LONGEST_RETRY_SECONDS = 5.0


def asyncpg_dsn(database_url: str) -> str:
    """The service's database URL (any accepted spelling) in the plain form asyncpg takes."""
    return "postgresql://" + to_async_url(database_url).removeprefix("postgresql+asyncpg://")


class KeyChangeListener:
    def __init__(self, dsn: str, cache: ApiKeyCache) -> None:
        self._dsn = dsn
        self._cache = cache
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()  # set while LISTEN is active; lets tests wait for it
        self.sessions_started = 0  # LISTEN sessions so far (1 + reconnections)

    async def start(self) -> None:
        """Connect once before returning, so a process is caching by the time it serves; if the
        database is not reachable yet, keep trying in the background (requests query meanwhile)."""
        first_attempt_done = asyncio.Event()
        self._task = asyncio.create_task(self._run(first_attempt_done), name="api-key change listener")
        await first_attempt_done.wait()

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _run(self, first_attempt_done: asyncio.Event) -> None:
        retry_in = FIRST_RETRY_SECONDS
        while True:
            sessions_before = self.sessions_started
            try:
                await self._listen_until_lost(first_attempt_done)
            except Exception as exc:  # whatever went wrong, the answer is the same: query, and retry
                logger.warning("API key change listener unavailable (%r); retrying", exc)
            first_attempt_done.set()
            if self.sessions_started != sessions_before:
                retry_in = FIRST_RETRY_SECONDS  # it was up: this loss starts a fresh backoff
            await asyncio.sleep(retry_in)
            retry_in = min(retry_in * 2, LONGEST_RETRY_SECONDS)

    async def _listen_until_lost(self, first_attempt_done: asyncio.Event) -> None:
        connection = await asyncpg.connect(
            self._dsn, timeout=CONNECT_TIMEOUT_SECONDS, server_settings={"application_name": APPLICATION_NAME}
        )
        lost = asyncio.Event()

        def on_termination(_connection: object) -> None:
            self._cache.stop_listening()  # at once, not when this task next gets to run
            lost.set()

        connection.add_termination_listener(on_termination)
        try:
            await connection.add_listener(CHANNEL, self._on_notification)
            self._cache.start_listening()
            self.sessions_started += 1
            self.connected.set()
            first_attempt_done.set()
            logger.info("Listening for API key changes; key lookups are cached")
            while not lost.is_set():
                try:
                    await asyncio.wait_for(lost.wait(), PING_INTERVAL_SECONDS)
                except TimeoutError:
                    await connection.fetchval("SELECT 1", timeout=PING_TIMEOUT_SECONDS)
            logger.warning("API key change listener connection lost; key lookups go to the database")
        finally:
            # First of all: nothing may be served from memory once changes could go unheard.
            self._cache.stop_listening()
            self.connected.clear()
            task = asyncio.current_task()
            if not connection.is_closed() and task is not None and task.cancelling():
                # Shutting down: end the session politely, but never hold up the shutdown for it.
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(connection.close(), 2)
            if not connection.is_closed():
                connection.terminate()

    def _on_notification(self, _connection: object, _pid: int, _channel: str, payload: object) -> None:
        try:
            key_hash = bytes.fromhex(payload) if isinstance(payload, str) else b""
        except ValueError:
            key_hash = b""
        if key_hash:
            self._cache.forget(key_hash)
        else:  # TRUNCATE, or a payload this version does not understand: start afresh
            self._cache.forget_all()
