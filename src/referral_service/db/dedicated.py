"""A database connection of its own for work that outlives a request, kept alive through outages.

Four users hold one each, per process: the API-key cache's LISTEN (auth/key_listener.py), the event
feed's long-poll LISTEN (events/feed.py), the rate limiter's leases (ratelimit.py) and the webhook
dispatcher's LISTEN (webhooks/dispatcher.py). A pool's connection will not do for them: a pool
lends a connection for a moment and resets it, LISTEN belongs to one session for as long as it
lives, and a user that must stop trusting what it remembers the moment a change could pass unheard
needs to know when its connection is gone. So `DedicatedConnection`:

- opens its connection with `asyncpg.connect` (never from a pool, never lent to one), initialised as
  the pool's are (`driver._init_connection`) and named in `pg_stat_activity`
  (`application_name = 'referral-service <name>'`), so operators and tests can tell them apart;
- notices loss: the server closing it (restart, `pg_terminate_backend`: asyncpg's termination
  callback, at once), a failed statement, and a ping every few seconds while idle, which is what
  reveals a connection that died silently (a network partition sends no FIN);
- reconnects with capped exponential backoff and jitter (backoff.py: 0.1 s doubling to 5 s), LISTENs
  again on its channels, and only then tells its user to catch up (`on_connected`): whatever was
  notified while nobody listened is lost, so the user re-reads what it may have missed (the
  dispatcher claims, the key cache starts empty, the feed's long polls read again);
- tells its user of the loss synchronously, from the termination callback (`on_lost`);
- logs the loss, then a count a minute while it lasts, then the recovery (logs.FailureLog); and
  shows its state: `connected` (an event), `referral_db_connection_up` and
  `referral_db_connection_losses_total` (metrics.py).

It knows nothing of SQLAlchemy or of the pools: a user that runs statements on it (the limiter) takes
it with `async with dedicated.connection() as conn:`, one user at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import asyncpg

from referral_service.backoff import LONGEST_SECONDS, Backoff
from referral_service.db.driver import _init_connection, describe, unreachable
from referral_service.logs import FailureLog
from referral_service.metrics import DB_CONNECTION_LOSSES, DB_CONNECTION_UP

logger = logging.getLogger("referral_service.db.dedicated")

APPLICATION_PREFIX = "referral-service "
CONNECT_TIMEOUT_SECONDS = 5.0
PING_INTERVAL_SECONDS = 5.0
PING_TIMEOUT_SECONDS = 3.0
# A session that ended sooner than this does not reset the backoff: a server that accepts and then
# drops every connection at once is not knocked on ten times a second.
STEADY_SECONDS = LONGEST_SECONDS
CLOSE_SECONDS = 2.0

Callback = Callable[[], None]


class Unavailable(Exception):
    """The dedicated connection is not connected at the moment."""


class DedicatedConnection:
    def __init__(
        self,
        dsn: str,
        name: str,
        *,
        listen: Mapping[str, Callable[[str], None]] | None = None,
        on_connected: Callback | None = None,
        on_lost: Callback | None = None,
        ping_seconds: float = PING_INTERVAL_SECONDS,
        backoff: Backoff | None = None,
    ) -> None:
        self.dsn = dsn
        self.name = name
        self.application_name = APPLICATION_PREFIX + name
        self._listen = dict(listen or {})
        self._on_connected = on_connected
        self._on_lost = on_lost
        self._ping_seconds = ping_seconds
        self.backoff = backoff or Backoff()
        self._failures = FailureLog(logger, f"the {name}'s database connection", then="reconnecting")
        self._connection: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()  # set while connected (and LISTENing on every channel)
        self.sessions = 0  # connections made so far: 1, then one more per recovery
        DB_CONNECTION_UP.labels(name).set(0)

    async def start(self) -> None:
        """Make the first attempt before returning, so that the user is in service by the time its
        process serves; if the database cannot be reached, go on trying in the background."""
        if self._task is not None:
            return
        first_attempt = asyncio.Event()
        self._task = asyncio.create_task(self._run(first_attempt), name=self.application_name)
        await first_attempt.wait()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        """The connection, for a statement or a few, one user at a time; `Unavailable` while it is
        not connected (the caller decides what to do without it: nothing here waits for it)."""
        async with self._lock:
            connection = self._connection
            if connection is None or connection.is_closed():
                raise Unavailable(self.name)
            yield connection

    async def _run(self, first_attempt: asyncio.Event) -> None:
        while True:
            connection: asyncpg.Connection | None = None
            began = time.monotonic()
            try:
                connection = await asyncpg.connect(
                    self.dsn,
                    timeout=CONNECT_TIMEOUT_SECONDS,
                    server_settings={"application_name": self.application_name},
                )
                await _init_connection(connection)
                lost = asyncio.Event()
                connection.add_termination_listener(lambda closed, lost=lost: self._lose(closed, lost))
                for channel, callback in self._listen.items():
                    await connection.add_listener(channel, _listener(callback))
                began = time.monotonic()
                self._connected(connection)
                first_attempt.set()
                await self._watch(connection, lost)
                reason, exc_info = "lost: the server closed it", None
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                reason, exc_info = describe(exc), (None if unreachable(exc) else exc)
            finally:
                self._disconnected()
                await _close(connection)
            first_attempt.set()
            if time.monotonic() - began >= STEADY_SECONDS:
                self.backoff.reset()  # it was up for a while: this loss starts a fresh backoff
            self._failures.failed(reason, exc_info)
            await self.backoff.wait()

    async def _watch(self, connection: asyncpg.Connection, lost: asyncio.Event) -> None:
        """Return when the connection is lost; a ping while idle finds a connection that died silently."""
        while not lost.is_set():
            try:
                await asyncio.wait_for(lost.wait(), self._ping_seconds)
            except TimeoutError:
                async with self._lock:
                    if not lost.is_set():
                        await connection.fetchval("SELECT 1", timeout=PING_TIMEOUT_SECONDS)

    def _connected(self, connection: asyncpg.Connection) -> None:
        self._connection = connection
        self.sessions += 1
        self.connected.set()
        DB_CONNECTION_UP.labels(self.name).set(1)
        if self._failures.failing:
            self._failures.succeeded()  # "... works again after N failures in T s"
        elif self.sessions == 1:
            logger.info("the %s is connected to the database", self.name)
        _call(self._on_connected, self.name)

    def _lose(self, closed: object, lost: asyncio.Event) -> None:
        """asyncpg's termination callback: tell the user at once, not when the task next runs."""
        lost.set()
        if closed is self._connection:
            self._disconnected()

    def _disconnected(self) -> None:
        if not self.connected.is_set():
            return
        self._connection = None
        self.connected.clear()
        DB_CONNECTION_UP.labels(self.name).set(0)
        task = asyncio.current_task()
        if task is None or not task.cancelling():  # a stop is no loss
            DB_CONNECTION_LOSSES.labels(self.name).inc()
        _call(self._on_lost, self.name)


def _listener(callback: Callable[[str], None]) -> Callable[[Any, int, str, object], None]:
    def on_notification(_connection: Any, _pid: int, _channel: str, payload: object) -> None:
        try:
            callback(payload if isinstance(payload, str) else "")
        except Exception:
            logger.exception("a notification handler failed")

    return on_notification


def _call(callback: Callback | None, name: str) -> None:
    if callback is None:
        return
    try:
        callback()
    except Exception:  # the connection's life must not depend on its user's bugs
        logger.exception("the %s's connection callback failed", name)


async def _close(connection: asyncpg.Connection | None) -> None:
    if connection is None or connection.is_closed():
        return
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        # Stopping: end the session politely, but never hold up the stop for it.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(connection.close(), CLOSE_SECONDS)
    if not connection.is_closed():
        connection.terminate()
